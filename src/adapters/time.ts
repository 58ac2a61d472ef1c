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
