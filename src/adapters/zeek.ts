// Zeek logs as canonical events: TSV (the ASCII writer's headers, `-` unset, `(empty)`, gzip through the reader) and
// JSON lines (Zeek's own `_path`, shippers' `@stream`, dotted or underscored names). One event per record of the log
// types below, its fields the log type's cleaned features (zeek-fields.ts); other log types are skipped by name.
// Entities: the connection's uid, both addresses, and the host behind each (zeek-hosts.ts: trusted MAC, DHCP lease
// holder, else the address), dhcp records read for those leases.
import { basename } from 'node:path';
import { z } from 'zod';
import { AdapterError } from '../core/errors.js';
import type { CanonicalEvent, SourceRef } from '../core/event.js';
import { isNoEvent, noEvent, type Adapter, type AdapterFactory, type NoEvent } from './adapter.js';
import { jsonDocument } from './json-record.js';
import { ABSENT, normaliseIp } from './names.js';
import { parseAdapterOptions } from './options.js';
import { AUTH_CLEANERS } from './zeek-clean-auth.js';
import { NET_CLEANERS } from './zeek-clean-net.js';
import { addressScope, portClass } from './zeek-features.js';
import { ZEEK_FIELDS, type Cleaner, type ZeekField } from './zeek-fields.js';
import { ZeekHosts, type HostCounts } from './zeek-hosts.js';
import { ZeekTsvReader } from './zeek-tsv.js';
import { list, num, str, zeekTime, type ZeekRecord } from './zeek-values.js';

/** The log types read, each by its cleaner: the one place a Zeek log type name is resolved. */
export const ZEEK_CLEANERS: Readonly<Record<string, Cleaner>> = Object.freeze({ ...NET_CLEANERS, ...AUTH_CLEANERS });
export const ZEEK_LOG_TYPES = Object.freeze(Object.keys(ZEEK_CLEANERS));

/**
 * Log types read for what they tell about the others, never scored: dhcp's leases name the host behind an address
 * (zeek-hosts.ts). Their files are read before the rest (Adapter.readsFirst), so a lease is known when its records come.
 */
const SIDE_LOGS: Readonly<Record<string, (hosts: ZeekHosts, rec: ZeekRecord, ts: number) => void>> = Object.freeze({
  dhcp: (hosts, rec, ts) => hosts.lease(rec, ts),
});

const ENTITY_NAMES = ['uid', 'src_ip', 'dst_ip', 'src_host', 'dst_host'] as const;

const OptionsSchema = z
  .object({
    /** The log type of every record, whatever the file name, `#path` or `_path` say (a renamed or merged file). */
    log_type: z.enum([...ZEEK_LOG_TYPES, ...Object.keys(SIDE_LOGS)] as [string, ...string[]]).optional(),
    /** DHCP leases kept at most for host identity (the lease recorded first is forgotten past it). */
    max_leases: z.number().int().positive().optional(),
    /** MACs known to be routers (a cloud's virtual gateway, e.g. Azure's 12:34:56:78:9a:bc): never taken as a host. */
    router_macs: z.array(z.string().regex(/^[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}$/, 'a MAC such as 00:0d:3a:13:e3:69')).optional(),
  })
  .strict();

/**
 * The log type a file name gives: `conn.log`, `conn.log.gz`, `conn.json.gz`, `conn.00:00:00-01:00:00.log.gz`,
 * `conn.log.labeled.gz`, and a sensor prefix (`NASHUA_conn.log`, `UTICA-A_smb_files.log`). The longest known type
 * ending the name's stem wins, so `smb_files` is not read as `files`.
 */
export function logTypeOfFile(file: string): string | undefined {
  const stem = basename(file).split('.')[0] as string;
  let found: string | undefined;
  for (const t of KNOWN_PATHS) {
    if ((stem === t || stem.endsWith(`_${t}`)) && (found === undefined || t.length > found.length)) found = t;
  }
  return found;
}

/** Every log type Zeek ships that the shared captures hold, read or not: a file named for one is a Zeek log. */
const KNOWN_PATHS = [
  ...ZEEK_LOG_TYPES, 'analyzer', 'capture_loss', 'dpd', 'ftp', 'known_certs', 'known_hosts', 'known_services', 'ldap', 'ldap_search',
  'loaded_scripts', 'modbus', 'ntp', 'ocsp', 'packet_filter', 'pe', 'reporter', 'rfb', 'sip', 'smtp', 'snmp', 'software',
  'stats', 'syslog', 'tunnel', 'dhcp', 'irc', 'mysql', 'radius', 'socks', 'conn_long', 'signatures', 'intel',
];

