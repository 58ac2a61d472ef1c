// Linux auth.log lines (sshd, sudo, su, PAM, CRON, systemd-logind, ...) as canonical events. Syslog's classic
// timestamp has no year: the `year` option gives the year of a file's first line, and a month earlier than the
// line before by more than half a year (December, then January) starts the next one.
import { z } from 'zod';
import { AdapterError } from '../core/errors.js';
import type { CanonicalEvent, SourceRef } from '../core/event.js';
import { noEvent, type Adapter, type AdapterFactory, type NoEvent } from './adapter.js';
import { interpret } from './authlog-messages.js';
import { parseAdapterOptions } from './options.js';
import { ABSENT, isIp, normaliseHost, normaliseIp, normaliseUser, text } from './names.js';
import { isoSeconds, isTimeZone, wallClockToUtc } from './time.js';

const FIELD_NAMES = ['user', 'src_host', 'dst_host', 'program', 'action', 'auth_type', 'outcome', 'target_user'] as const;
const ENTITY_NAMES = ['user', 'src_host', 'dst_host'] as const;

const OptionsSchema = z
  .object({
    /** The year of each file's first line with a classic (year-less) timestamp; default: the current UTC year. */
    year: z.number().int().min(1970).max(9999).optional(),
    /** The IANA zone of classic timestamps (syslog writes the host's wall clock); default UTC. */
    timezone: z.string().refine(isTimeZone, { message: 'not an IANA time zone (e.g. "Europe/Berlin")' }).optional(),
  })
  .strict();

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** `Mar 27 13:06:56 host rest` (RFC 3164; the day space-padded; rsyslog may add a fraction). */
const CLASSIC = /^([A-Za-z]{3}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,6})? (\S+) +(.*)$/;
/** RFC 5424 (`<PRI>1 TIME HOST APP PROCID MSGID SD MSG`) and rsyslog's high-precision `TIME HOST tag: msg`. */
// Structured data: `[id k="v"]...`; a quoted value may hold `]` (unescaped, as some writers do).
const RFC5424 = /^<\d{1,3}>1 (\S+) (\S+) (\S+) (\S+) \S+ (?:-|(?:\[[^\]"]*(?:"(?:[^"\\]|\\.)*"[^\]"]*)*\])+)(?: (.*))?$/;
const ISO_LINE = /^(?:<\d{1,3}>)?(\d{4}-\d{2}-\d{2}T\S+) (\S+) +(.*)$/;
/**
 * `sshd[123]: msg`, `sudo: msg`, loghub's `sshd(pam_unix)[123]: msg`, old sysklogd's `syslogd 1.4.1: msg`, and
 * `[sshd]: msg`.
 */
const TAG = /^\[?([^\s[\]:()]+)(?:\(([^)]*)\))?(?:\[(\d+)\])?\]?(?: [\d.]+)?: ?(.*)$/;

/** Programs whose clients are remote: a message of theirs without an address has no source host. */
const NETWORK_PROGRAMS = new Set(['sshd', 'klogind']);

/** Hosts a remote end is named by: full name kept (an internet host's short name says little), IPs normalised. */
function remoteHost(value: string | undefined): string {
  const t = text(value)?.toLowerCase();
  if (t === undefined) return ABSENT;
  return isIp(t) ? normaliseIp(t) : normaliseHost(t) === ABSENT ? ABSENT : t;
}

/** The year-tracking state of one source: a file, or a stream of documents. */
interface Clock {
  year: number;
  month: number;
  /** The line last dated: a line number not after it starts a new reading (score reads its input twice). */
  line: number;
}

export function createAuthlogAdapter(options: Record<string, unknown> = {}): Adapter {
  const opts = parseAdapterOptions(OptionsSchema, options);
  const startYear = opts.year ?? new Date().getUTCFullYear();
  // Per source, the year and month of its last classic timestamp: a file is read in order, line after line.
  const clocks = new Map<string, Clock>();

  const classicTime = (m: RegExpExecArray, source: SourceRef): number => {
    const month = MONTHS.indexOf((m[1] as string).toLowerCase());
    if (month < 0) throw new AdapterError(source.file, source.line, `not a month: "${m[1]}"`, 'timestamp');
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
    const [h, mi, s] = [Number(m[3]), Number(m[4]), Number(m[5])];
    const day = Number(m[2]);
    const ms = Date.UTC(year, month, day, h, mi, s);
    if (day < 1 || day > 31 || h > 23 || mi > 59 || s > 60 || new Date(ms).getUTCDate() !== day) {
      throw new AdapterError(source.file, source.line, `not a valid time: "${m[1]} ${m[2]} ${m[3]}:${m[4]}:${m[5]}"`, 'timestamp');
    }
    return (opts.timezone ? wallClockToUtc(ms, opts.timezone) : ms) / 1000 + (m[6] ? Number(m[6]) : 0);
  };

  /** Time, logging host, program, PAM module and message of a line. */
  const header = (line: string, source: SourceRef) => {
    const c5424 = RFC5424.exec(line);
    if (c5424) {
      const time = isoSeconds(c5424[1] as string);
      if (!Number.isFinite(time)) throw new AdapterError(source.file, source.line, `not a timestamp: "${c5424[1]}"`, 'timestamp');
      const app = c5424[3] as string;
      return { time, host: c5424[2] as string, tag: `${app === '-' ? '' : app}${c5424[4] === '-' ? '' : `[${c5424[4]}]`}: ${c5424[5] ?? ''}` };
    }
    const iso = ISO_LINE.exec(line);
    if (iso) {
      const time = isoSeconds(iso[1] as string);
      if (!Number.isFinite(time)) throw new AdapterError(source.file, source.line, `not a timestamp: "${iso[1]}"`, 'timestamp');
      return { time, host: iso[2] as string, tag: iso[3] as string };
    }
    const classic = CLASSIC.exec(line);
    // A line without a host (`Nov 23 21:50:37 sshd[8148]: ...`): what stands in its place is the tag.
    if (classic && (classic[7] as string).endsWith(':')) return { time: classicTime(classic, source), host: '', tag: `${classic[7]} ${classic[8]}` };
    if (classic) return { time: classicTime(classic, source), host: classic[7] as string, tag: classic[8] as string };
    throw new AdapterError(source.file, source.line, `not a syslog line (no "Mmm dd hh:mm:ss host" or ISO 8601 timestamp): "${line.slice(0, 60)}"`, 'timestamp');
  };

  const parseLine = (line: string, source: SourceRef, knownTime?: number): CanonicalEvent | NoEvent | null => {
    if (line.trim() === '') return null;
    const h = header(line, source);
    const tag = TAG.exec(h.tag);
    if (!tag) throw new AdapterError(source.file, source.line, `no "program[pid]:" tag: "${h.tag.slice(0, 60)}"`, 'program');
    const program = (tag[1] as string).toLowerCase();
    const meaning = interpret(program, tag[2]?.toLowerCase(), tag[4] as string);
    if (typeof meaning === 'string') return noEvent(meaning);
    const dst = normaliseHost(h.host);
    const user = normaliseUser(meaning.user).user;
    // Local actions (sudo, su, cron, sessions) come from the host itself, as LANL writes src = dst; a network
    // service's line that does not name its client has no source.
    const src = meaning.remote !== undefined ? remoteHost(meaning.remote) : NETWORK_PROGRAMS.has(program) ? ABSENT : dst;
    const target = meaning.target !== undefined ? normaliseUser(meaning.target).user : ABSENT;
    const fields = [user, src, dst, program, meaning.action, meaning.auth ?? ABSENT, meaning.outcome, target];
    return {
      time: knownTime ?? h.time,
      entities: { user, src_host: src, dst_host: dst },
      fields,
      ...(meaning.repeated !== undefined ? { numeric: { repeated: meaning.repeated } } : {}),
      text: tag[4] as string,
      raw: line,
      source,
    };
  };

  return {
    name: 'authlog',
    fieldNames: FIELD_NAMES,
    entityKey: 'user',
    entityNames: ENTITY_NAMES,
    labelEntities: ['user', 'src_host', 'dst_host'],
    textSource: ['dst_host', 'program'],
    // Shipped as the raw line in `message` (with the shipper's @timestamp), like LANL: the entities live inside
    // text, so SeqSentry stamps anomaly.entity and anomaly.time on what it scores and finds history by those.
    documentFields: null,
    parse(record, source) {
      if (typeof record === 'string') return parseLine(record, source);
      // A shipper sends the raw line as `message`; its @timestamp (which has a year) wins over the line's.
      const message = record.message;
      if (typeof message !== 'string') {
        throw new AdapterError(source.file, source.line, 'auth.log records are lines, or documents whose "message" holds one; this document has no string "message"', 'message');
      }
      const stamp = record['@timestamp'];
      const time = typeof stamp === 'string' ? isoSeconds(stamp) : typeof stamp === 'number' ? stamp / 1000 : undefined;
      const event = parseLine(message, source, time !== undefined && Number.isFinite(time) ? time : undefined);
      if (!event) throw new AdapterError(source.file, source.line, 'the "message" is blank', 'message');
      return event;
    },
  };
}

export const authlog: AdapterFactory = Object.freeze({
  name: 'authlog',
  summary: 'Linux auth.log lines (sshd, sudo, su, PAM, CRON, systemd-logind, useradd, login); classic syslog, RFC 5424 or ISO timestamps; options year, timezone',
  create: createAuthlogAdapter,
});
