// The daily alert budget (src/scorer/daily-budget.ts): on a day where every event passes the bundle's threshold (a day
// unlike training), at most ceil(R × the day's events) are flagged, the flags grow with R, and they are the top
// scores of the day, not the first ones.
import { describe, expect, it } from 'vitest';
import { DailyBudget } from '../src/scorer/daily-budget.js';
import { Rng } from '../src/sim/prng.js';

/** A day of `n` events, evenly spread over 24 h, rarity keys drawn from a seeded exponential (nats). */
function day(n: number, seed: number): { time: number; rarity: number }[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => ({ time: (i * 86_400) / n, rarity: 7 + rng.exponential(1 / 3) }));
}

describe('daily budget', () => {
  const events = day(20_000, 1);
  const flagsAt = (rate: number) => {
    const budget = new DailyBudget(rate);
    return events.map((e) => budget.admit(e.time, e.rarity, true));
  };

  it('flags at most ceil(R × n) of a day where every event is over the threshold, and more with a larger R', () => {
    let before = 0;
    for (const rate of [0.001, 0.003, 0.01, 0.02, 0.05]) {
      const flagged = flagsAt(rate).filter(Boolean).length;
      expect(flagged).toBeLessThanOrEqual(Math.ceil(rate * events.length));
      // the quantile rule on a steady stream lets through close to R of it, not a handful
      expect(flagged).toBeGreaterThanOrEqual(0.5 * rate * events.length);
      expect(flagged).toBeGreaterThan(before);
      before = flagged;
    }
  });

  it('flags the rarest events of the day: once the window holds 1/R events, each flag is in the day\'s top 5 %', () => {
    const flags = flagsAt(0.01);
    const sorted = events.map((e) => e.rarity).sort((a, b) => a - b);
    const p95 = sorted[Math.floor(sorted.length * 0.95)] as number;
    const flagged = events.filter((_, i) => flags[i] && i >= 100);
    expect(flagged.length).toBeGreaterThan(100);
    for (const e of flagged) expect(e.rarity).toBeGreaterThan(p95);
  });

  it('flags nothing that is not a candidate (under the threshold), and still counts it into the day', () => {
    const budget = new DailyBudget(0.01);
    for (const e of events) expect(budget.admit(e.time, e.rarity, false)).toBe(false);
    expect(budget.window()).toEqual({ events: events.length, flagged: 0 });
  });

  it('gives the same flags for the same events in the same order', () => {
    expect(flagsAt(0.003)).toEqual(flagsAt(0.003));
  });
});
