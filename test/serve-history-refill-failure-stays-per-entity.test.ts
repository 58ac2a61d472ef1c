// A failed history search is transient: it is retried per entity, an entity whose refill still fails goes out
// marked anomaly.pending (enrich scores it later; never a permanent anomaly.error), and no other entity's documents
// in the same bulk or in concurrent requests are affected. The upstream here fails on purpose, per entity (each search of its _msearch answers alone).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { habitualLogon } from './support/ecs-fixture.js';
import { call, ndjson, startTestSidecar, startUpstream, type Upstream } from './support/sidecar-fixture.js';

let upstream: Upstream;
let sidecar: Sidecar;
/** Searches for user03 fail twice, then succeed: the retries absorb it. */
let flakyFailures = 0;

const FAILED = '{"error":{"type":"search_phase_execution_exception","reason":"all shards failed"},"status":500}';
const EMPTY = '{"took":1,"timed_out":false,"hits":{"total":{"value":0,"relation":"eq"},"hits":[]}}';

beforeAll(async () => {
  upstream = await startUpstream((req, res) => {
    if (req.url.includes('/_msearch')) {
      // a header line and a query line per search; each search fails or answers on its own, as msearch does
      const queries = req.body.trim().split('\n').filter((_, i) => i % 2 === 1);
      const responses = queries.map((q) => (q.includes('user01') || (q.includes('user03') && flakyFailures++ < 2) ? FAILED : EMPTY));
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(`{"took":1,"responses":[${responses.join(',')}]}`);
    }
    const items = req.body.trim().split('\n').filter((_, i) => i % 2 === 0).map(() => ({ index: { status: 201, result: 'created' } }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ took: 1, errors: false, items }));
  });
  sidecar = await startTestSidecar({ 'opensearch.url': upstream.url, 'history.refill': true });
});
afterAll(async () => {
  await sidecar?.shutdown();
  await upstream?.close();
});

const forwarded = (n: number) => {
  const bulk = upstream.requests.filter((r) => r.url.endsWith('/_bulk')).at(n)!;
  return bulk.body.trim().split('\n').filter((_, i) => i % 2 === 1).map((l) => JSON.parse(l));
};

describe('history refill failures', () => {
  it('marks only the failing entity pending, retried, and scores the others of the same bulk', async () => {
    const res = await call(sidecar.url, 'POST', '/logs/_bulk', { body: ndjson({ index: {} }, habitualLogon(1), { create: {} }, habitualLogon(2), { index: {} }, habitualLogon(3)) });
    expect(res.status).toBe(200);
    const [one, two, three] = forwarded(-1);
    expect(one.anomaly_score).toBeUndefined();
    expect(one.anomaly.error).toBeUndefined();
    expect(one.anomaly.pending).toMatch(/^history refill failed: OpenSearch history search on logs: all shards failed/);
    expect(two.anomaly_score).toEqual(expect.any(Number));
    expect(three.anomaly_score).toEqual(expect.any(Number)); // failed twice, then loaded
    const searches = upstream.requests.filter((r) => r.url.includes('/_msearch') && r.body.includes('user01'));
    expect(searches.length).toBeGreaterThanOrEqual(3);
    const metrics = (await call(sidecar.url, 'GET', '/metrics')).text;
    expect(metrics).toMatch(/^seqsentry_errors_total\{kind="history"\} [1-9]\d*$/m);
  });

  it('answers /v1/score per event: pending for the failing entity, a score for the other', async () => {
    const res = await call(sidecar.url, 'POST', '/v1/score', { body: { scope: 'logs', events: [habitualLogon(1), habitualLogon(4)] } });
    expect(res.status).toBe(200);
    const [a, b] = res.json.results ?? res.json.events ?? res.json;
    expect(a.anomaly.pending).toMatch(/history refill failed/);
    expect(b.anomaly_score).toEqual(expect.any(Number));
  });
});
