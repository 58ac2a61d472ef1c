// The ECS benches' logons (bench/lib/ecs-bench.mjs) are ordinary traffic by default: at the times of day their model
// was trained on, in the past; --unusual-hours keeps the old stretch from hours before now. Issue 11's floors are
// about the default, so a bench measuring hours its model never saw measures the worst case instead.
import { describe, expect, it } from 'vitest';
import { benchTimes, ecsLogons, LOGON_STEP_MS, TRAIN_EVENTS } from '../bench/lib/ecs-bench.mjs';

const DAY_MS = 86_400_000;
const timesOf = (n: number, options: Parameters<typeof benchTimes>[1]) => {
  const at = benchTimes(n, options);
  return Array.from({ length: n }, (_, i) => at(i));
};

describe('bench logons', () => {
  it('come by default within the stretch of the day the model was trained on, one stretch a day, ending yesterday', () => {
    const n = 2 * TRAIN_EVENTS + 5_000; // three days' stretches
    const times = timesOf(n, {});
    const todayMidnight = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    const span = TRAIN_EVENTS * LOGON_STEP_MS; // the training logons' 83 minutes from 00:00 UTC
    for (const t of times) expect(t % DAY_MS).toBeLessThan(span);
    expect(new Set(times.map((t) => Math.floor(t / DAY_MS))).size).toBe(3);
    expect(Math.floor(times.at(-1)! / DAY_MS) * DAY_MS).toBe(todayMidnight - DAY_MS);
    for (let i = 1; i < n; i++) expect(times[i]).toBeGreaterThan(times[i - 1]);
    expect(times[1] - times[0]).toBe(LOGON_STEP_MS);
  });

  it('leave whole days free for earlier events with daysBack', () => {
    const yesterday = Math.floor(Date.now() / DAY_MS) * DAY_MS - DAY_MS;
    const earlier = timesOf(5_000, { daysBack: 2 });
    expect(earlier.at(-1)!).toBeLessThan(yesterday);
    expect(Math.min(...timesOf(20_000, {}))).toBe(yesterday);
  });

  it('start hoursAgo before now, 250 ms apart, with unusualHours', () => {
    const before = Date.now();
    const times = timesOf(10, { unusualHours: true, hoursAgo: 10 });
    expect(times[0]).toBeGreaterThanOrEqual(before - 10 * 3600_000);
    expect(times[0]).toBeLessThanOrEqual(Date.now() - 10 * 3600_000);
    expect(times[9] - times[0]).toBe(9 * LOGON_STEP_MS);
  });

  it('take their @timestamp from the times given, or 250 ms apart from a start', () => {
    const at = benchTimes(3, {});
    expect([...ecsLogons(3, 42, at)].map((d) => d['@timestamp'])).toEqual([0, 1, 2].map((i) => new Date(at(i)).toISOString()));
    expect([...ecsLogons(2, 42, Date.UTC(2026, 0, 5))].map((d) => d['@timestamp'])).toEqual(['2026-01-05T00:00:00.000Z', '2026-01-05T00:00:00.250Z']);
  });
});
