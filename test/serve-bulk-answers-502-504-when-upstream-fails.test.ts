// When OpenSearch does not answer, the shipper gets an error status so it retries: 502 refused/reset, 504 timeout;
// with bulk.on_upstream_failure = close, a broken connection instead (for shippers that drop on an HTTP error).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { habitualLogon } from './support/ecs-fixture.js';
import { call, closedPort, ndjson, startTestSidecar, startUpstream, type Upstream } from './support/sidecar-fixture.js';

const body = ndjson({ index: { _index: 'logs' } }, habitualLogon(1));
let hanging: Upstream;
let resetting: Upstream;

beforeAll(async () => {
  hanging = await startUpstream(() => new Promise(() => {})); // takes the request, never answers
  resetting = await startUpstream((_req, res) => void res.socket?.destroy());
});
afterAll(async () => {
  await hanging?.close();
  await resetting?.close();
});

async function bulkVia(opensearchUrl: string, extra: Record<string, unknown> = {}) {
  const sidecar: Sidecar = await startTestSidecar({ 'opensearch.url': opensearchUrl, ...extra });
  try {
    return await call(sidecar.url, 'POST', '/_bulk', { body });
  } finally {
    await sidecar.shutdown();
  }
}

describe('bulk proxy when OpenSearch fails', () => {
  it('answers 502 when the connection is refused', async () => {
    const res = await bulkVia(`http://127.0.0.1:${await closedPort()}`);
    expect(res.status).toBe(502);
    expect(res.json.error.type).toBe('connect_exception');
    expect(res.json.error.reason).toMatch(/^bulk not forwarded, nothing written: .*ECONNREFUSED/);
  });

  it('answers 504 when OpenSearch does not answer in time', async () => {
    const res = await bulkVia(hanging.url, { 'opensearch.request_timeout_ms': 300 });
    expect(res.status).toBe(504);
    expect(res.json.error.type).toBe('timeout_exception');
    // OpenSearch had the request: it may have written it, so the answer must not say it did not.
    expect(res.json.error.reason).not.toMatch(/nothing written/);
    expect(res.json.error.reason).toMatch(/may have written some or all of it; a retry overwrites those documents/);
  });

  it('answers 502 when OpenSearch drops the connection', async () => {
    const res = await bulkVia(resetting.url);
    expect(res.status).toBe(502);
    expect(res.json.error.reason).toMatch(/^bulk forwarded but not answered: OpenSearch may have written/);
  });

  it('closes the connection without an answer when configured to, and counts the failure', async () => {
    const sidecar: Sidecar = await startTestSidecar({ 'opensearch.url': `http://127.0.0.1:${await closedPort()}`, 'bulk.on_upstream_failure': 'close' });
    try {
      await expect(call(sidecar.url, 'POST', '/_bulk', { body })).rejects.toThrow();
      const metrics = await call(sidecar.url, 'GET', '/metrics');
      expect(metrics.text).toMatch(/seqsentry_errors_total\{kind="upstream"\} 1\b/);
      // Other requests on the sidecar are answered as usual.
      expect((await call(sidecar.url, 'GET', '/healthz')).status).toBe(200);
    } finally {
      await sidecar.shutdown();
    }
  });
});
