// The windows of rolling retraining: event time cut into fixed spans (`--window 1d`) aligned to multiples of the
// span from time 0, so a day window runs 00:00 to 24:00 UTC whatever the local zone of the machine or of the
// logs (adapters have already turned every timestamp into epoch seconds) and the same event always falls in the
// same window whichever files or index it came from.
import type { CanonicalEvent } from '../core/event.js';
import { UsageError } from '../core/errors.js';
import { durationMs } from '../aggregate/duration.js';

export interface TimeWindow {
  /** Position from time 0: window i spans [i * size, (i + 1) * size) seconds. */
  index: number;
  /** Inclusive start, epoch seconds (UTC). */
  start: number;
  /** Exclusive end, epoch seconds. */
  end: number;
  /** The window's events, in the order they were given. */
  events: CanonicalEvent[];
}

/** `--window 1d` in seconds; at least a minute, since a window must hold enough events to train on. */
export function windowSeconds(text: string): number {
  const seconds = durationMs(text, 'window') / 1000;
  if (seconds < 60) throw new UsageError(`--window "${text}": at least 1m`);
  return seconds;
}

/** The window an event time falls in: start inclusive, end exclusive. */
export function windowIndex(time: number, size: number): number {
  return Math.floor(time / size);
}

/**
 * Every window from the first event's to the last event's, empty ones included (a quiet weekend still passes
 * between Friday and Monday: the model trained on Friday scores Monday). Events need not be sorted.
 */
export function splitWindows(events: Iterable<CanonicalEvent>, size: number): TimeWindow[] {
  const byIndex = new Map<number, CanonicalEvent[]>();
  for (const e of events) {
    const i = windowIndex(e.time, size);
    let list = byIndex.get(i);
    if (!list) byIndex.set(i, (list = []));
    list.push(e);
  }
  if (byIndex.size === 0) return [];
  const first = Math.min(...byIndex.keys());
  const last = Math.max(...byIndex.keys());
  const out: TimeWindow[] = [];
  for (let i = first; i <= last; i++) out.push({ index: i, start: i * size, end: (i + 1) * size, events: byIndex.get(i) ?? [] });
  return out;
}

/** ISO text of a window bound: real clocks read as UTC dates; LANL's relative seconds read as 1970 dates. */
export function windowIso(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}
