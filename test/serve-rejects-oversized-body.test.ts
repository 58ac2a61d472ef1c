// Bodies over max_body_bytes get 413, compressed ones measured after decompression; nothing is forwarded.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { habitualLogon } from './support/ecs-fixture.js';
import { call, ndjson, startTestSidecar, startUpstream, type Upstream } from './support/sidecar-fixture.js';

let upstream: Upstream;
let sidecar: Sidecar;
const LIMIT = 4096;

beforeAll(async () => {
  upstream = await startUpstream();
  sidecar = await startTestSidecar({ 'opensearch.url': upstream.url, max_body_bytes: LIMIT });
});
afterAll(async () => {
  await sidecar?.shutdown();
  await upstream?.close();
});

const big = (n: number) => ndjson(...Array.from({ length: n }, () => [{ index: { _index: 'logs' } }, habitualLogon(1)]).flat());

describe('max_body_bytes', () => {
  it('accepts a body under the limit', async () => {
    expect((await call(sidecar.url, 'POST', '/_bulk', { body: big(2) })).status).toBe(200);
  });

  it('answers 413 with the limit in the reason, for _bulk and /v1/score', async () => {
    upstream.requests.length = 0;
    const res = await call(sidecar.url, 'POST', '/_bulk', { body: big(40) });
    expect(res.status).toBe(413);
    expect(res.json.error.type).toBe('content_too_long_exception');
    expect(res.json.error.reason).toContain(`limit of ${LIMIT} bytes (max_body_bytes)`);
    expect((await call(sidecar.url, 'POST', '/v1/score', { body: { events: Array(60).fill(habitualLogon(1)) } })).status).toBe(413);
    expect(upstream.requests).toHaveLength(0);
  });

  it('measures a gzip body after decompression', async () => {
    const body = gzipSync(big(40));
    expect(body.length).toBeLessThan(LIMIT);
    const res = await call(sidecar.url, 'POST', '/_bulk', { body, headers: { 'content-encoding': 'gzip' } });
    expect(res.status).toBe(413);
    expect(res.json.error.reason).toContain('after decompression');
  });

  it('keeps serving after refusing', async () => {
    expect((await call(sidecar.url, 'GET', '/healthz')).status).toBe(200);
    expect((await call(sidecar.url, 'GET', '/metrics')).text).toMatch(/^seqsentry_errors_total\{kind="too_large"\} 3$/m);
  });
});
