// One event stamped days ahead of the clock (a wrong clock, a bad parse) must not move a live budget's window past
// every real event: it is scored and judged, but not counted, so the day after it flags what it would have without it,
// and a restarted sidecar's refill does not end its window there either (budget-loader, tested with OpenSearch).
import { describe, expect, it } from 'vitest';
import { DailyBudget } from '../src/scorer/daily-budget.js';
import { ecsDocs, FIXTURE_START_MS, outOfHabitLogon, type EcsDoc } from './support/ecs-fixture.js';
import { call, startTestSidecar } from './support/sidecar-fixture.js';

const DAY = 86_400_000;
const day = FIXTURE_START_MS + 7 * DAY;
// 20 users' habitual logons and each one's out-of-habit logon within a day: more pass the threshold than R allows.
const docs: EcsDoc[] = [...ecsDocs({ users: 20, days: 1, perDay: 6, seed: 5, startMs: day }), ...Array.from({ length: 20 }, (_, u) => outOfHabitLogon(u, day))];
docs.sort((a, b) => String(a['@timestamp']).localeCompare(String(b['@timestamp'])));

/** Each doc's is_anomaly through /v1/score, one request per doc, after `first` (if any). */
async function flags(first: EcsDoc | null): Promise<{ flags: boolean[]; ahead: { anomaly_score: number } | null }> {
  // /v1/score's events counted, as the proxy's are by default, so that this fast test needs no OpenSearch
  const sidecar = await startTestSidecar({ 'budget.rate': 0.05, 'budget.counted_routes': ['score'] });
  try {
    const ahead = first ? (await call(sidecar.url, 'POST', '/v1/score', { body: { scope: 'logs', events: [first] } })).json.results[0] : null;
    const out: boolean[] = [];
    for (const d of docs) out.push((await call(sidecar.url, 'POST', '/v1/score', { body: { scope: 'logs', events: [d] } })).json.results[0].anomaly.is_anomaly);
    return { flags: out, ahead };
  } finally {
    await sidecar.shutdown();
  }
}

describe('daily budget and event times ahead of the clock', () => {
  it('scores an event stamped two days ahead but leaves the window to the real events', async () => {
    // Another user's, so that only the budget could carry its effect to the day's events (not their histories).
    const future = { ...docs[0]!, user: { name: 'user99', domain: 'CORP' }, '@timestamp': new Date(Date.now() + 2 * DAY).toISOString() };
    const clean = await flags(null);
    const after = await flags(future);
    expect(after.ahead?.anomaly_score).toBeTypeOf('number');
    expect(clean.flags.filter(Boolean).length, 'the day flags some').toBeGreaterThan(0);
    expect(after.flags).toEqual(clean.flags);
  });

  it('judges an uncountable event against the window without counting it or moving it (its flag counts)', () => {
    const budget = new DailyBudget(0.5);
    const t = 1_700_000_000;
    budget.admit(t, 1, false);
    const ahead = budget.admitted(t + 48 * 3600, 9, true, false);
    expect(ahead.counted).toBe(false);
    expect(budget.window()).toEqual({ events: 1, flagged: ahead.flagged ? 1 : 0 });
    // the window still ends at t: an event an hour later is counted with the first
    budget.admit(t + 3600, 1, false);
    expect(budget.window()).toEqual({ events: 2, flagged: ahead.flagged ? 1 : 0 });
  });
});
