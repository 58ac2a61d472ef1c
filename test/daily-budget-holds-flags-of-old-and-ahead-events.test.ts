// Review 2026-12-07 (on-call): events older than the budget's window, or stamped over an hour past the clock, were
// judged without being counted, and so were their flags: a shipper catching up on a backlog flagged 731 of 5,000 at
// R = 0.05 on top of the day's quota. And a stream stamped wholly past the clock (a slow clock, local times read as
// UTC) was flagged not at all: 0 of 15,064 over the threshold. Now such flags count against the window's quota, and
// when most events are ahead of the clock the clock is taken to be what is off.
import { describe, expect, it } from 'vitest';
import { DailyBudget } from '../src/scorer/daily-budget.js';
import { ecsDocs, outOfHabitLogon, type EcsDoc } from './support/ecs-fixture.js';
import { call, startTestSidecar } from './support/sidecar-fixture.js';

describe('daily budget and events outside its window', () => {
  it('counts the flags of events older than the window against its quota', () => {
    const budget = new DailyBudget(0.1);
    const t = 1_700_000_000;
    for (let i = 0; i < 100; i++) budget.admit(t + i, 0.1, false);
    let flagged = 0;
    for (let i = 0; i < 50; i++) if (budget.admit(t - 48 * 3600 + i, 50, true)) flagged += 1;
    expect(budget.window()).toEqual({ events: 100, flagged });
    expect(flagged).toBeGreaterThan(0);
    expect(flagged).toBeLessThanOrEqual(10);
    // a judge-only event (a route whose events are not stored) spends nothing
    expect(budget.admit(t - 48 * 3600, 50, true, true, true)).toBe(false);
    expect(budget.window().flagged).toBe(flagged);
  });

  it('takes back such a flag with its receipt', () => {
    const budget = new DailyBudget(0.5);
    const t = 1_700_000_000;
    for (let i = 0; i < 10; i++) budget.admit(t + i, 0.1, false);
    const receipt = budget.admitted(t - 48 * 3600, 50, true);
    expect(receipt).toMatchObject({ counted: false, flagged: true });
    expect(budget.window().flagged).toBe(1);
    budget.retract(receipt);
    expect(budget.window().flagged).toBe(0);
  });

  it('flags a stream stamped two hours past the clock, within the quota', async () => {
    const RATE = 0.05;
    const start = Date.now() + 2 * 3_600_000;
    const docs: EcsDoc[] = [...ecsDocs({ users: 20, days: 1, perDay: 60, seed: 9, startMs: start - 7 * 3_600_000 }).filter((d) => Date.parse(String(d['@timestamp'])) > Date.now() + 1.5 * 3_600_000), ...Array.from({ length: 20 }, (_, u) => outOfHabitLogon(u, start - 3 * 3_600_000))];
    expect(docs.length).toBeGreaterThan(900);
    const sidecar = await startTestSidecar({ 'budget.rate': RATE, 'budget.counted_routes': ['score'] });
    try {
      const res = await call(sidecar.url, 'POST', '/v1/score', { body: { scope: 'logs', events: docs } });
      expect(res.status, res.text).toBe(200);
      const results = res.json.results as { anomaly_score: number; anomaly: { is_anomaly: boolean; threshold: number } }[];
      const over = results.filter((r) => r.anomaly_score >= r.anomaly.threshold).length;
      const flagged = results.filter((r) => r.anomaly.is_anomaly).length;
      expect(over).toBeGreaterThan(Math.ceil(RATE * docs.length));
      expect(flagged).toBeGreaterThan(0);
      expect(flagged).toBeLessThanOrEqual(Math.ceil(RATE * docs.length));
    } finally {
      await sidecar.shutdown();
    }
  });
});