/** The connection uid a record belongs to: its own, or (files) the first connection that carried the file. */
function uidOf(rec: ZeekRecord): string {
  return str(rec, 'uid') ?? list(rec, 'conn_uids')[0] ?? ABSENT;
}

/**
 * The originator and responder addresses: `id.orig_h`/`id.resp_h`; files.log's sender (`tx_hosts`) and receiver
 * (`rx_hosts`) when the record has no `id`; notice.log's `src`/`dst` when it has neither.
 */
function endpoints(rec: ZeekRecord): { src: string | undefined; dst: string | undefined; port: number | undefined } {
  const src = str(rec, 'id.orig_h') ?? list(rec, 'tx_hosts')[0] ?? str(rec, 'src');
  const dst = str(rec, 'id.resp_h') ?? list(rec, 'rx_hosts')[0] ?? str(rec, 'dst');
  return { src, dst, port: num(rec, 'id.resp_p') ?? num(rec, 'p') };
}

const CONTROL = /[\t\r\n]/;

function toEvent(rec: ZeekRecord, logType: string, cleaner: Cleaner, source: SourceRef): CanonicalEvent {
  const time = zeekTime(rec, 'ts', source);
  const { src, dst, port } = endpoints(rec);
  const cleaned = cleaner(rec, time);
  const values: Partial<Record<ZeekField, string>> = {
    ...cleaned,
    log_type: logType,
    src_scope: addressScope(src),
    dst_scope: addressScope(dst),
    dst_port: portClass(port, str(rec, 'proto')),
  };
  const fields = ZEEK_FIELDS.map((f) => {
    const v = values[f];
    // values are tokens: a tab or newline inside one would break the events TSV, `?` is the absent token
    if (v === undefined || v === '') return ABSENT;
    return CONTROL.test(v) ? v.replace(/[\t\r\n]/g, ' ') : v;
  });
  // Addresses as the other adapters spell them (`::ffff:a.b.c.d` as IPv4); loopback is kept: for Zeek it is a real endpoint.
  const ip = (a: string | undefined) => (a === undefined ? ABSENT : a.startsWith('127.') || a === '::1' ? a : normaliseIp(a));
  // src_host/dst_host are named by nameHosts once the record's l2 addresses have been sighted
  return { time, entities: { uid: uidOf(rec), src_ip: ip(src), dst_ip: ip(dst), src_host: ABSENT, dst_host: ABSENT }, fields, raw: rec, source };
}

/** An event's addresses and raw record, as ZeekHosts reads them. */
function endpointsOf(e: CanonicalEvent): [ZeekRecord, string | undefined, string | undefined, number] {
  const addr = (a: string | undefined) => (a === undefined || a === ABSENT ? undefined : a);
  return [(e.raw ?? {}) as ZeekRecord, addr(e.entities.src_ip), addr(e.entities.dst_ip), e.time];
}

/** Names an event's src_host/dst_host by what `hosts` has read so far. */
function nameHosts(hosts: ZeekHosts, e: CanonicalEvent): void {
  const host = hosts.name(...endpointsOf(e));
  e.entities.src_host = host.src ?? ABSENT;
  e.entities.dst_host = host.dst ?? ABSENT;
}

/** The zeek adapter, and what its host identity has read so far (for tests and reports). */
export interface ZeekAdapter extends Adapter {
  hostCounts(): HostCounts;
  /**
   * For a reader that merges files by time (readZeekConnections): `parse` leaves src_host/dst_host unnamed, `sight`
   * reads an event's l2 addresses (on the merged events, in time order) and `name` names its hosts (later, when its
   * connection is emitted). A merge parses each file's next record ahead, out of time order (a file that starts later
   * has its first record parsed at once), while sightings must be read in it; and Zeek writes a conn record when its
   * connection ends, so the record that shows a MAC to be a router can come minutes after records it should change.
   * All three share this adapter's leases and sightings, which each call starts afresh.
   */
  deferredHosts(): { parse: Adapter['parse']; sight(e: CanonicalEvent): void; name(e: CanonicalEvent): void };
}

/** The zeek adapter's extras when `adapter` is one (readers take any Adapter). */
export function asZeekAdapter(adapter: Adapter): ZeekAdapter | undefined {
  return 'deferredHosts' in adapter && typeof adapter.deferredHosts === 'function' ? (adapter as ZeekAdapter) : undefined;
}

