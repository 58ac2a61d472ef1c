// Review 2026-12-07: one token set both shipped and scored, so a client meant only to score (an authentication
// server asking /v1/risk, the ML Commons connector) could also write events through the proxy. auth.score_tokens
// (SEQSENTRY_SCORE_TOKEN) are accepted on the scoring routes that write nothing, refused on the proxy and the rest.
import { describe, expect, it } from 'vitest';
import { habitualLogon } from './support/ecs-fixture.js';
import { call, ndjson, startTestSidecar } from './support/sidecar-fixture.js';

const SCORE = 'a-score-only-token-0123';

describe('score-only tokens', () => {
  it('score through /v1/score and /v1/ml/score, and are refused by the proxy, /metrics and the admin routes', async () => {
    const sidecar = await startTestSidecar({}, { SEQSENTRY_SCORE_TOKEN: SCORE });
    try {
      expect((await call(sidecar.url, 'POST', '/v1/score', { token: SCORE, body: habitualLogon(1) })).status).toBe(200);
      expect((await call(sidecar.url, 'POST', '/v1/ml/score', { token: SCORE, body: { index: 'logs', doc: habitualLogon(2) } })).status).toBe(200);
      const ship = await call(sidecar.url, 'POST', '/logs/_bulk', { token: SCORE, body: ndjson({ index: {} }, habitualLogon(3)) });
      expect(ship.status).toBe(403);
      expect(ship.text).toContain('a score-only token may call /v1/score, /v1/risk and /v1/ml/score only');
      expect((await call(sidecar.url, 'GET', '/metrics', { token: SCORE })).status).toBe(403);
      expect((await call(sidecar.url, 'POST', '/v1/admin/reload', { token: SCORE })).status).toBe(403);
      // the shipping token still ships (the stand-in OpenSearch is unreachable: past the token check, 502)
      expect((await call(sidecar.url, 'POST', '/logs/_bulk', { body: ndjson({ index: {} }, habitualLogon(3)) })).status).toBe(502);
    } finally {
      await sidecar.shutdown();
    }
  });
});
