// `enrich` gives every unscored event in the window (also those the proxy left anomaly.pending) its anomaly fields
// (by default each event written whole: its read source plus the fields), keeps the original fields, leaves already-scored events alone, records unreadable events
// with anomaly.error, and a rerun is a no-op.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { EnrichStats } from '../src/enrich/enricher.js';
import { ecsDocs, FIXTURE_START_MS } from './support/ecs-fixture.js';
import { allDocs, dropCheckpoints, loadIndex, os, runEnrich } from './support/enrich-fixture.js';
import { ecsModel } from './support/model-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';

const INDEX = `seqsentry-enrich-every-${process.pid}`;
const JOB = `test-every-${process.pid}`;
const DAY = 86_400_000;
/** As the proxy forwards an event it could not score this time (a transient failure). */
const PENDING = { anomaly: { model: { name: 'earlier', version: '1', kind: 'transformer-mlm' }, scored_at: '2026-01-20T00:00:00.000Z', pending: 'history refill failed: all shards failed' } };
const PRE_SCORED = { anomaly_score: 0.25, anomaly: { model: { name: 'earlier', version: '1', kind: 'transformer-mlm' }, scored_at: '2026-01-20T00:00:00.000Z', is_anomaly: false } };

const enrich = (url: string, modelDir: string): Promise<EnrichStats> => runEnrich(url, modelDir, { pattern: INDEX, job: JOB, pageSize: 300, batchSize: 256 });

describe('enrich scores every unscored event', () => {
  let url = '';
  let modelDir = '';
  const docs = ecsDocs({ seed: 99, days: 6, startMs: FIXTURE_START_MS + 14 * DAY }); // 30 users × 12 × 6 = 2160
  const preScored = new Set<string>();
  const unreadable = new Set<string>();
  const pending = new Set<string>();
  let first: EnrichStats;

  beforeAll(async () => {
    url = inject('opensearchUrl');
    if (!url) return;
    modelDir = await ecsModel();
    docs.forEach((d, i) => {
      if (i % 20 === 7) {
        Object.assign(d, structuredClone(PRE_SCORED));
        preScored.add(`d${i}`);
      }
      if (i % 100 === 11) {
        Object.assign(d, structuredClone(PENDING));
        pending.add(`d${i}`);
      }
      if (i % 500 === 3) {
        // No field the ECS adapter maps: scored as unreadable, not skipped.
        for (const k of ['user', 'source', 'host', 'event', 'winlog']) delete d[k];
        unreadable.add(`d${i}`);
      }
    });
    await loadIndex(url, INDEX, docs);
    await dropCheckpoints(url, JOB);
    first = await enrich(url, modelDir);
  }, 600_000);

  afterAll(async () => {
    if (!url) return;
    await os(url, 'DELETE', `/${INDEX}`);
    await dropCheckpoints(url, JOB);
  });

  beforeEach((ctx) => {
    url = requireOpenSearch(ctx);
  });

  it('writes anomaly fields onto every event that had none, exactly once', async () => {
    const stored = await allDocs(url, INDEX);
    expect(stored.size).toBe(docs.length);
    const target = docs.length - preScored.size;
    expect(first.scored + first.unreadable).toBe(target);
    expect(first.unreadable).toBe(unreadable.size);
    expect(first.failed).toBe(0);
    // The default write-back: every event whole (this index has no final pipeline and keeps its whole source).
    expect(first.writtenWhole).toBe(target);
    const bundle = (await import('node:fs')).readFileSync(`${modelDir}/bundle.json`, 'utf8');
    const { name, version } = JSON.parse(bundle);
    for (const [id, doc] of stored) {
      if (preScored.has(id)) continue;
      expect(doc.version, id).toBe(2);
      expect(doc.source.anomaly.scored_at, id).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(doc.source.anomaly.model, id).toEqual({ name, version, kind: 'transformer-mlm' });
      if (unreadable.has(id)) {
        expect(doc.source.anomaly_score).toBeUndefined();
        expect(doc.source.anomaly.error).toContain('none of the mapped fields is present');
      } else {
        expect(doc.source.anomaly_score).toBeGreaterThanOrEqual(0);
        expect(doc.source.anomaly_score).toBeLessThanOrEqual(1);
        expect(doc.source.anomaly.fields.length).toBeGreaterThan(0);
        expect(doc.source.anomaly.is_anomaly).toBeTypeOf('boolean');
        // a pending event is an unscored one: scored, and the mark goes with the score
        expect(doc.source.anomaly.pending ?? null, id).toBeNull();
      }
    }
  });

  it('updates only the anomaly fields: every original field is kept as indexed', async () => {
    const stored = await allDocs(url, INDEX);
    docs.forEach((original, i) => {
      const { anomaly_score: _s, anomaly: _a, ...rest } = stored.get(`d${i}`)!.source;
      if (pending.has(`d${i}`)) expect(_a.pending).toBeNull();
      const { anomaly_score: _os, anomaly: _oa, ...expected } = original as Record<string, unknown>;
      expect(rest).toEqual(expected);
    });
  });

  it('leaves already-scored events untouched', async () => {
    const stored = await allDocs(url, INDEX);
    for (const id of preScored) {
      expect(stored.get(id)!.version).toBe(1);
      expect(stored.get(id)!.source.anomaly).toEqual(PRE_SCORED.anomaly);
    }
  });

  it('marks the checkpoint done, and a second run finds nothing to do', async () => {
    const cp = await os(url, 'GET', `/.seqsentry-state/_doc/checkpoint:${JOB}:0`);
    expect(cp.json._source).toMatchObject({ type: 'checkpoint', job: JOB, index_pattern: INDEX, slice_id: 0, slice_max: 1, status: 'done', scored: first.scored });
    expect(JSON.parse(cp.json._source.search_after)).toHaveLength(3);
    const again = await enrich(url, modelDir);
    expect(again).toMatchObject({ scored: 0, unreadable: 0, failed: 0, read: 0 });
    const stored = await allDocs(url, INDEX);
    for (const [id, doc] of stored) expect(doc.version, id).toBe(preScored.has(id) ? 1 : 2);
  });
});
