// When scoring itself fails (here: the history refill search fails), documents are still forwarded, each with
// anomaly.error naming the scorer failure: the proxy never loses events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { habitualLogon } from './support/ecs-fixture.js';
import { call, ndjson, startTestSidecar, startUpstream, type Upstream } from './support/sidecar-fixture.js';

let upstream: Upstream;
let sidecar: Sidecar;

beforeAll(async () => {
  upstream = await startUpstream((req, res) => {
    if (req.url.includes('/_search')) return void res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"type":"search_phase_execution_exception","reason":"all shards failed"},"status":500}');
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"took":1,"errors":false,"items":[]}');
  });
  sidecar = await startTestSidecar({ 'opensearch.url': upstream.url, 'history.refill': true });
});
afterAll(async () => {
  await sidecar?.shutdown();
  await upstream?.close();
});

describe('bulk proxy on scorer failure', () => {
  it('forwards every document unscored with anomaly.error = the scorer failure', async () => {
    const res = await call(sidecar.url, 'POST', '/logs/_bulk', { body: ndjson({ index: {} }, habitualLogon(1), { create: {} }, habitualLogon(2)) });
    expect(res.status).toBe(200);
    const bulk = upstream.requests.find((r) => r.url.endsWith('/_bulk'))!;
    const docs = bulk.body.trim().split('\n').filter((_, i) => i % 2 === 1).map((l) => JSON.parse(l));
    expect(docs).toHaveLength(2);
    for (const d of docs) {
      expect(d.anomaly_score).toBeUndefined();
      expect(d.anomaly.error).toMatch(/^scorer failure: OpenSearch history search on logs: all shards failed/);
      expect(d.user.name).toMatch(/^user0[12]$/);
    }
    const metrics = (await call(sidecar.url, 'GET', '/metrics')).text;
    expect(metrics).toMatch(/^seqsentry_errors_total\{kind="scorer"\} [1-9]\d*$/m);
  });

  it('answers /v1/score with a 500 naming the failure', async () => {
    const res = await call(sidecar.url, 'POST', '/v1/score', { body: { scope: 'logs', events: [habitualLogon(3)] } });
    expect(res.status).toBe(500);
    expect(res.json.error).toMatchObject({ type: 'scorer_exception', reason: expect.stringContaining('history search on logs') });
  });
});
