// The parts every syslog line has, whatever program wrote it: time, logging host, priority (when written), tag and
// message. Shared by the `authlog` adapter (which then interprets known authentication messages) and the `syslog`
// adapter (which keeps every line). Syslog's classic timestamp has no year: the `year` option gives the year of a
// file's first line, and a month earlier than the line before by more than half a year (December, then January)
// starts the next one.
import { z } from 'zod';
import { AdapterError } from '../core/errors.js';
import type { SourceRef } from '../core/event.js';
import { isoSeconds, isTimeZone, wallClockToUtc } from './time.js';

/** The options of a syslog time reader (both adapters accept them). */
export const SYSLOG_TIME_OPTIONS = {
  /** The year of each file's first line with a classic (year-less) timestamp; default: the current UTC year. */
  year: z.number().int().min(1970).max(9999).optional(),
  /** The IANA zone of classic timestamps (syslog writes the host's wall clock); default UTC. */
  timezone: z.string().refine(isTimeZone, { message: 'not an IANA time zone (e.g. "Europe/Berlin")' }).optional(),
} as const;

export interface SyslogTimeOptions {
  year?: number | undefined;
  timezone?: string | undefined;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** `[<PRI>]Mar 27 13:06:56 host rest` (RFC 3164; the day space-padded; rsyslog may add a fraction). */
const CLASSIC = /^(?:<(\d{1,3})>)?([A-Za-z]{3}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,6})? (\S+) +(.*)$/;
/** RFC 5424 (`<PRI>1 TIME HOST APP PROCID MSGID SD MSG`) and rsyslog's high-precision `TIME HOST tag: msg`. */
// Structured data: `[id k="v"]...`; a quoted value may hold `]` (unescaped, as some writers do).
const RFC5424 = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) \S+ (?:-|(?:\[[^\]"]*(?:"(?:[^"\\]|\\.)*"[^\]"]*)*\])+)(?: (.*))?$/;
const ISO_LINE = /^(?:<(\d{1,3})>)?(\d{4}-\d{2}-\d{2}T\S+) (\S+) +(.*)$/;
/**
 * `sshd[123]: msg`, `sudo: msg`, loghub's `sshd(pam_unix)[123]: msg`, old sysklogd's `syslogd 1.4.1: msg`, and
 * `[sshd]: msg`.
 */
const TAG = /^\[?([^\s[\]:()]+)(?:\(([^)]*)\))?(?:\[(\d+)\])?\]?(?: [\d.]+)?: ?(.*)$/;

/** A line's header: `tag` is the rest of the line from the program's tag on (tag and message, not yet split). */
export interface SyslogHeader {
  time: number;
  host: string;
  /** RFC 5424 / 3164 PRI (facility * 8 + severity), when the line carries one. */
  pri?: number;
  tag: string;
}

/** A tag split: program (as written), PAM module or other parenthesised part, pid, and the message after it. */
export interface SyslogTag {
  program: string;
  module?: string;
  pid?: string;
  message: string;
}

export function splitTag(tag: string): SyslogTag | null {
  const m = TAG.exec(tag);
  if (!m) return null;
  return { program: m[1] as string, ...(m[2] !== undefined ? { module: m[2] } : {}), ...(m[3] !== undefined ? { pid: m[3] } : {}), message: m[4] as string };
}

/** The year-tracking state of one source: a file, or a stream of documents. */
interface Clock {
  year: number;
  month: number;
  /** The line last dated: a line number not after it starts a new reading (score reads its input twice). */
  line: number;
}

function pri(value: string | undefined, source: SourceRef): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (n > 191) throw new AdapterError(source.file, source.line, `priority <${value}> above 191 (facility 23, severity 7)`, 'priority');
  return n;
}

/**
 * A reader of syslog headers; it keeps, per source, the year of classic timestamps read so far. With `now` (the
 * live paths: the proxy, the scoring routes, enrich; createAdapter's `live`), a classic timestamp is instead dated in
 * the year that puts it no more than a day past the clock, whatever the `year` option (which names a file's year:
 * the training file's, kept in the bundle) and however the lines are split into requests. `knownTime` (a shipped
 * document's @timestamp, which has a year) dates the line and wins over its header's time, which is then only read.
 */
export function createSyslogReader(opts: SyslogTimeOptions, now?: () => number): (line: string, source: SourceRef, knownTime?: number) => SyslogHeader {
  const startYear = opts.year ?? new Date().getUTCFullYear();
  // Per source, the year and month of its last classic timestamp: a file is read in order, line after line.
  const clocks = new Map<string, Clock>();

  /** The year of a live line's month and day: this year's, unless that is more than a day ahead of the clock. */
  const liveYear = (month: number, day: number, clockMs: number): number => {
    const year = new Date(clockMs).getUTCFullYear();
    return Date.UTC(year, month, Math.min(day, 28)) > clockMs + 86_400_000 ? year - 1 : year;
  };

  const classicTime = (m: RegExpExecArray, source: SourceRef, knownTime: number | undefined): number => {
    const month = MONTHS.indexOf((m[2] as string).toLowerCase());
    if (month < 0) throw new AdapterError(source.file, source.line, `not a month: "${m[2]}"`, 'timestamp');
    if (knownTime !== undefined) return knownTime;
    if (now) return dated(m, source, liveYear(month, Number(m[3]), now()), month);
    let clock = clocks.get(source.file);
    if (!clock || source.line <= clock.line) {
      if (clocks.size >= 1_000) clocks.clear(); // bounded: one entry per file or stream read
      clock = { year: startYear, month, line: source.line };
      clocks.set(source.file, clock);
    }
    clock.line = source.line;
    let year = clock.year;
    if (clock.month - month > 6) {
      year = clock.year += 1; // December, then January: the next year
      clock.month = month;
    } else if (month - clock.month > 6) {
      year -= 1; // a late December line after January: last year's, and the clock stays in the new year
    } else {
      clock.month = month;
    }
    return dated(m, source, year, month);
  };

  /** A classic timestamp's seconds in `year`; a day the month does not have (Feb 29 of a common year) is refused. */
  const dated = (m: RegExpExecArray, source: SourceRef, year: number, month: number): number => {
    const [h, mi, s] = [Number(m[4]), Number(m[5]), Number(m[6])];
    const day = Number(m[3]);
    const ms = Date.UTC(year, month, day, h, mi, s);
    if (day < 1 || day > 31 || h > 23 || mi > 59 || s > 60 || new Date(ms).getUTCDate() !== day) {
      throw new AdapterError(source.file, source.line, `not a valid time: "${m[2]} ${m[3]} ${m[4]}:${m[5]}:${m[6]}" in ${year}`, 'timestamp');
    }
    return (opts.timezone ? wallClockToUtc(ms, opts.timezone) : ms) / 1000 + (m[7] ? Number(m[7]) : 0);
  };

  return (line, source, knownTime) => {
    const c5424 = RFC5424.exec(line);
    if (c5424) {
      const time = isoSeconds(c5424[2] as string, opts.timezone);
      if (!Number.isFinite(time)) throw new AdapterError(source.file, source.line, `not a timestamp: "${c5424[2]}"`, 'timestamp');
      const app = c5424[4] as string;
      // RFC 5424 6.4: a UTF-8 message starts with a byte order mark.
      const message = (c5424[6] ?? '').replace(/^\uFEFF/, '');
      const tag = `${app === '-' ? '' : app}${c5424[5] === '-' ? '' : `[${c5424[5]}]`}: ${message}`;
      return { time, host: c5424[3] as string, pri: pri(c5424[1], source) as number, tag };
    }
    const iso = ISO_LINE.exec(line);
    if (iso) {
      const time = isoSeconds(iso[2] as string, opts.timezone);
      if (!Number.isFinite(time)) throw new AdapterError(source.file, source.line, `not a timestamp: "${iso[2]}"`, 'timestamp');
      const p = pri(iso[1], source);
      return { time, host: iso[3] as string, ...(p !== undefined ? { pri: p } : {}), tag: iso[4] as string };
    }
    const classic = CLASSIC.exec(line);
    if (classic) {
      const p = pri(classic[1], source);
      const time = classicTime(classic, source, knownTime);
      const host = classic[8] as string;
      // A line without a host (`Nov 23 21:50:37 sshd[8148]: ...`): what stands in its place is the tag.
      if (host.endsWith(':')) return { time, host: '', ...(p !== undefined ? { pri: p } : {}), tag: `${host} ${classic[9]}` };
      return { time, host, ...(p !== undefined ? { pri: p } : {}), tag: classic[9] as string };
    }
    throw new AdapterError(source.file, source.line, `not a syslog line (no "Mmm dd hh:mm:ss host" or ISO 8601 timestamp): "${line.slice(0, 60)}"`, 'timestamp');
  };
}

/**
 * A shipped document (`{"@timestamp", "message": "<raw line>"}`) read through a line parser: the shipper's
 * @timestamp (which has a year) wins over the line's. `what` names the format's records in the error.
 */
export function parseShipped<T>(
  record: Record<string, unknown>,
  source: SourceRef,
  what: string,
  parseLine: (line: string, source: SourceRef, knownTime?: number) => T | null,
): T {
  const message = record.message;
  if (typeof message !== 'string') {
    throw new AdapterError(source.file, source.line, `${what} records are lines, or documents whose "message" holds one; this document has no string "message"`, 'message');
  }
  const stamp = record['@timestamp'];
  const time = typeof stamp === 'string' ? isoSeconds(stamp) : typeof stamp === 'number' ? stamp / 1000 : undefined;
  const event = parseLine(message, source, time !== undefined && Number.isFinite(time) ? time : undefined);
  if (event === null) throw new AdapterError(source.file, source.line, 'the "message" is blank', 'message');
  return event;
}
