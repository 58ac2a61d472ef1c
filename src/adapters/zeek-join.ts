// Zeek's records joined into connections by `uid`: the conn record first, then the connection's dns, http, ssl, ...
// records by time. Bounded in memory: a connection stays open only until the stream's time has passed its end by a
// linger window, and at most `maxOpen` stay open at once (the oldest is closed early past that). A record whose conn
// record never comes (the conn log was not shipped, or the connection outlived the capture) is not dropped: its
// connection is emitted with `conn: false` when it closes. A record of no connection (a weird without uid, a
// certificate seen on no connection still open) is a connection of its own, emitted at once.
import type { CanonicalEvent } from '../core/event.js';
import { ABSENT } from './names.js';
import { ZEEK_FIELDS } from './zeek-fields.js';
import { list, num, str, type ZeekRecord } from './zeek-values.js';

export interface ZeekConnection {
  /** The connection's uid; `?` for a record of no connection. */
  uid: string;
  /** Whether the conn record came: then it is `events[0]`. */
  conn: boolean;
  /** The conn record (when it came), then the others in time order (ties in arrival order). */
  events: CanonicalEvent[];
}

export interface JoinOptions {
  /** Seconds of stream time a connection stays open after its end (conn ts + duration, or its latest record). */
  lingerSeconds?: number;
  /** Open connections held at most; past that the one opened first is emitted early. */
  maxOpen?: number;
}

export interface JoinStats {
  connections: number;
  /** Connections emitted without their conn record. */
  withoutConn: number;
  /** Connections emitted early because `maxOpen` were open. */
  forced: number;
}

/** Zeek writes a connection's app-layer records within about its inactivity timeouts (TCP 5 min) of its last packet. */
export const DEFAULT_LINGER_SECONDS = 360;
export const DEFAULT_MAX_OPEN = 100_000;

const LOG_TYPE = ZEEK_FIELDS.indexOf('log_type');

interface Open {
  uid: string;
  conn: CanonicalEvent | undefined;
  rest: CanonicalEvent[];
  /** The latest time the connection is known to reach. */
  end: number;
  /** The certificate keys its ssl records registered (forgotten with it). */
  certKeys: string[];
}

/** When a connection started: its conn record's time, or its first record's. */
function startOf(c: Open): number {
  return (c.conn ?? (c.rest[0] as CanonicalEvent)).time;
}

function close(c: Open): ZeekConnection {
  const rest = c.rest.map((e, i) => [e, i] as const).sort((a, b) => a[0].time - b[0].time || a[1] - b[1]).map(([e]) => e);
  return { uid: c.uid, conn: c.conn !== undefined, events: c.conn ? [c.conn, ...rest] : rest };
}

/** The certificates' file ids (older Zeek: x509 `id`, ssl `cert_chain_fuids`) and fingerprints (newer: `fingerprint`, `cert_chain_fps`). */
function certKeysOf(raw: ZeekRecord): string[] {
  return [...list(raw, 'cert_chain_fuids'), ...list(raw, 'cert_chain_fps')];
}

/**
 * Joins time-ordered Zeek events (of one or several log types, as mergeByTime gives them) into connections. The
 * input may be out of order by less than the linger window (conn records are written when a connection ends but
 * carry its start time): a connection is emitted once the stream is past its end by the window.
 */
export async function* joinByUid(events: AsyncIterable<CanonicalEvent>, options: JoinOptions = {}, stats: JoinStats = { connections: 0, withoutConn: 0, forced: 0 }): AsyncGenerator<ZeekConnection> {
  const linger = options.lingerSeconds ?? DEFAULT_LINGER_SECONDS;
  const maxOpen = options.maxOpen ?? DEFAULT_MAX_OPEN;
  const open = new Map<string, Open>();
  // certificate file id or fingerprint → the uid of the latest ssl connection that carried it (x509 records have no uid)
  const certs = new Map<string, string>();
  let watermark = -Infinity;
  let swept = -Infinity;

  const emit = (c: Open): ZeekConnection => {
    open.delete(c.uid);
    for (const k of c.certKeys) if (certs.get(k) === c.uid) certs.delete(k);
    stats.connections += 1;
    if (!c.conn) stats.withoutConn += 1;
    return close(c);
  };

  for await (const e of events) {
    watermark = Math.max(watermark, e.time);
    const raw = (e.raw ?? {}) as ZeekRecord;
    let uid = e.entities.uid ?? ABSENT;
    if (uid === ABSENT) uid = certs.get(str(raw, 'id') ?? '') ?? certs.get(str(raw, 'fingerprint') ?? '') ?? ABSENT;
    if (uid === ABSENT || (!open.has(uid) && e.fields[LOG_TYPE] === 'x509')) {
      stats.connections += 1;
      stats.withoutConn += 1;
      yield { uid, conn: false, events: [e] };
    } else {
      let c = open.get(uid);
      if (!c) {
        c = { uid, conn: undefined, rest: [], end: e.time, certKeys: [] };
        open.set(uid, c);
      }
      if (e.fields[LOG_TYPE] === 'conn' && c.conn === undefined) {
        c.conn = e;
        c.end = Math.max(c.end, e.time + (num(raw, 'duration') ?? 0));
      } else {
        c.rest.push(e);
        c.end = Math.max(c.end, e.time);
      }
      for (const k of certKeysOf(raw)) {
        certs.set(k, uid);
        c.certKeys.push(k);
      }
      if (open.size > maxOpen) {
        const first = open.values().next().value as Open;
        stats.forced += 1;
        yield emit(first);
      }
    }
    // Sweep for closed connections a few times per window, not per event: the scan is over every open connection.
    if (watermark - swept >= linger / 4) {
      swept = watermark;
      const due = [...open.values()].filter((c) => c.end + linger < watermark).sort((a, b) => startOf(a) - startOf(b));
      for (const c of due) yield emit(c);
    }
  }
  const rest = [...open.values()].sort((a, b) => startOf(a) - startOf(b));
  for (const c of rest) yield emit(c);
}
