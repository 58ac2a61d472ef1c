// ISO 8601 timestamps as adapters read them: strict syntax, and a time without a zone taken as UTC; epoch numbers by
// their magnitude; times outside 1970-9999 refused.
import { AdapterError } from '../core/errors.js';
import type { SourceRef } from '../core/event.js';

/**
 * ISO 8601 as ECS, EVTX converters and RFC 5424 write it (a date, optionally a time with fraction and zone); Date.parse
 * alone would also take "x 1" or "Tuesday 5" in V8's lenient legacy syntax.
 */
export const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/;

const HAS_ZONE = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/;

/**
 * Epoch seconds of an ISO 8601 string, NaN when it is not one. A date-time without a zone is UTC: EVTX records
 * time in UTC and converters drop the `Z` (V8 would read it as the machine's local time).
 */
export function isoSeconds(value: string, zone?: string): number {
  if (!ISO_TIME.test(value)) return NaN;
  // A day the month does not have (2024-02-30) would roll over into the next month
  const y = Number(value.slice(0, 4));
  const m = Number(value.slice(5, 7));
  const d = Number(value.slice(8, 10));
  const day = new Date(Date.UTC(y, m - 1, d));
  if (m < 1 || m > 12 || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) return NaN;
  let v = value.replace(',', '.');
  const zoned = v.length <= 10 || HAS_ZONE.test(v.slice(10));
  if (!zoned) v += 'Z';
  // ±HH and ±HHMM as ISO 8601 allows them, in the ±HH:MM that Date.parse reads
  else if (v.length > 10) v = v.slice(0, 10) + v.slice(10).replace(/([+-]\d{2})(\d{2})?$/, (_, h: string, mm?: string) => `${h}:${mm ?? '00'}`);
  const ms = Date.parse(v.replace(' ', 'T'));
  // A wall-clock time of a machine whose zone the caller knows (syslog's `timezone` option).
  return (zone !== undefined && !zoned ? wallClockToUtc(ms, zone) : ms) / 1000;
}

/** 9999-12-31T23:59:59Z in Unix seconds: the last time a date (ISO 8601's four-digit year) can hold. */
export const MAX_SECONDS = 253_402_300_799;

/**
 * Epoch seconds of an epoch number by its magnitude: nanoseconds from 1e17, microseconds from 1e14, milliseconds from
 * 1e11 (1973 in milliseconds, the year 5138 in seconds), seconds below. Shippers write all four.
 */
export function epochSeconds(n: number): number {
  const a = Math.abs(n);
  return a >= 1e17 ? n / 1e9 : a >= 1e14 ? n / 1e6 : a >= 1e11 ? n / 1e3 : n;
}

/**
 * `seconds` when it is a time an event can have (1970 to 9999), else a located error: a time before 1970 or beyond
 * 9999 is a wrong unit or a broken record, and would be dated before or after every real event.
 */
export function plausibleTime(seconds: number, value: unknown, source: SourceRef, field: string): number {
  if (seconds >= 0 && seconds <= MAX_SECONDS) return seconds;
  throw new AdapterError(source.file, source.line, `not a time: ${JSON.stringify(value)?.slice(0, 80)} lies ${seconds < 0 ? 'before 1970' : 'beyond the year 9999'}`, field);
}

/** Formatters per IANA zone: building one costs far more than formatting with it. */
const zoneFormats = new Map<string, Intl.DateTimeFormat>();

function zoneFormat(zone: string): Intl.DateTimeFormat {
  let f = zoneFormats.get(zone);
  if (!f) {
    // throws RangeError for a zone ICU does not know: callers check zones when options are read
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    zoneFormats.set(zone, f);
  }
  return f;
}

/** How far `zone`'s wall clock is ahead of UTC at the instant `ms` (ms). */
function zoneOffsetMs(zone: string, ms: number): number {
  const parts = Object.fromEntries(zoneFormat(zone).formatToParts(ms).map((p) => [p.type, p.value]));
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return wall - Math.floor(ms / 1000) * 1000;
}

/** Whether ICU knows an IANA zone name (`Europe/Berlin`). */
export function isTimeZone(zone: string): boolean {
  try {
    zoneFormat(zone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The UTC instant (ms) of a wall-clock time in `zone`, given as the ms `Date.UTC` gives for it. Daylight saving is
 * the zone's own: the offset is taken at the instant found and, if it differs there (near a change), once more.
 */
export function wallClockToUtc(wallMs: number, zone: string): number {
  const first = wallMs - zoneOffsetMs(zone, wallMs);
  const offset = zoneOffsetMs(zone, first);
  return wallMs - offset;
}