export function createZeekAdapter(options: Record<string, unknown> = {}): ZeekAdapter {
  const opts = parseAdapterOptions(OptionsSchema, options);
  const tsv = new ZeekTsvReader();
  // per adapter, so one input's leases and l2 sightings name the hosts of that input's records
  const newHosts = () => new ZeekHosts({ maxLeases: opts.max_leases, routerMacs: opts.router_macs });
  let hosts = newHosts();

  function logTypeOf(recordPath: string | undefined, source: SourceRef): string {
    const t = opts.log_type ?? recordPath ?? logTypeOfFile(source.file);
    if (t === undefined) {
      throw new AdapterError(source.file, source.line, 'no log type: no #path header, _path or @stream, and the file name names none (adapter option log_type sets it)', '#path');
    }
    return t;
  }

  function parseDeferred(record: string | Record<string, unknown>, source: SourceRef): CanonicalEvent | NoEvent | null {
    let rec: ZeekRecord;
    let path: string | undefined;
    if (typeof record === 'string' && ZeekTsvReader.looksLikeTsv(record)) {
      const line = tsv.read(record, source);
      if (line.header) return null;
      rec = line.record;
      path = line.path;
    } else {
      const doc = jsonDocument(record, source);
      if (!doc) return null;
      rec = doc;
      path = str(doc, '_path') ?? str(doc, '@stream');
    }
    const logType = logTypeOf(path, source);
    const side = Object.hasOwn(SIDE_LOGS, logType) ? SIDE_LOGS[logType] : undefined;
    if (side) {
      side(hosts, rec, zeekTime(rec, 'ts', source));
      return noEvent(`zeek ${logType} record: read for host identity, not scored`);
    }
    // own keys only: a record's `_path` of `__proto__` or `constructor` must not reach Object.prototype
    const cleaner = Object.hasOwn(ZEEK_CLEANERS, logType) ? ZEEK_CLEANERS[logType] : undefined;
    if (!cleaner) return noEvent(`zeek log type ${logType.slice(0, 40)} is not one the zeek adapter reads`);
    return toEvent(rec, logType, cleaner, source);
  }

  // One record at a time (a file read in order, a document sent to the sidecar): its hosts are named at once.
  function parse(record: string | Record<string, unknown>, source: SourceRef): CanonicalEvent | NoEvent | null {
    const e = parseDeferred(record, source);
    if (e !== null && !isNoEvent(e)) {
      hosts.sight(...endpointsOf(e));
      nameHosts(hosts, e);
    }
    return e;
  }

  return {
    name: 'zeek',
    fieldNames: ZEEK_FIELDS,
    // a host's recent connections are the context by default; `--entity uid` makes it the connection's records
    entityKey: 'src_ip',
    entityNames: ENTITY_NAMES,
    labelEntities: ['uid'],
    // a uid names one connection: never seen again after it, so no hour habit is learnt for it
    transientEntities: ['uid'],
    // hosts are a context choice; the fused memory's pairs stay as measured (README: zeek host identity)
    unpairedEntities: ['src_host', 'dst_host'],
    readsFirst: (file) => Object.hasOwn(SIDE_LOGS, logTypeOfFile(file) ?? ''),
    hostCounts: () => hosts.counts(),
    deferredHosts: () => {
      // Each merged reading starts afresh: zeek-seq reads its input twice (score: history, then scores), and both
      // readings must name every host alike, not the second with what the first found.
      hosts = newHosts();
      return { parse: parseDeferred, sight: (e) => hosts.sight(...endpointsOf(e)), name: (e) => nameHosts(hosts, e) };
    },
    // Zeek's JSON as shipped (ISO `ts`); the files log's uid and hosts come from other fields, and src_host/dst_host
    // from the records before (leases, l2 sightings), so history is refilled by the stamped anomaly.entity. The hosts
    // have no document field of their own: entityPaths leaves them out, so `aggregate` does not count a router's MAC
    // or a lease it never saw as a host.
    documentFields: {
      time: 'ts',
      entitiesDerived: true,
      entities: { uid: 'uid', src_ip: 'id.orig_h', dst_ip: 'id.resp_h' },
      entityPaths: {
        uid: ['uid', 'conn_uids'],
        src_ip: ['id.orig_h', 'id_orig_h', 'tx_hosts', 'src'],
        dst_ip: ['id.resp_h', 'id_resp_h', 'rx_hosts', 'dst'],
      },
    },
    parse,
  };
}

export const zeek: AdapterFactory = Object.freeze({
  name: 'zeek',
  summary: `Zeek logs, TSV or JSON, plain or gzip: ${ZEEK_LOG_TYPES.join(', ')}, each record's cleaned features; other log types are skipped by name`,
  create: createZeekAdapter,
});
