// ISO 8601 timestamps as adapters read them: strict syntax, and a time without a zone taken as UTC.

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
export function isoSeconds(value: string): number {
  if (!ISO_TIME.test(value)) return NaN;
  let v = value.replace(',', '.');
  if (v.length > 10 && !HAS_ZONE.test(v.slice(10))) v += 'Z';
  return Date.parse(v.replace(' ', 'T')) / 1000;
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
