// A sidecar that has never seen an entity refills its history from OpenSearch, so it scores the entity's next
// event exactly like a sidecar that saw the whole stream: inline and backfill scoring agree.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { ecsDocs, habitualLogon, outOfHabitLogon } from './support/ecs-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';
import { deleteIndex, uniqueIndex } from './support/os-helpers.js';
import { call, ndjson, startTestSidecar } from './support/sidecar-fixture.js';

const url = inject('opensearchUrl');
const index = uniqueIndex('history');
let warm: Sidecar;
let cold: Sidecar;
let noRefill: Sidecar;

beforeAll(async () => {
  if (!url) return;
  // Every event explained in full: histories are compared by raw score, written only with the full explanation.
  warm = await startTestSidecar({ 'opensearch.url': url, 'history.refill': true, 'explanation.full_above': 0 });
  cold = await startTestSidecar({ 'opensearch.url': url, 'history.refill': true, 'explanation.full_above': 0 });
  noRefill = await startTestSidecar({ 'opensearch.url': url, 'history.refill': false, 'explanation.full_above': 0 });
});
afterAll(async () => {
  await Promise.all([warm?.shutdown(), cold?.shutdown(), noRefill?.shutdown()]);
  await deleteIndex(url, index);
});
beforeEach((ctx) => void requireOpenSearch(ctx));

describe('history refill from OpenSearch', () => {
  it('gives a cold sidecar the same context, hence the same score, as the warm one', async () => {
    const docs = ecsDocs({ users: 6, days: 2, perDay: 5 });
    const res = await call(warm.url, 'POST', `/${index}/_bulk?refresh=true`, { body: ndjson(...docs.flatMap((d) => [{ index: {} }, d])) });
    expect(res.json.errors).toBe(false);

    const next = { scope: index, events: [habitualLogon(2), outOfHabitLogon(4)] };
    const fromWarm = (await call(warm.url, 'POST', '/v1/score', { body: next })).json.results;
    const fromCold = (await call(cold.url, 'POST', '/v1/score', { body: next })).json.results;
    const fromEmpty = (await call(noRefill.url, 'POST', '/v1/score', { body: next })).json.results;
    for (let i = 0; i < 2; i++) {
      expect(fromCold[i].anomaly.raw).toBeCloseTo(fromWarm[i].anomaly.raw, 5);
      expect(fromCold[i].anomaly_score).toBeCloseTo(fromWarm[i].anomaly_score, 6);
    }
    // Without the refill the context is empty and the scores differ: the refill is what makes them agree.
    expect(fromEmpty.some((r: { anomaly: { raw: number } }, i: number) => Math.abs(r.anomaly.raw - fromWarm[i].anomaly.raw) > 1e-4)).toBe(true);
  });
});
