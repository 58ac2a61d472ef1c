// Review 2026-12-07: ten shippers' 28 MB bulks at once took the sidecar from 192 MB to 2.9 GB (each body within
// max_body_bytes, nothing bounding them together). limits.inflight_body_bytes bounds the bodies held at once: one
// that would pass it is answered 429 with Retry-After while the others are held, and taken once they are done.
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { habitualLogon } from './support/ecs-fixture.js';
import { call, startTestSidecar, TOKEN } from './support/sidecar-fixture.js';

describe('request bodies held at once', () => {
  it('answers 429 to a body that would pass limits.inflight_body_bytes while another is held, and takes it after', async () => {
    const sidecar = await startTestSidecar({ 'limits.inflight_body_bytes': 1_000_000 });
    try {
      const events = Array.from({ length: 2_000 }, (_, i) => habitualLogon(i % 20));
      const body = Buffer.from(JSON.stringify({ scope: 'logs', events }));
      expect(body.length).toBeGreaterThan(600_000);
      expect(body.length).toBeLessThan(1_000_000);
      // the first request sends its headers and half its body, then stalls
      const { port } = new URL(sidecar.url);
      const stalled = request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/score', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'content-length': body.length } });
      const answered = new Promise<number>((resolve, reject) => {
        stalled.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        stalled.on('error', reject);
      });
      stalled.write(body.subarray(0, body.length >> 1));
      await new Promise((r) => setTimeout(r, 300));
      const second = await call(sidecar.url, 'POST', '/v1/score', { body: body.toString() });
      expect(second.status).toBe(429);
      expect(second.headers.get('retry-after')).toBe('1');
      expect(second.text).toContain('limits.inflight_body_bytes');
      // a small request fits beside it
      expect((await call(sidecar.url, 'POST', '/v1/score', { body: { scope: 'logs', events: events.slice(0, 5) } })).status).toBe(200);
      stalled.end(body.subarray(body.length >> 1));
      expect(await answered).toBe(200);
      expect((await call(sidecar.url, 'POST', '/v1/score', { body: body.toString() })).status).toBe(200);
    } finally {
      await sidecar.shutdown();
    }
  }, 60_000);
});
