// A bulk that outgrows OpenSearch's request limit with its anomaly fields is forwarded in parts, in order, each
// within bulk.max_forward_bytes, and the answers are merged in item order; an item that can never fit is refused.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { ecsDocs, FIXTURE_START_MS, habitualLogon } from './support/ecs-fixture.js';
import { call, ndjson, startTestSidecar, startUpstream, type Upstream } from './support/sidecar-fixture.js';

const LIMIT = 4_096;
let upstream: Upstream;
let sidecar: Sidecar;
/** Items answered with this status by _id (default 201). */
let statusOf: (id: string) => number = () => 201;

beforeAll(async () => {
  upstream = await startUpstream((req, res) => {
    const actions = req.body.split('\n').filter((_, i) => i % 2 === 0).filter((l) => l !== '').map((l) => JSON.parse(l).index as { _id: string });
    const items = actions.map((a) => ({ index: { _index: 'logs', _id: a._id, status: statusOf(a._id) } }));
    const body = { took: 5, errors: items.some((i) => i.index.status >= 300), items };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  // bulk.overwrite: an `index` of a shipper's _id goes as sent (without it, as a `create`: bulk-proxy-adds-events-and-replaces-none.os.test.ts)
  sidecar = await startTestSidecar({ 'opensearch.url': upstream.url, 'bulk.max_forward_bytes': LIMIT, 'bulk.overwrite': true });
});
afterAll(async () => {
  await sidecar?.shutdown();
  await upstream?.close();
});
beforeEach(() => {
  upstream.requests.length = 0;
  statusOf = () => 201;
});

const docs = ecsDocs({ users: 4, days: 2, perDay: 5, seed: 9, startMs: FIXTURE_START_MS + 14 * 86_400_000 });

describe('bulk proxy splitting to the cluster limit', () => {
  it('sends parts within the limit, in order, and merges the answers in item order', async () => {
    statusOf = (id) => (id === 'd7' ? 429 : 201);
    const body = ndjson(...docs.flatMap((d, i) => [{ index: { _id: `d${i}` } }, d]));
    const res = await call(sidecar.url, 'POST', '/logs/_bulk', { body });
    expect(res.status).toBe(200);
    expect(upstream.requests.length).toBeGreaterThan(1);
    for (const r of upstream.requests) expect(Buffer.byteLength(r.body)).toBeLessThanOrEqual(LIMIT);
    const sent = upstream.requests.flatMap((r) => r.body.split('\n').filter((_, i) => i % 2 === 0 && _ !== '').map((l) => JSON.parse(l).index._id as string));
    expect(sent).toEqual(docs.map((_, i) => `d${i}`));
    expect(res.json.items.map((it: { index: { _id: string } }) => it.index._id)).toEqual(sent);
    expect(res.json.took).toBe(5 * upstream.requests.length);
    expect(res.json.errors).toBe(true);
    expect(res.json.items[7].index.status).toBe(429);
  });

  it('refuses per item, with 413, an item that can never fit, and forwards its neighbours', async () => {
    const huge = { ...habitualLogon(1), note: 'x'.repeat(LIMIT) };
    // Fits the limit as sent, but not once its anomaly fields are added.
    const tight = { ...habitualLogon(2), note: 'y'.repeat(LIMIT - 200 - JSON.stringify(habitualLogon(2)).length) };
    const body = ndjson({ index: { _id: 'a' } }, habitualLogon(3), { index: { _id: 'huge' } }, huge, { index: { _id: 'tight' } }, tight, { index: { _id: 'b' } }, habitualLogon(4));
    const res = await call(sidecar.url, 'POST', '/logs/_bulk', { body });
    expect(res.status).toBe(200);
    expect(res.json.errors).toBe(true);
    expect(res.json.items.map((it: { index: { status: number } }) => it.index.status)).toEqual([201, 413, 413, 201]);
    expect(res.json.items[1].index.error).toEqual({ type: 'content_too_long_exception', reason: expect.stringMatching(/^_bulk:3: this item alone is larger than .*bulk\.max_forward_bytes = 4096/) });
    expect(res.json.items[2].index.error.reason).toMatch(/^_bulk:5: /);
    const forwarded = upstream.requests.map((r) => r.body).join('');
    expect(forwarded).not.toContain('xxxx');
    expect(forwarded).not.toContain('yyyy');
  });
});
