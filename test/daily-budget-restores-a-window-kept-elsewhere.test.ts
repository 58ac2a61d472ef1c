// A restarted scorer's daily budget refilled from counts kept elsewhere (the scored events in OpenSearch): it judges
// the next events as the budget that saw those events would have, and drops hours older than its window.
import { describe, expect, it } from 'vitest';
import { DailyBudget, rarityBin, type BudgetHour } from '../src/scorer/daily-budget.js';

describe('daily budget restore', () => {
  it('judges after a restore as the budget that saw the same events', () => {
    const rate = 0.01;
    const seen = new DailyBudget(rate);
    const events = Array.from({ length: 3_000 }, (_, i) => ({ time: 1_000_000 + i * 20, rarity: (i * 7919) % 97 / 5 }));
    const hours = new Map<number, { counts: Map<number, number>; flagged: number }>();
    for (const e of events) {
      const flagged = seen.admit(e.time, e.rarity, e.rarity > 15);
      const h = hours.get(Math.floor(e.time / 3600)) ?? { counts: new Map<number, number>(), flagged: 0 };
      h.counts.set(e.rarity, (h.counts.get(e.rarity) ?? 0) + 1);
      if (flagged) h.flagged += 1;
      hours.set(Math.floor(e.time / 3600), h);
    }
    // plus an hour from two days before, which the window leaves out
    const kept: BudgetHour[] = [...hours].map(([hour, h]) => ({ hour, counts: [...h.counts], flagged: h.flagged }));
    kept.push({ hour: Math.floor(events[0]!.time / 3600) - 48, counts: [[20, 500]], flagged: 5 });
    const restored = new DailyBudget(rate);
    restored.restore(kept);
    expect(restored.window()).toEqual(seen.window());
    const next = Array.from({ length: 500 }, (_, i) => ({ time: 1_060_000 + i * 10, rarity: (i * 104_729) % 89 / 4 }));
    expect(next.map((e) => restored.admit(e.time, e.rarity, e.rarity > 15))).toEqual(next.map((e) => seen.admit(e.time, e.rarity, e.rarity > 15)));
    expect(rarityBin(20)).toBeGreaterThan(rarityBin(15));
  });
});
