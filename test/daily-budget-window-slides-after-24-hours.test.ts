// The daily budget's window is the last 24 hourly slots of event time: a flood that used up one day's budget is
// forgotten 24 hours later, and events older than the window are judged without being counted into it.
import { describe, expect, it } from 'vitest';
import { DailyBudget } from '../src/scorer/daily-budget.js';

describe('daily budget window', () => {
  it('forgets a day 24 hours on, so the next day gets its own budget', () => {
    const budget = new DailyBudget(0.01);
    // day 0: 1,000 events of the same rarity (ties): 10 flags at most
    let day0 = 0;
    for (let i = 0; i < 1_000; i++) if (budget.admit(i * 60, 9, true)) day0 += 1;
    expect(day0).toBe(10);
    expect(budget.window()).toEqual({ events: 1_000, flagged: 10 });
    // at hour 23 the window (hours 0 to 23) still holds all of day 0
    budget.admit(23 * 3600, 0, false);
    expect(budget.window().events).toBe(1_001);
    // at hour 24 day 0's first hour (60 events, the first flag among them) has left it
    budget.admit(24 * 3600, 0, false);
    expect(budget.window()).toEqual({ events: 1_001 - 60 + 1, flagged: 9 });
    // two days on, nothing of day 0 is left: the next rare event is flagged again
    expect(budget.admit(3 * 86_400, 20, true)).toBe(true);
    expect(budget.window()).toEqual({ events: 1, flagged: 1 });
  });

  it('judges an event older than the window without counting it, its flag counted against the quota', () => {
    const budget = new DailyBudget(0.5);
    budget.admit(10 * 86_400, 1, false);
    expect(budget.admit(0, 50, true)).toBe(true);
    expect(budget.window()).toEqual({ events: 1, flagged: 1 });
    // the quota of one event at R = 0.5 is spent
    expect(budget.admit(1, 50, true)).toBe(false);
  });
});
