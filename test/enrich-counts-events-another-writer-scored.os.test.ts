// An event another writer scores between enrich's read and its write (a killed run's last bulk that OpenSearch
// applies after the restart read the page, a second job, the proxy) is not written twice and still counts in the
// job's checkpoint: the checkpoint tells every event of the walk that now has a score, once.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { EnrichStats } from '../src/enrich/enricher.js';
import type { ScoringService } from '../src/service/scoring-service.js';
import { ecsDocs, FIXTURE_START_MS } from './support/ecs-fixture.js';
import { allDocs, dropCheckpoints, loadIndex, os, runEnrich } from './support/enrich-fixture.js';
import { ecsModel } from './support/model-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';

const INDEX = `seqsentry-enrich-other-writer-${process.pid}`;
const JOB = `test-other-writer-${process.pid}`;
const DAY = 86_400_000;
const OTHER = { anomaly_score: 0.5, anomaly: { model: { name: 'other', version: '1', kind: 'transformer-mlm' }, scored_at: '2026-01-20T00:00:00.000Z', is_anomaly: false } };

describe('enrich counts events another writer scored first', () => {
  let url = '';
  const docs = ecsDocs({ seed: 5, days: 3, startMs: FIXTURE_START_MS + 20 * DAY });
  const byOther: string[] = [];
  let stats: EnrichStats;

  beforeAll(async () => {
    url = inject('opensearchUrl');
    if (!url) return;
    const modelDir = await ecsModel();
    await loadIndex(url, INDEX, docs);
    await dropCheckpoints(url, JOB);
    let calls = 0;
    // The service as enrich sees it, except that while the second page is being scored another writer scores it.
    const racing = (service: ScoringService) => new Proxy(service, {
      get(target, key, receiver) {
        if (key !== 'score') return Reflect.get(target, key, receiver);
        return async (requests: Parameters<ScoringService['score']>[0]) => {
          calls += 1;
          if (calls === 2) {
            const ids = requests.map((r) => r.source.file.split('/')[1]!);
            byOther.push(...ids);
            const lines = ids.flatMap((id) => [JSON.stringify({ update: { _index: INDEX, _id: id } }), JSON.stringify({ doc: OTHER })]);
            const res = await os(url, 'POST', '/_bulk?refresh=true', lines.join('\n') + '\n');
            if (res.json?.errors !== false) throw new Error(`the other writer's bulk failed: ${JSON.stringify(res.json)}`);
          }
          return target.score(requests);
        };
      },
    });
    stats = await runEnrich(url, modelDir, { pattern: INDEX, job: JOB, pageSize: 100, batchSize: 100 }, racing);
  }, 600_000);

  afterAll(async () => {
    if (!url) return;
    await os(url, 'DELETE', `/${INDEX}`);
    await dropCheckpoints(url, JOB);
  });

  beforeEach((ctx) => {
    url = requireOpenSearch(ctx);
  });

  it('leaves the other writer its events and scores the rest once', async () => {
    expect(byOther.length).toBeGreaterThan(0);
    expect(stats).toMatchObject({ scored: docs.length - byOther.length, alreadyScored: byOther.length, failed: 0 });
    const stored = await allDocs(url, INDEX);
    const other = new Set(byOther);
    for (const [id, doc] of stored) {
      expect(doc.version, id).toBe(2);
      if (other.has(id)) expect(doc.source.anomaly.model.name, id).toBe('other');
      else expect(doc.source.anomaly.model.name, id).not.toBe('other');
    }
  });

  it('counts every event of the walk in the checkpoint once', async () => {
    const cp = await os(url, 'GET', `/.seqsentry-state/_doc/checkpoint:${JOB}:0`);
    expect(cp.json._source).toMatchObject({ status: 'done', scored: docs.length });
  });
});
