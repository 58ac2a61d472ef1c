// Cold start of the lstm-ae kind: a user the sidecar has no history for (a new account, or one whose history was
// evicted) is scored from the population, never refused: a first login that looks like everyone's office login is
// an ordinary risk, one from another country on a phone at 3 a.m. a high one, and the explanation says why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { Scorer } from '../src/scorer/scorer.js';
import { hasBuild, hasPython } from './support/env.js';
import { webloginLstmAeModel } from './support/model-fixture.js';
import { ATTACKER, DAY, DESKTOP, OFFICES, PHONE, START } from './support/weblogin-fixture.js';

const ns = (seconds: number): string => `${BigInt(seconds) * 1_000_000_000n}`;

describe.runIf(hasPython() && hasBuild())('lstm-ae cold start', () => {
  let scorer: Scorer;
  const adapter = createAdapter('weblogin');
  const login = (user: string, seconds: number, ip: string, agent: string): CanonicalEvent =>
    adapter.parse({ userID: user, timestamp: ns(seconds), location: ip, userAgent: agent }, { file: 'cold-start', line: 1 }) as CanonicalEvent;

  beforeAll(async () => {
    scorer = await Scorer.load(await webloginLstmAeModel());
  }, 300_000);
  afterAll(() => scorer?.close());

  it('scores a user without history from the population: an office-like first login is ordinary, a takeover-like one is not', async () => {
    const day = START + 15 * DAY;
    const first = [login('newcomer-1', day + 9 * 3600, OFFICES[0]!, DESKTOP), login('newcomer-2', day + 3 * 3600, ATTACKER, PHONE)];
    for (const e of first) expect(scorer.history.has(scorer.historyKey(e))).toBe(false); // scored with no past at all
    const [ordinary, odd] = await scorer.score(first);
    expect(ordinary!.anomaly_score).toBeGreaterThanOrEqual(0);
    expect(ordinary!.anomaly_score).toBeLessThan(0.99);
    expect(ordinary!.is_anomaly).toBe(false);
    expect(odd!.anomaly_score).toBeGreaterThan(ordinary!.anomaly_score);
    expect(odd!.raw).toBeGreaterThan(ordinary!.raw);
    // The explanation: the login's own features that reconstructed worst, never the (unknown) user id.
    expect(['country', 'asn', 'os', 'device', 'browser', 'hour']).toContain(odd!.fields[0]!.field);
    expect(odd!.fields.find((f) => f.field === 'user')!.surprisal).toBe(0);
  });

  it('once the new user has logged in, its next logins are scored against its own history', async () => {
    const day = START + 16 * DAY;
    const user = 'newcomer-3';
    const habit = Array.from({ length: 6 }, (_, i) => login(user, day + i * DAY + 10 * 3600, OFFICES[2]!, DESKTOP));
    await scorer.score(habit);
    expect(scorer.history.has(scorer.historyKey(habit[0]!))).toBe(true);
    // Scored one at a time, each after the six habitual logins (the history keeps them; forget() takes one back).
    const [usual] = await scorer.score([login(user, day + 6 * DAY + 10 * 3600, OFFICES[2]!, DESKTOP)]);
    scorer.forget([login(user, day + 6 * DAY + 10 * 3600, OFFICES[2]!, DESKTOP)]);
    const [takeover] = await scorer.score([login(user, day + 6 * DAY + 3 * 3600, ATTACKER, PHONE)]);
    expect(takeover!.anomaly_score).toBeGreaterThan(usual!.anomaly_score);
    expect(usual!.is_anomaly).toBe(false);
  });
});
