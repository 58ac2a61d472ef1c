// Long or hostile values cost no more than short ones: entity and field values over history.max_value_bytes are
// kept as a short fingerprinted form, and /v1/score refuses a scope over history.max_scope_bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundValue } from '../src/service/bounded-values.js';
import type { Sidecar } from '../src/server/sidecar.js';
import { habitualLogon } from './support/ecs-fixture.js';
import { call, ndjson, startTestSidecar, startUpstream, type Upstream } from './support/sidecar-fixture.js';

let upstream: Upstream;
let sidecar: Sidecar;

beforeAll(async () => {
  upstream = await startUpstream();
  sidecar = await startTestSidecar({ 'opensearch.url': upstream.url });
});
afterAll(async () => {
  await sidecar?.shutdown();
  await upstream?.close();
});

// 20 K characters each, sharing all but the last few: over V8's 16 K hashing cut-off, where such keys collide.
const PREFIX = 'u'.repeat(20_000);
const longUser = (i: number) => `${PREFIX}${String(i).padStart(4, '0')}`;

describe('bounded keys and values', () => {
  it('keeps long shared-prefix user names as short, distinct history keys', async () => {
    const users = 300;
    const docs = Array.from({ length: users }, (_, i) => ({ ...habitualLogon(1), user: { name: longUser(i) } }));
    const res = await call(sidecar.url, 'POST', '/logs/_bulk', { body: ndjson(...docs.flatMap((d) => [{ index: {} }, d])) });
    expect(res.status).toBe(200);
    const history = sidecar.state.models.current!.scorer.history;
    const keys = [...history.keys()].filter((k) => k.startsWith('logs\u0000'));
    expect(keys).toHaveLength(users);
    expect(Math.max(...keys.map((k) => Buffer.byteLength(k)))).toBeLessThanOrEqual(256 + 1 + 1_024);
    expect(new Set(keys).size).toBe(users);
    // Every path maps the same long value to the same key, and the explanation carries the bounded form too.
    expect(keys).toContain(`logs\u0000${boundValue(longUser(7), 1_024)}`);
    const forwarded = upstream.requests[0]!.body.split('\n');
    const explained = JSON.parse(forwarded[1]!).anomaly.fields.map((f: { value: string }) => f.value) as string[];
    expect(Math.max(...explained.map((v) => v.length))).toBeLessThan(400);
  });

  it('gives the documented fingerprinted form: 64 characters, an ellipsis, # and the SHA-256 in base64url', () => {
    const form = boundValue(longUser(1), 1_024);
    expect(form).toMatch(/^u{64}…#[\w-]{43}$/);
    expect(boundValue(longUser(2), 1_024)).not.toBe(form);
    expect(boundValue('short', 1_024)).toBe('short');
    // Within the bound: untouched, whatever its characters.
    expect(boundValue('é'.repeat(512), 1_024)).toBe('é'.repeat(512));
    expect(boundValue('é'.repeat(513), 1_024)).toMatch(/^é{64}…#/);
  });

  it('refuses a /v1/score scope over history.max_scope_bytes, naming the key', async () => {
    const res = await call(sidecar.url, 'POST', '/v1/score', { body: { scope: 's'.repeat(65_536), events: [habitualLogon(1)] } });
    expect(res.status).toBe(400);
    expect(res.json.error.reason).toBe('scope: 65536 bytes, longer than history.max_scope_bytes (256)');
    const ok = await call(sidecar.url, 'POST', '/v1/score', { body: { scope: 's'.repeat(256), events: [habitualLogon(1)] } });
    expect(ok.status).toBe(200);
  });
});
