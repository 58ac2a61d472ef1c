// The daily alert budget: an event over the bundle's threshold is flagged (is_anomaly) only when its score is also
// among the top R of the scores this scorer saw over the trailing 24 hours of event time, so the flags a day stay
// near R × that day's events even on a day unlike training, where far more than R of the events pass the threshold.
//
// Why a budget and not only the threshold: the threshold is the (1 − R) quantile of held-out normal events, so it
// flags R of the events only when the day looks like the held-out ones. A day of new destinations (bench/zeek-detect.mjs:
// 5,482 of 5,494 connections over the threshold at R = 0.001) or new behaviour (the demo's test days: 0.85 % against
// 0.1 %) floods every notable and monitor downstream. The budget ranks each event against the day itself.

/**
 * Hourly slots of the window: the window is the event's hour and the 23 before it, so it spans 23 to 24 hours of
 * event time. An hour is the step: finer slots cost memory, coarser ones let the window's length wander more.
 */
export const BUDGET_SLOTS = 24;
export const SLOT_SECONDS = 3600;

/**
 * How far past the clock an event's time may lie and still count into a live budget's window (serve, enrich):
 * the window ends at the newest hour counted, so one event stamped days ahead (a wrong clock, a bad parse) would move
 * it past every real event, leaving later days unflagged or unbounded. Later events are judged without being
 * counted, as events older than the window are. An hour: a slot.
 */
export const BUDGET_AHEAD_SECONDS = SLOT_SECONDS;

/** The wall clock in seconds: a live path's ScorerOptions.budgetClock. */
export const clockSeconds = (): number => Date.now() / 1000;

/**
 * Bins of the rarity key per slot. The key is v = −ln(1 − anomaly_score) in nats (Calibrator.rarity: it keeps
 * growing with the raw score where anomaly_score itself rounds to 1), binned on w = ln(1 + v) from 0 to ln(1 + 1e6)
 * in equal steps of 0.0067: a bin spans 0.7 % of (1 + v), i.e. 0.05 nats of v at anomaly_score 0.999 (v = 6.9),
 * 0.7 nats at v = 100. Keys beyond 1e6 nats share the last bin.
 */
export const BUDGET_BINS = 2048;
const W_MAX = Math.log1p(1e6);

/** The bin of a rarity key (nats). NaN (a score the calibrator could not place) ranks highest, as it scores 1. */
export function rarityBin(v: number): number {
  if (!(v > 0)) return Number.isNaN(v) ? BUDGET_BINS - 1 : 0;
  const b = Math.floor((Math.log1p(v) / W_MAX) * BUDGET_BINS);
  return b >= BUDGET_BINS ? BUDGET_BINS - 1 : b;
}

/** One hour of a window kept elsewhere: hour = floor(event time in seconds / 3600). */
export interface BudgetHour {
  hour: number;
  /** [rarity key (nats), events] pairs. */
  counts: ReadonlyArray<readonly [number, number]>;
  flagged: number;
}

/**
 * What admitting one event did to a budget's window (DailyBudget.admitted), so that it can be taken back (retract)
 * when the event's write fails and its sender will send it again: the retry is then counted once, as a clean send.
 */
export interface BudgetReceipt {
  readonly budget: DailyBudget;
  readonly hour: number;
  readonly bin: number;
  /** Counted into the window (an event older than the window is judged without being counted). */
  readonly counted: boolean;
  readonly flagged: boolean;
  /** A flag of an event not counted, counted in the slot of this hour (the window's newest), or NaN. */
  readonly flagHour: number;
}

export interface BudgetCounts {
  /** Events in the window (the one just judged included). */
  events: number;
  /** Events flagged in the window. */
  flagged: number;
}

/**
 * Deterministic (the same events in the same order give the same flags: no clock, no randomness) and bounded
 * (24 × 2,048 counts plus a Fenwick tree of 2,048, about 200 KB, whatever the traffic).
 *
 * An event is flagged when (1) it is a candidate (over the bundle's threshold: the caller decides), (2) fewer than
 * R × n of the window's n events (itself included) lie in bins above its own, and (3) fewer than ceil(R × n) events
 * of the window are flagged already. (2) is the quantile: its error is the bin, events in the event's own bin count
 * as ties and pass together. (3) bounds what ties and a fresh window could let through: a day's flags never exceed
 * ceil(R × its events). During warm-up (a fresh scorer, a restart) (3) is the whole rule: the first event over the
 * threshold may be flagged, then one more each 1/R events.
 */
