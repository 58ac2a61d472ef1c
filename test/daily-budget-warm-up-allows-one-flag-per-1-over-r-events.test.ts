// The daily budget on a fresh scorer (start-up, restart): its window is empty, so the quantile of a few events says
// little; the count rule holds the flags to ceil(R × events seen so far), so the first events cannot flood.
import { describe, expect, it } from 'vitest';
import { DailyBudget } from '../src/scorer/daily-budget.js';

describe('daily budget warm-up', () => {
  it('flags the first candidate, then at most ceil(R × n) after n events, even when each event is rarer than the last', () => {
    const rate = 0.01;
    const budget = new DailyBudget(rate);
    let flagged = 0;
    for (let n = 1; n <= 1_000; n++) {
      // rising rarity: every event tops the window's quantile, only the count rule holds it
      if (budget.admit(n, n * 0.01, true)) flagged += 1;
      expect(flagged).toBeLessThanOrEqual(Math.ceil(rate * n));
      if (n === 1) expect(flagged).toBe(1);
    }
    expect(flagged).toBe(10);
  });
});
