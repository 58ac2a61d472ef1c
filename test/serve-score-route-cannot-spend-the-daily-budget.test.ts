// A scoring token's /v1/score and /v1/risk calls are answered with is_anomaly judged against the daily budget's window,
// but by default their events are not counted into it (budget.counted_routes: the proxy and the ML Commons route,
// whose events are stored): made-up events sent to /v1/score cannot spend the day's flags of the indexed ones.
import { describe, expect, it } from 'vitest';
import { ecsDocs, FIXTURE_START_MS, outOfHabitLogon, type EcsDoc } from './support/ecs-fixture.js';
import { call, startTestSidecar } from './support/sidecar-fixture.js';

const DAY = 86_400_000;
const day = FIXTURE_START_MS + 7 * DAY;
const RATE = 0.05;
// The indexed day through the ML Commons route: 20 users' habitual logons, then each one's out-of-habit logon.
const habitual: EcsDoc[] = ecsDocs({ users: 20, days: 1, perDay: 6, seed: 5, startMs: day }).sort((a, b) => String(a['@timestamp']).localeCompare(String(b['@timestamp'])));
const unusual: EcsDoc[] = Array.from({ length: 20 }, (_, u) => outOfHabitLogon(u, day));
const docs = [...habitual, ...unusual];
// Between them, to /v1/score: 40 logons of users nobody has seen, out of every habit, in the same hours (other users
// than the day's, so only the budget could carry their effect to the day's events).
const flood: EcsDoc[] = Array.from({ length: 40 }, (_, u) => ({ ...outOfHabitLogon(u % 20, day), user: { name: `made-up-${u}`, domain: 'CORP' } }));

interface Run {
  /** The budget's window after the flood. */
  afterFlood: { events: number; flagged: number };
  floodFlags: number;
  /** is_anomaly of each of `docs` through the ML route. */
  flags: boolean[];
  window: { events: number; flagged: number };
}

/** `docs` through the ML route, `flood` to /v1/score after the habitual ones (unless `withFlood` is false). */
async function run(settings: Record<string, unknown>, withFlood = true): Promise<Run> {
  const sidecar = await startTestSidecar({ 'budget.rate': RATE, ...settings });
  try {
    const flags: boolean[] = [];
    const ml = async (d: EcsDoc) => {
      const res = await call(sidecar.url, 'POST', '/v1/ml/score', { body: { index: 'logs', doc: d } });
      expect(res.status, res.text).toBe(200);
      flags.push(res.json.anomaly.is_anomaly);
    };
    for (const d of habitual) await ml(d);
    const budget = sidecar.state.models.current!.scorer.budget!;
    let floodFlags = 0;
    if (withFlood) {
      const scored = await call(sidecar.url, 'POST', '/v1/score', { body: { scope: 'logs', events: flood } });
      expect(scored.status, scored.text).toBe(200);
      floodFlags = (scored.json.results as { anomaly: { is_anomaly: boolean } }[]).filter((r) => r.anomaly.is_anomaly).length;
    }
    const afterFlood = budget.window();
    for (const d of unusual) await ml(d);
    return { afterFlood, floodFlags, flags, window: budget.window() };
  } finally {
    await sidecar.shutdown();
  }
}

describe('the daily budget and routes whose events are not stored', () => {
  it('judges /v1/score events against the window without counting them: the indexed events keep their flags', async () => {
    const quiet = await run({});
    const before = quiet.flags.slice(0, habitual.length).filter(Boolean).length;
    expect(quiet.afterFlood).toEqual({ events: habitual.length, flagged: before });
    expect(quiet.floodFlags, 'the flood is judged: its answers flag what the window allows').toBeGreaterThan(0);
    const flagged = quiet.flags.filter(Boolean).length;
    expect(flagged - before, 'the unusual logons are flagged').toBeGreaterThan(0);
    expect(quiet.window).toEqual({ events: docs.length, flagged });
    // the same day without the flood flags the same events
    expect(quiet.flags).toEqual((await run({}, false)).flags);
  });

  it('counts them where budget.counted_routes names the route, and then the flood spends the day\'s flags', async () => {
    const counted = await run({ 'budget.counted_routes': ['bulk', 'ml', 'score'] });
    expect(counted.afterFlood.events).toBe(habitual.length + flood.length);
    const quiet = await run({});
    const unusualFlags = (r: Run) => r.flags.slice(habitual.length).filter(Boolean).length;
    expect(unusualFlags(counted)).toBeLessThan(unusualFlags(quiet));
  });

  it('refuses a route it does not know', async () => {
    await expect(startTestSidecar({ 'budget.counted_routes': ['bulk', 'proxy'] })).rejects.toThrow(/counted_routes/);
  });
});