export class DailyBudget {
  /** (24, BINS): per slot, events per bin. */
  private readonly counts = new Uint32Array(BUDGET_SLOTS * BUDGET_BINS);
  /** The hour each slot holds (floor(time / 3600)), or NaN when empty. */
  private readonly hours = new Float64Array(BUDGET_SLOTS).fill(Number.NaN);
  private readonly slotEvents = new Float64Array(BUDGET_SLOTS);
  private readonly slotFlagged = new Float64Array(BUDGET_SLOTS);
  /** Fenwick tree over the window's bins (1-based): the window's events at or below a bin in log(BINS) steps. */
  private readonly tree = new Float64Array(BUDGET_BINS + 1);
  private events = 0;
  private flagged = 0;
  /** The newest hour seen: the window ends there. */
  private hour = Number.NEGATIVE_INFINITY;
  /** Where the last judged event went (its hour, bin, whether counted): what admitted() hands out, without an object per event in admit(). */
  private readonly judged = { hour: 0, bin: 0, counted: false, flagHour: Number.NaN };

  /** @param rate R, the share of the window's events that may be flagged, in (0, 1). */
  constructor(readonly rate: number) {
    if (!(rate > 0 && rate < 1)) throw new RangeError(`budget rate ${rate}: must be in (0, 1)`);
  }

  /**
   * Counts the event (time in seconds, rarity key in nats) into the window and says whether it may be flagged.
   * An event older than the window is judged against the window without being counted into it.
   */
  admit(time: number, rarity: number, candidate: boolean, countable = true, judgeOnly = false): boolean {
    return this.judge(time, rarity, candidate, countable, judgeOnly);
  }

  /**
   * admit, returning what it did to the window (for retract). With `countable` false (an event too far ahead of the
   * clock: BUDGET_AHEAD_SECONDS) the event is judged against the window without being counted or moving it.
   */
  admitted(time: number, rarity: number, candidate: boolean, countable = true, judgeOnly = false): BudgetReceipt {
    const flagged = this.judge(time, rarity, candidate, countable, judgeOnly);
    return { budget: this, hour: this.judged.hour, bin: this.judged.bin, counted: this.judged.counted, flagged, flagHour: this.judged.flagHour };
  }

  /**
   * `countable` false: the event's time may not move the window (too far ahead of the clock); an event older than the
   * window is not counted either. Such an event is judged against the window, and a flag it gets is still counted,
   * in the window's newest slot, so that a backlog of old events or a host whose clock runs ahead cannot flag beyond
   * the quota. `judgeOnly`: neither the event nor its flag is counted (a route whose events are not stored).
   */
  private judge(time: number, rarity: number, candidate: boolean, countable: boolean, judgeOnly: boolean): boolean {
    const hour = Math.floor(time / SLOT_SECONDS);
    if (countable && !judgeOnly && hour > this.hour) this.advance(hour);
    const bin = rarityBin(rarity);
    const inWindow = countable && !judgeOnly && hour > this.hour - BUDGET_SLOTS;
    const slot = ((hour % BUDGET_SLOTS) + BUDGET_SLOTS) % BUDGET_SLOTS;
    this.judged.hour = hour;
    this.judged.bin = bin;
    this.judged.counted = inWindow;
    this.judged.flagHour = Number.NaN;
    if (inWindow) {
      this.counts[slot * BUDGET_BINS + bin] = (this.counts[slot * BUDGET_BINS + bin] as number) + 1;
      this.hours[slot] = hour;
      this.slotEvents[slot] = (this.slotEvents[slot] as number) + 1;
      this.events += 1;
      this.add(bin, 1);
    }
    if (!candidate) return false;
    const n = this.events;
    const above = n - this.atOrBelow(bin);
    if (!(above < this.rate * n)) return false;
    if (!(this.flagged < Math.ceil(this.rate * n))) return false;
    if (inWindow) {
      this.slotFlagged[slot] = (this.slotFlagged[slot] as number) + 1;
      this.flagged += 1;
    } else if (!judgeOnly) {
      const newest = ((this.hour % BUDGET_SLOTS) + BUDGET_SLOTS) % BUDGET_SLOTS;
      this.slotFlagged[newest] = (this.slotFlagged[newest] as number) + 1;
      this.flagged += 1;
      this.judged.flagHour = this.hour;
    }
    return true;
  }

