// POST /v1/admin/reload takes admin tokens only: a shipper's (scoring) token gets 403, no token 401, and an
// admin token opens no scoring route (least privilege both ways).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { habitualLogon } from './support/ecs-fixture.js';
import { call, startTestSidecar, TOKEN } from './support/sidecar-fixture.js';

const ADMIN = 'admin-token-0123456789abcdef';
let sidecar: Sidecar;
let closed: Sidecar;

beforeAll(async () => {
  sidecar = await startTestSidecar({ 'auth.admin_tokens': [ADMIN] });
  closed = await startTestSidecar(); // no admin token configured
});
afterAll(async () => {
  await sidecar?.shutdown();
  await closed?.shutdown();
});

describe('the reload route and its tokens', () => {
  it('refuses the shipper token with 403 and no token with 401, and does not switch', async () => {
    const before = sidecar.state.models.current;
    const shipper = await call(sidecar.url, 'POST', '/v1/admin/reload', { token: TOKEN });
    expect(shipper.status).toBe(403);
    expect(shipper.json.error.reason).toMatch(/not an admin token/);
    const anonymous = await call(sidecar.url, 'POST', '/v1/admin/reload', { token: null });
    expect(anonymous.status).toBe(401);
    expect(sidecar.state.models.current).toBe(before);
  });

  it('refuses the admin token on the scoring routes', async () => {
    const res = await call(sidecar.url, 'POST', '/v1/score', { token: ADMIN, body: habitualLogon(1) });
    expect(res.status).toBe(403);
  });

  it('switches with the admin token', async () => {
    const before = sidecar.state.models.current;
    const res = await call(sidecar.url, 'POST', '/v1/admin/reload', { token: ADMIN });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'switched', from: before!.scorer.modelId, to: before!.scorer.modelId });
    expect(sidecar.state.models.current).not.toBe(before);
  });

  it('is closed to every token when no admin token is configured', async () => {
    const res = await call(closed.url, 'POST', '/v1/admin/reload', { token: TOKEN });
    expect(res.status).toBe(403);
    expect(res.json.error.reason).toMatch(/no admin token is configured/);
  });
});
