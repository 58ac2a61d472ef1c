// The sidecar's online routes (/v1/score, /v1/ml/score), as an attacker with a scoring token met them in review
// (2026-12-07): a record of millions of keys stalled every request and the health probes for over a minute; a client
// that stalled mid-body added the reordering window to every other request for minutes; a history scope could name a
// hidden index (reading whether it holds a user's events); a port in use ended serve with a stack trace. Now: records
// bounded in keys (limits.record_keys), the ML route's body in bytes (limits.ml_body_bytes); a request's body is read
// before it counts as a sender; scopes pass the proxy's index policy; a listen failure is a config error.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServeConfig } from '../src/config/load-serve-config.js';
import { startSidecar, type Sidecar } from '../src/server/sidecar.js';
import { eventsOf, SAMPLES, trainCharfreqOn } from './support/charfreq-fixture.js';
import { hasSharedData } from './support/env.js';
import { call, TOKEN } from './support/sidecar-fixture.js';

describe.runIf(hasSharedData())('the online routes\' bounds', () => {
  let sidecar: Sidecar;
  let modelDir = '';
  let lines: string[];
  const config = (extra: Record<string, unknown> = {}) => loadServeConfig({
    env: { SEQSENTRY_TOKEN: TOKEN },
    overrides: {
      model_dir: modelDir, 'listen.port': 0, 'opensearch.url': 'http://127.0.0.1:9', 'history.refill': false, 'history.default_scope': 'logs-auth',
      'history.reorder_window_ms': 2000, 'bulk.index_patterns': ['logs-*'], 'limits.record_keys': 1000, 'limits.ml_body_bytes': 64 * 1024, ...extra,
    },
  });

  beforeAll(async () => {
    const split = await trainCharfreqOn(SAMPLES.ubuntu);
    modelDir = split.modelDir;
    lines = eventsOf(split.rest).slice(0, 5).map((e) => e.line);
    sidecar = await startSidecar(config());
  }, 120_000);
  afterAll(() => sidecar?.shutdown());

  const wide = (keys: number) => Object.fromEntries(Array.from({ length: keys }, (_, i) => [`k${i}`, i]));

  it('refuses a record with more keys than limits.record_keys, on both routes', async () => {
    const score = await call(sidecar.url, 'POST', '/v1/score', { body: { events: [{ message: lines[0] }, { message: lines[1], extra: wide(1200) }] } });
    expect(score.status, score.text).toBe(400);
    expect(score.text).toContain('[1]: more than 1000 keys and array elements (limits.record_keys)');
    const nested = await call(sidecar.url, 'POST', '/v1/ml/score', { body: { index: 'logs-auth', doc: { message: lines[0], a: { b: [wide(600), wide(600)] } } } });
    expect(nested.status, nested.text).toBe(400);
    expect(nested.text).toContain('limits.record_keys');
    // Within the limit: scored.
    const ok = await call(sidecar.url, 'POST', '/v1/ml/score', { body: { index: 'logs-auth', doc: lines[0] } });
    expect(ok.status, ok.text).toBe(200);
  });

  it('reads at most limits.ml_body_bytes on the ML route', async () => {
    const res = await call(sidecar.url, 'POST', '/v1/ml/score', { body: { index: 'logs-auth', doc: 'x'.repeat(70 * 1024) } });
    expect(res.status).toBe(413);
    expect(res.text).toContain('(limits.ml_body_bytes)');
  });

  it('reads history only where a shipper may write: no hidden index, pattern or other cluster', async () => {
    for (const scope of ['.seqsentry-state', '.secret*', 'logs-*', '<.seqsentry-state>', 'remote:logs-auth', 'other-index']) {
      const res = await call(sidecar.url, 'POST', '/v1/score', { body: { scope, records: [lines[0]] } });
      expect(res.status, scope).toBe(403);
      expect(res.json.error.type).toBe('security_exception');
    }
    expect((await call(sidecar.url, 'POST', '/v1/ml/score', { body: { index: '.secret', doc: lines[0] } })).status).toBe(403);
    // The configured default scope and an allowed index pass.
    expect((await call(sidecar.url, 'POST', '/v1/score', { body: { scope: 'logs-auth-2026', records: [lines[0]] } })).status).toBe(200);
    expect((await call(sidecar.url, 'POST', '/v1/score', { body: { records: [lines[0]] } })).status).toBe(200);
  });

  it('does not hold other requests for a client stalled mid-body', async () => {
    const { port } = new URL(sidecar.url);
    const stalled = connect(Number(port), '127.0.0.1');
    await new Promise<void>((r) => stalled.once('connect', () => r()));
    stalled.write(`POST /v1/score HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"records":`);
    try {
      await new Promise((r) => setTimeout(r, 200));
      const started = performance.now();
      const res = await call(sidecar.url, 'POST', '/v1/score', { body: { records: [lines[2]] } });
      expect(res.status, res.text).toBe(200);
      // Before, it waited out the 2 s reordering window for the stalled "sender".
      expect(performance.now() - started).toBeLessThan(1500);
    } finally {
      stalled.destroy();
    }
  });

  it('names a bad adapter option by its config key', async () => {
    await expect(startSidecar(config({ 'adapter.options': { fieldz: {} } }))).rejects.toThrow(/^config adapter\.options\.fieldz: /);
  });

  it('says a port in use is a config error', async () => {
    const { port } = new URL(sidecar.url);
    await expect(startSidecar(config({ 'listen.port': Number(port) }))).rejects.toThrow(/^config listen: cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE/);
  });
});
