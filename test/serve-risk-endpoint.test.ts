// POST /v1/risk answers an authentication server's login with a risk score: the login-risk services' own request
// shape gets exactly {"riskScore"}, a weblogin record gets the score with its explanation; bad logins get a 400
// that names the problem, and the route is authorized like /v1/score.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { RISK_LIMITS, RISK_MAX_BODY_BYTES } from '../src/server/routes/risk.js';
import { webloginLstmAeModel } from './support/model-fixture.js';
import { call, startTestSidecar } from './support/sidecar-fixture.js';
import { hasBuild, hasPython } from './support/env.js';
import { ATTACKER, DAY, DESKTOP, OFFICES, PHONE, START } from './support/weblogin-fixture.js';

const ns = (seconds: number): string => `${BigInt(seconds) * 1_000_000_000n}`;
/** The login-risk shape: user agent, time in nanoseconds, user id, client address. */
const seedLogin = (user: string, seconds: number, ip: string, agent: string) => ({ userAgent: agent, timestamp: ns(seconds), userID: user, location: ip });

describe.runIf(hasPython() && hasBuild())('POST /v1/risk', () => {
  let sidecar: Sidecar;
  const risk = (body: unknown, token?: string | null) => call(sidecar.url, 'POST', '/v1/risk', { body, ...(token !== undefined ? { token } : {}) });

  beforeAll(async () => {
    sidecar = await startTestSidecar({ model_dir: await webloginLstmAeModel(), 'batching.max_delay_ms': 5 });
  }, 300_000);
  afterAll(() => sidecar?.shutdown());

  it('answers the login-risk shape with exactly {"riskScore"} in [0, 1], timestamp as digits or as a number', async () => {
    const day = START + 15 * DAY;
    const asText = await risk(seedLogin('user0', day + 8 * 3600, OFFICES[0]!, DESKTOP));
    expect(asText.status, asText.text).toBe(200);
    expect(Object.keys(asText.json)).toEqual(['riskScore']);
    expect(asText.json.riskScore).toBeGreaterThanOrEqual(0);
    expect(asText.json.riskScore).toBeLessThanOrEqual(1);
    const asNumber = await risk({ ...seedLogin('user3', day + 8 * 3600, OFFICES[0]!, DESKTOP), timestamp: (day + 8 * 3600) * 1e9 });
    expect(asNumber.status, asNumber.text).toBe(200);
    expect(Object.keys(asNumber.json)).toEqual(['riskScore']);
  });

  it('gives a takeover a higher risk than the same user\'s usual login', async () => {
    const day = START + 16 * DAY;
    const usual = await risk(seedLogin('user4', day + 9 * 3600, OFFICES[1]!, DESKTOP));
    const takeover = await risk(seedLogin('user4', day + 3 * 3600 + 1800, ATTACKER, PHONE));
    expect(usual.status).toBe(200);
    expect(takeover.status).toBe(200);
    expect(takeover.json.riskScore).toBeGreaterThan(usual.json.riskScore);
  });

  it('scores a weblogin record with the explanation: the fields that reconstructed worst, with their expected values', async () => {
    const res = await risk({ user: { name: 'user10' }, '@timestamp': new Date((START + 17 * DAY + 4 * 3600) * 1000).toISOString(), source: { ip: ATTACKER }, user_agent: { original: PHONE }, event: { outcome: 'failure' }, app: 'portal' });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ riskScore: expect.any(Number), isAnomaly: expect.any(Boolean), threshold: expect.any(Number), model: { kind: 'lstm-ae' } });
    expect(res.json.fields.length).toBeGreaterThan(0);
    expect(['country', 'asn', 'os', 'device', 'browser', 'outcome', 'hour']).toContain(res.json.fields[0].name);
  });

  it('refuses malformed logins with a 400 that names the field', async () => {
    const missing = await risk({ userAgent: DESKTOP, timestamp: ns(START), location: OFFICES[0] });
    expect(missing.status).toBe(400);
    expect(missing.json.error.reason).toMatch(/^userID: /);
    const badTime = await risk({ ...seedLogin('user1', START, OFFICES[0]!, DESKTOP), timestamp: 'yesterday' });
    expect(badTime.status).toBe(400);
    expect(badTime.json.error.reason).toMatch(/^timestamp: /);
    const longId = await risk(seedLogin('u'.repeat(RISK_LIMITS.userID + 1), START, OFFICES[0]!, DESKTOP));
    expect(longId.status).toBe(400);
    expect(longId.json.error.reason).toMatch(/^userID: .*256/);
    const noUser = await risk({ source: { ip: OFFICES[0] }, '@timestamp': '2024-03-20T08:00:00Z', outcome: 'success' });
    expect(noUser.status).toBe(400);
    expect(noUser.json.error.reason).toMatch(/no user id/);
    const notJson = await call(sidecar.url, 'POST', '/v1/risk', { body: '{"userID": ', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(400);
    expect(notJson.json.error.type).toBe('parse_exception');
    const list = await risk([seedLogin('user1', START, OFFICES[0]!, DESKTOP)]);
    expect(list.status).toBe(400);
    expect(list.json.error.reason).toMatch(/one login as a JSON object/);
    const empty = await risk({});
    expect(empty.status).toBe(400);
  });

  it('reads at most its own body limit, and asks for the token like the other scoring routes', async () => {
    const big = await risk({ ...seedLogin('user1', START, OFFICES[0]!, DESKTOP), userAgent: 'x'.repeat(RISK_MAX_BODY_BYTES) });
    expect(big.status).toBe(413);
    expect((await risk(seedLogin('user1', START, OFFICES[0]!, DESKTOP), null)).status).toBe(401);
    expect((await risk(seedLogin('user1', START, OFFICES[0]!, DESKTOP), 'wrong-token')).status).toBe(403);
    const get = await call(sidecar.url, 'GET', '/v1/risk');
    expect(get.status).toBe(405);
  });
});
