// An event whose write failed is taken back out of the daily budget's window (retract): a budget that judged a batch,
// took it back and judged it again flags every later event as one that judged the batch once.
import { describe, expect, it } from 'vitest';
import { DailyBudget, type BudgetReceipt } from '../src/scorer/daily-budget.js';

/** A day of events, 30 s apart, rarity keys from a seeded generator; 1 in 20 over the threshold. */
function day(n: number, seed: number): { time: number; rarity: number; over: boolean }[] {
  let x = seed;
  const next = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: n }, (_, i) => {
    const r = next();
    return { time: 1_700_000_000 + i * 30, rarity: r < 0.05 ? 7 + 10 * next() : 5 * next(), over: r < 0.05 };
  });
}

describe('daily budget: retract', () => {
  it('leaves the window as if the retracted events had never come', () => {
    const events = day(2_000, 7);
    const clean = new DailyBudget(0.01);
    const retried = new DailyBudget(0.01);
    const flagsClean: boolean[] = [];
    const flagsRetried: boolean[] = [];
    for (let start = 0; start < events.length; start += 100) {
      const batch = events.slice(start, start + 100);
      for (const e of batch) flagsClean.push(clean.admit(e.time, e.rarity, e.over));
      // every third batch fails twice before it is written: judged, taken back, judged again
      const attempts = start % 300 === 0 ? 3 : 1;
      for (let a = 0; a < attempts; a++) {
        const receipts: BudgetReceipt[] = batch.map((e) => retried.admitted(e.time, e.rarity, e.over));
        if (a < attempts - 1) receipts.forEach((r) => retried.retract(r));
        else flagsRetried.push(...receipts.map((r) => r.flagged));
      }
      expect(retried.window()).toEqual(clean.window());
    }
    expect(flagsClean.filter(Boolean).length).toBeGreaterThan(5);
    expect(flagsRetried).toEqual(flagsClean);
  });

  it('ignores a receipt of another budget, of an event it did not count, or of an hour gone from the window', () => {
    const a = new DailyBudget(0.5);
    const b = new DailyBudget(0.5);
    const t = 1_700_000_000;
    const fromA = a.admitted(t, 9, true);
    b.admitted(t, 9, true);
    b.retract(fromA);
    expect(b.window()).toEqual({ events: 1, flagged: 1 });
    const old = a.admitted(t - 48 * 3600, 9, true); // older than the window: judged, not counted
    expect(old.counted).toBe(false);
    a.retract(old);
    expect(a.window()).toEqual({ events: 1, flagged: 1 });
    a.admitted(t + 30 * 3600, 1, false); // the window moves on: the first hour leaves it
    a.retract(fromA);
    expect(a.window()).toEqual({ events: 1, flagged: 0 });
  });
});
