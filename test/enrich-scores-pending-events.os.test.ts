// An event the proxy forwarded with anomaly.pending (a transient failure) is an unscored event to enrich: it gets
// its score, and the pending mark goes with it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ecsDocs, FIXTURE_START_MS } from './support/ecs-fixture.js';
import { allDocs, dropCheckpoints, loadIndex, os, runEnrich } from './support/enrich-fixture.js';
import { ecsModel } from './support/model-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';

const INDEX = `seqsentry-enrich-pending-${process.pid}`;
const JOB = `test-pending-${process.pid}`;
const PENDING = { anomaly: { model: { name: 'm', version: '1', kind: 'transformer-mlm' }, scored_at: '2026-01-20T00:00:00.000Z', pending: 'history refill failed: all shards failed' } };

describe('enrich and pending events', () => {
  let url = '';
  const docs = ecsDocs({ seed: 5, users: 6, days: 2, startMs: FIXTURE_START_MS + 21 * 86_400_000 });
  const pending = [3, 40, 100];

  beforeAll(async () => {
    url = inject('opensearchUrl');
    if (!url) return;
    for (const i of pending) Object.assign(docs[i]!, structuredClone(PENDING));
    await loadIndex(url, INDEX, docs);
    await dropCheckpoints(url, JOB);
  }, 120_000);

  afterAll(async () => {
    if (!url) return;
    await os(url, 'DELETE', `/${INDEX}`);
    await dropCheckpoints(url, JOB);
  });

  beforeEach((ctx) => {
    url = requireOpenSearch(ctx);
  });

  it('scores them like any unscored event and clears the mark', async () => {
    const stats = await runEnrich(url, await ecsModel(), { pattern: INDEX, job: JOB, pageSize: 50, batchSize: 64 });
    expect(stats.scored).toBe(docs.length);
    const stored = await allDocs(url, INDEX);
    for (const i of pending) {
      const d = stored.get(`d${i}`)!.source;
      expect(d.anomaly_score).toEqual(expect.any(Number));
      expect(d.anomaly.pending ?? null).toBeNull();
      expect(d.anomaly.error).toBeUndefined();
    }
    const marked = await os(url, 'POST', `/${INDEX}/_count`, { query: { exists: { field: 'anomaly.pending' } } });
    expect(marked.json.count).toBe(0);
  }, 600_000);
});
