// Which training events are held out: blocks of time spread over the whole span, never seen by the model they
// calibrate (the fusion step, models/train.py's --held-out, charfreq's calibration).
import { SeqSentryError } from '../core/errors.js';

/** One block in HELD_OUT_EVERY is held out from the sequence model to fit the fusion on (20% of the time). */
export const HELD_OUT_EVERY = 5;
/** Held-out events wanted at most: larger data holds out a sparser share of its blocks; more adds little to the tails. */
const MAX_HELD_OUT = 200_000;
/** Blocks of an hour: held-out blocks then fall at every hour of the day and on every day of the week in turn. */
const BLOCK_SECONDS = 3600;
/** Blocks the training span is cut into at least (short data gets shorter blocks). */
const MIN_BLOCKS = 50;

/**
 * The held-out events: those in every `every`-th block of `block` seconds from `origin` (models/train.py gets the
 * same rule as --held-out). Spread over the whole span rather than its latest part, the held-out set is traffic of
 * every hour and weekday: the latest fifth of a week is its weekend, on which tails fitted would judge weekdays.
 */
export interface HeldOutRule {
  origin: number;
  block: number;
  every: number;
  /**
   * Rolling retraining: only events at or after this time are held out. The memory is fitted on every earlier
   * window too, and those windows' events taught the carried-forward weights, so none of them is held-out data.
   */
  since?: number;
}

export function isHeldOut(rule: HeldOutRule, time: number): boolean {
  if (rule.since !== undefined && time < rule.since) return false;
  // The same float64 arithmetic as numpy's in models/train.py, so both pick the same events.
  const b = Math.floor((time - rule.origin) / rule.block);
  return ((b % rule.every) + rule.every) % rule.every === 0;
}

/** The rule for these event times: hour blocks (shorter when the span has fewer than MIN_BLOCKS hours). */
export function heldOutRule(times: Float64Array): HeldOutRule {
  const n = times.length;
  let origin = Infinity;
  let last = -Infinity;
  for (const t of times) {
    if (t < origin) origin = t;
    if (t > last) last = t;
  }
  const span = last - origin;
  const rule: HeldOutRule = { origin, block: Math.min(BLOCK_SECONDS, span / MIN_BLOCKS), every: Math.max(HELD_OUT_EVERY, Math.ceil(n / MAX_HELD_OUT)) };
  let held = 0;
  if (rule.block > 0) for (const t of times) if (isHeldOut(rule, t)) held += 1;
  if (held < 10 || n - held < 10) {
    throw new SeqSentryError(`the training events span too little time to hold out part of it (${held} of ${n} events in the held-out blocks): give more data, spread over more time`);
  }
  return rule;
}
