// A shipper token adds events; it does not rewrite stored ones. Review 2026-12-07: an `index` naming a stored
// document's _id through the proxy replaced the evidence ("result":"updated"). By default (bulk.overwrite off) such an
// item goes as a `create`: a new _id is written, a stored one is refused with 409 under the shipper's `index`, and the
// document stays as it was; with bulk.overwrite it is replaced, as OpenSearch would.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { ecsDocs, FIXTURE_START_MS } from './support/ecs-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';
import { deleteIndex, os, uniqueIndex } from './support/os-helpers.js';
import { call, ndjson, startTestSidecar } from './support/sidecar-fixture.js';

const url = inject('opensearchUrl');
const index = uniqueIndex('no-overwrite');
let sidecar: Sidecar;
let overwriting: Sidecar;

beforeAll(async () => {
  if (!url) return;
  sidecar = await startTestSidecar({ 'opensearch.url': url });
  overwriting = await startTestSidecar({ 'opensearch.url': url, 'bulk.overwrite': true });
});
afterAll(async () => {
  await sidecar?.shutdown();
  await overwriting?.shutdown();
  await deleteIndex(url, index);
});
beforeEach((ctx) => void requireOpenSearch(ctx));

describe('the proxy and stored events', () => {
  it('writes a new _id, refuses to replace a stored one by default, and replaces it with bulk.overwrite', async () => {
    const [evidence, benign, other] = ecsDocs({ users: 3, days: 1, perDay: 1, seed: 4, startMs: FIXTURE_START_MS + 15 * 86_400_000 });
    expect((await os(url, 'PUT', `/${index}/_doc/evt1?refresh=true`, evidence)).status).toBe(201);
    const res = await call(sidecar.url, 'POST', `/${index}/_bulk?refresh=true`, { body: ndjson({ index: { _id: 'evt1' } }, benign, { index: { _id: 'evt2' } }, other) });
    expect(res.status).toBe(200);
    expect(res.json.errors).toBe(true);
    const [first, second] = res.json.items as { index: { status: number; _id: string; error?: { type: string; reason: string } } }[];
    expect(first?.index).toMatchObject({ status: 409, _id: 'evt1', error: { type: 'version_conflict_engine_exception' } });
    expect(first?.index.error?.reason).toMatch(/lets a shipper add events, not replace stored ones \(bulk\.overwrite\)/);
    expect(second?.index).toMatchObject({ status: 201, _id: 'evt2' });
    // the operator sees it too: an item OpenSearch did not write is counted by status
    const metrics = await call(sidecar.url, 'GET', '/metrics');
    expect(metrics.text).toMatch(/^seqsentry_bulk_items_failed_total\{status="409"\} 1$/m);
    const stored = (await os(url, 'GET', `/${index}/_doc/evt1`)).json;
    expect(stored._version).toBe(1);
    expect(stored._source).toEqual(evidence);
    const replaced = await call(overwriting.url, 'POST', `/${index}/_bulk?refresh=true`, { body: ndjson({ index: { _id: 'evt1' } }, benign) });
    expect(replaced.json.items[0].index).toMatchObject({ status: 200, result: 'updated' });
    expect((await os(url, 'GET', `/${index}/_doc/evt1`)).json._version).toBe(2);
  });
});
