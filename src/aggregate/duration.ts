// Durations as the CLI and the aggregator's defaults write them: `15m`, `6h`, `7d`.
import { UsageError } from '../core/errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `15m`, `6h`, `7d` in milliseconds; `option` names the flag in the error. */
export function durationMs(text: string, option: string): number {
  const m = /^(\d+)(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!m || Number(m[1]) <= 0) throw new UsageError(`--${option} "${text}": expected a duration like 15m, 6h or 7d`);
  const ms = Number(m[1]) * (UNITS[m[2] as string] as number);
  // Bounded: a date that far ahead cannot be written (an expiry), nor a window that long counted (its minutes).
  if (!(ms <= MAX_DURATION_MS)) throw new UsageError(`--${option} "${text}": at most 10 years (3650d)`);
  return ms;
}

/** The longest duration any option takes: 10 years. */
export const MAX_DURATION_MS = 3650 * 86_400_000;
