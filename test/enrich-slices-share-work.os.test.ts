// `--slices 2`: two workers (two processes, or both slices in one process) split the events by entity; together
// they score every event exactly once, and each event gets the same score as inline scoring in time order.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import type { EnrichStats } from '../src/enrich/enricher.js';
import { Scorer } from '../src/scorer/scorer.js';
import { ecsDocs, FIXTURE_START_MS } from './support/ecs-fixture.js';
import { allDocs, dropCheckpoints, loadIndex, os, runEnrich } from './support/enrich-fixture.js';
import { ecsModel } from './support/model-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';

const DAY = 86_400_000;
const docs = ecsDocs({ seed: 123, days: 6, startMs: FIXTURE_START_MS + 21 * DAY }); // 2160 events, 30 users

const enrich = (url: string, modelDir: string, index: string, job: string, sliceIds: number[]): Promise<EnrichStats> =>
  runEnrich(url, modelDir, { pattern: index, job, pageSize: 250, batchSize: 128, sliceMax: 2, sliceIds, explainAbove: 0 });

/** The proxy path's view: every event scored in ingest (time) order, history scoped to the index. */
async function inlineRaw(modelDir: string, index: string): Promise<number[]> {
  const scorer = await Scorer.load(modelDir, { maxBatch: 128 });
  try {
    const adapter = createAdapter('ecs');
    const events = docs.map((d, i) => adapter.parse(d, { file: 'inline', line: i + 1 })!);
    return (await scorer.score(events, events.map(() => index))).map((r) => r.raw);
  } finally {
    await scorer.close();
  }
}

describe('enrich slices share the work', () => {
  let url = '';
  let modelDir = '';
  const pid = process.pid;
  const twoProcesses = { index: `seqsentry-enrich-slices-a-${pid}`, job: `test-slices-a-${pid}`, stats: [] as EnrichStats[] };
  const oneProcess = { index: `seqsentry-enrich-slices-b-${pid}`, job: `test-slices-b-${pid}`, stats: [] as EnrichStats[] };

  beforeAll(async () => {
    url = inject('opensearchUrl');
    if (!url) return;
    modelDir = await ecsModel();
    for (const run of [twoProcesses, oneProcess]) {
      await loadIndex(url, run.index, docs);
      await dropCheckpoints(url, run.job);
    }
    // Two workers with their own scorer and history, as two sidecars would run them, at the same time.
    twoProcesses.stats = await Promise.all([0, 1].map((s) => enrich(url, modelDir, twoProcesses.index, twoProcesses.job, [s])));
    oneProcess.stats = [await enrich(url, modelDir, oneProcess.index, oneProcess.job, [0, 1])];
  }, 600_000);

  afterAll(async () => {
    if (!url) return;
    for (const run of [twoProcesses, oneProcess]) {
      await os(url, 'DELETE', `/${run.index}`);
      await dropCheckpoints(url, run.job);
    }
  });

  beforeEach((ctx) => {
    url = requireOpenSearch(ctx);
  });

  it('two workers cover every event between them, none twice', async () => {
    const [a, b] = twoProcesses.stats as [EnrichStats, EnrichStats];
    expect(a.scored).toBeGreaterThan(docs.length / 5);
    expect(b.scored).toBeGreaterThan(docs.length / 5);
    expect(a.scored + b.scored).toBe(docs.length);
    expect(a.alreadyScored + b.alreadyScored + a.failed + b.failed).toBe(0);
    const stored = await allDocs(url, twoProcesses.index);
    expect(stored.size).toBe(docs.length);
    for (const [id, doc] of stored) {
      expect(doc.version, id).toBe(2);
      expect(doc.source.anomaly_score, id).toBeTypeOf('number');
    }
    const cps = await Promise.all([0, 1].map((s) => os(url, 'GET', `/.seqsentry-state/_doc/checkpoint:${twoProcesses.job}:${s}`)));
    expect(cps.map((c) => c.json._source.scored)).toEqual([a.scored, b.scored]);
    expect(cps.map((c) => c.json._source.status)).toEqual(['done', 'done']);
  });

  it('keeps each user within one slice, so scores equal inline scoring in time order', async () => {
    const expected = await inlineRaw(modelDir, twoProcesses.index);
    for (const run of [twoProcesses, oneProcess]) {
      const stored = await allDocs(url, run.index);
      docs.forEach((_, i) => expect(stored.get(`d${i}`)!.source.anomaly.raw, `${run.index} d${i}`).toBeCloseTo(expected[i]!, 4));
    }
  });

  it('runs all slices in one process when no slice id is given', async () => {
    const [s] = oneProcess.stats as [EnrichStats];
    expect(s.scored).toBe(docs.length);
    const stored = await allDocs(url, oneProcess.index);
    for (const [id, doc] of stored) expect(doc.version, id).toBe(2);
  });
});
