// The daily budget holds fixed-size counts, whatever the traffic: a month of events leaves at most one day's worth in
// its window, and its arrays never grow.
import { describe, expect, it } from 'vitest';
import { BUDGET_BINS, BUDGET_SLOTS, DailyBudget, rarityBin } from '../src/scorer/daily-budget.js';

describe('daily budget memory', () => {
  it('keeps 24 slots of 2,048 bins: a month of events leaves at most the last 24 hours counted', () => {
    const budget = new DailyBudget(0.001);
    const perHour = 500;
    for (let h = 0; h < 30 * 24; h++) {
      for (let i = 0; i < perHour; i++) budget.admit(h * 3600 + i, (i % 97) * 0.3, true);
      expect(budget.window().events).toBeLessThanOrEqual(BUDGET_SLOTS * perHour);
    }
    expect(budget.window().events).toBe(BUDGET_SLOTS * perHour);
    expect(budget.window().flagged).toBeLessThanOrEqual(Math.ceil(0.001 * BUDGET_SLOTS * perHour));
    const arrays = Object.values(budget).filter((v) => ArrayBuffer.isView(v)) as unknown as { byteLength: number }[];
    expect(arrays.reduce((s, a) => s + a.byteLength, 0)).toBeLessThanOrEqual(BUDGET_SLOTS * BUDGET_BINS * 4 + (BUDGET_BINS + 1) * 8 + 3 * BUDGET_SLOTS * 8);
  });

  it('bins every key, however large, NaN included, within the 2,048 bins and in rarity order', () => {
    expect(rarityBin(0)).toBe(0);
    expect(rarityBin(-1)).toBe(0);
    expect(rarityBin(Number.POSITIVE_INFINITY)).toBe(BUDGET_BINS - 1);
    expect(rarityBin(Number.NaN)).toBe(BUDGET_BINS - 1);
    expect(rarityBin(1e9)).toBe(BUDGET_BINS - 1);
    // anomaly_score 0.999 and 0.9995 (6.9 and 7.6 nats) fall in different bins
    expect(rarityBin(-Math.log(0.0005))).toBeGreaterThan(rarityBin(-Math.log(0.001)));
  });
});
