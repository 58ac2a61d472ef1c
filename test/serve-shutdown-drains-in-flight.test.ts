// Shutdown stops accepting, lets in-flight bulk requests finish their forward, then releases everything.
import { describe, expect, it } from 'vitest';
import { habitualLogon } from './support/ecs-fixture.js';
import { call, ndjson, startTestSidecar, startUpstream } from './support/sidecar-fixture.js';

describe('graceful shutdown', () => {
  it('finishes an in-flight bulk request and refuses new connections', async () => {
    let release: () => void = () => {};
    const upstreamAnswered = new Promise<void>((r) => (release = r));
    const upstream = await startUpstream(async (_req, res) => {
      await new Promise((r) => setTimeout(r, 400));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"took":400,"errors":false,"items":[]}');
      release();
    });
    const sidecar = await startTestSidecar({ 'opensearch.url': upstream.url, 'batching.max_delay_ms': 50 });
    try {
      const inFlight = call(sidecar.url, 'POST', '/logs/_bulk', { body: ndjson({ index: {} }, habitualLogon(1)) });
      await new Promise((r) => setTimeout(r, 100)); // the request is being scored or forwarded
      const stopped = sidecar.shutdown();
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(res.json.took).toBe(400);
      await upstreamAnswered;
      await stopped;
      expect(sidecar.server.listening).toBe(false);
      await expect(fetch(`${sidecar.url}/healthz`)).rejects.toThrow();
    } finally {
      await sidecar.shutdown();
      await upstream.close();
    }
  });
});
