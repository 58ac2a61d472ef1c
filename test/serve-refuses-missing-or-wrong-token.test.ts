// Every route but the health probes needs a bearer token: 401 without one, 403 with a wrong one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { call, startTestSidecar, TOKEN } from './support/sidecar-fixture.js';

let sidecar: Sidecar;
const event = { '@timestamp': '2026-01-12T10:00:00Z', user: { name: 'user01' }, host: { name: 'fs01' } };

beforeAll(async () => {
  sidecar = await startTestSidecar();
});
afterAll(() => sidecar?.shutdown());

describe('bearer-token auth', () => {
  it('leaves /healthz and /readyz open', async () => {
    expect((await call(sidecar.url, 'GET', '/healthz', { token: null })).status).toBe(200);
    // OpenSearch is a closed port here: readyz answers 503 without a token, but only the token holder hears why.
    const ready = await call(sidecar.url, 'GET', '/readyz', { token: null });
    expect(ready.status).toBe(503);
    expect(ready.json).toEqual({ status: 'not_ready' });
    expect((await call(sidecar.url, 'GET', '/readyz')).json.reasons.join(' ')).toContain('OpenSearch not reachable');
  });

  for (const [method, path, body] of [['POST', '/v1/score', event], ['GET', '/metrics', undefined], ['POST', '/_bulk', '{"index":{}}\n{}\n'], ['POST', '/logs/_bulk', '{"delete":{"_id":"1"}}\n']] as const) {
    it(`answers ${method} ${path} without a token with 401 and a Bearer challenge`, async () => {
      const res = await call(sidecar.url, method, path, { token: null, body });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="seqsentry"');
      expect(res.json.error.type).toBe('security_exception');
    });

    it(`answers ${method} ${path} with a wrong token with 403`, async () => {
      expect((await call(sidecar.url, method, path, { token: `${TOKEN}x`, body })).status).toBe(403);
      expect((await call(sidecar.url, method, path, { token: TOKEN.slice(0, -1), body })).status).toBe(403);
    });
  }

  it('serves the request with the right token', async () => {
    expect((await call(sidecar.url, 'GET', '/metrics')).status).toBe(200);
    expect((await call(sidecar.url, 'POST', '/v1/score', { body: event })).status).toBe(200);
  });

  it('accepts the token as a basic-auth password, for shippers that only speak basic auth', async () => {
    const basic = Buffer.from(`fluent-bit:${TOKEN}`).toString('base64');
    expect((await call(sidecar.url, 'GET', '/metrics', { token: null, headers: { authorization: `Basic ${basic}` } })).status).toBe(200);
    const wrong = Buffer.from('fluent-bit:nope').toString('base64');
    expect((await call(sidecar.url, 'GET', '/metrics', { token: null, headers: { authorization: `Basic ${wrong}` } })).status).toBe(403);
  });

  it('asks for a token before saying a route does not exist', async () => {
    expect((await call(sidecar.url, 'GET', '/_cat/indices', { token: null })).status).toBe(401);
    expect((await call(sidecar.url, 'GET', '/_cat/indices')).status).toBe(404);
  });

  it('counts refusals as auth errors', async () => {
    const metrics = (await call(sidecar.url, 'GET', '/metrics')).text;
    expect(metrics).toMatch(/^seqsentry_errors_total\{kind="auth"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^seqsentry_http_requests_total\{route="\/v1\/score",status="401"\} 1$/m);
  });
});