  /**
   * Takes an admitted event back out of the window, as if it had never come: its count and, if it was flagged, its
   * flag. An event whose hour has left the window since is gone already; the window's end stays where it is.
   */
  retract(receipt: BudgetReceipt): void {
    if (receipt.budget !== this) return;
    if (!receipt.counted) {
      // a flag counted in the newest slot of its time, while that slot still holds that hour
      const slot = ((receipt.flagHour % BUDGET_SLOTS) + BUDGET_SLOTS) % BUDGET_SLOTS;
      if (receipt.flagged && !Number.isNaN(receipt.flagHour) && this.hours[slot] === receipt.flagHour && (this.slotFlagged[slot] as number) > 0) {
        this.slotFlagged[slot] = (this.slotFlagged[slot] as number) - 1;
        this.flagged -= 1;
      }
      return;
    }
    const slot = ((receipt.hour % BUDGET_SLOTS) + BUDGET_SLOTS) % BUDGET_SLOTS;
    const at = slot * BUDGET_BINS + receipt.bin;
    if (this.hours[slot] !== receipt.hour || !((this.counts[at] as number) > 0)) return;
    this.counts[at] = (this.counts[at] as number) - 1;
    this.slotEvents[slot] = (this.slotEvents[slot] as number) - 1;
    this.events -= 1;
    this.add(receipt.bin, -1);
    if (receipt.flagged && (this.slotFlagged[slot] as number) > 0) {
      this.slotFlagged[slot] = (this.slotFlagged[slot] as number) - 1;
      this.flagged -= 1;
    }
  }

  /**
   * Fills the window with counts kept elsewhere (the scored events in OpenSearch after a restart): per hour of event
   * time, events by rarity key and how many were flagged. Hours older than 24 before the newest are left out.
   */
  restore(hours: readonly BudgetHour[]): void {
    const newest = Math.max(this.hour, ...hours.map((h) => h.hour));
    if (newest > this.hour) this.advance(newest);
    for (const h of hours) {
      if (!(h.hour > this.hour - BUDGET_SLOTS)) continue;
      const slot = ((h.hour % BUDGET_SLOTS) + BUDGET_SLOTS) % BUDGET_SLOTS;
      this.hours[slot] = h.hour;
      for (const [rarity, count] of h.counts) {
        const bin = rarityBin(rarity);
        this.counts[slot * BUDGET_BINS + bin] = (this.counts[slot * BUDGET_BINS + bin] as number) + count;
        this.slotEvents[slot] = (this.slotEvents[slot] as number) + count;
        this.events += count;
        this.add(bin, count);
      }
      this.slotFlagged[slot] = (this.slotFlagged[slot] as number) + h.flagged;
      this.flagged += h.flagged;
    }
  }

  /** The window's events and flags now. */
  window(): BudgetCounts {
    return { events: this.events, flagged: this.flagged };
  }

  /** Moves the window's end to `hour`, emptying the slots of hours that fall out of it. */
  private advance(hour: number): void {
    if (hour - this.hour >= BUDGET_SLOTS) {
      for (let s = 0; s < BUDGET_SLOTS; s++) this.evict(s);
    } else {
      for (let h = this.hour + 1; h <= hour; h++) this.evict(((h % BUDGET_SLOTS) + BUDGET_SLOTS) % BUDGET_SLOTS);
    }
    this.hour = hour;
  }

  private evict(slot: number): void {
    if (Number.isNaN(this.hours[slot] as number)) return;
    const base = slot * BUDGET_BINS;
    for (let b = 0; b < BUDGET_BINS; b++) {
      const c = this.counts[base + b] as number;
      if (c) this.add(b, -c);
    }
    this.counts.fill(0, base, base + BUDGET_BINS);
    this.events -= this.slotEvents[slot] as number;
    this.flagged -= this.slotFlagged[slot] as number;
    this.slotEvents[slot] = 0;
    this.slotFlagged[slot] = 0;
    this.hours[slot] = Number.NaN;
  }

  private add(bin: number, delta: number): void {
    for (let i = bin + 1; i <= BUDGET_BINS; i += i & -i) this.tree[i] = (this.tree[i] as number) + delta;
  }

  private atOrBelow(bin: number): number {
    let sum = 0;
    for (let i = bin + 1; i > 0; i -= i & -i) sum += this.tree[i] as number;
    return sum;
  }
}
