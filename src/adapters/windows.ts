// Windows Security authentication events (4624, 4625, 4634, 4647, 4648, 4672, 4740, 4768, 4769, 4771, 4776) as
// canonical events, from the JSON shapes shippers write: Winlogbeat (`winlog.*`), NXLog (flat), EVTX converters
// (flat with `EventData`, or evtx_dump's `Event.System` / `Event.EventData`). Other events are skipped with a reason.
import { AdapterError } from '../core/errors.js';
import type { CanonicalEvent, SourceRef } from '../core/event.js';
import { noEvent, type Adapter, type AdapterFactory, type NoEvent } from './adapter.js';
import { getPath, jsonDocument } from './json-record.js';
import { ABSENT, normaliseCode, normaliseDomain, normaliseHost, normaliseIp, normaliseUser, text } from './names.js';
import { epochSeconds, isoSeconds, plausibleTime } from './time.js';

/** The canonical fields, in order. `auth_type` is the name the rarity pairs look for (user + auth_type). */
const FIELD_NAMES = [
  'user', 'src_host', 'dst_host', 'event_id', 'auth_type', 'logon_type', 'outcome', 'status', 'sub_status',
  'ticket_options', 'encryption_type', 'elevated_token', 'domain',
] as const;
const ENTITY_NAMES = ['user', 'src_host', 'dst_host', 'src_ip'] as const;

/** Where each event id keeps its account, its hosts and its authentication package (EventData names). */
interface Spec {
  /** The account the event is about: the one logged on, asked a ticket for, validated, locked out. */
  user: string;
  /** Its domain, when the event has one apart from the name (4771 and 4776 have none; 4740's is the caller). */
  domain?: string;
  /** Source host names, first present wins; the client IP (IpAddress) is the fallback. */
  src: readonly string[];
  /** A session on the logging computer (logoff, privileges, explicit credentials): it is the source too, as LANL writes src = dst. */
  local?: true;
  /** 4648's IpAddress is the target server's, not a client's. */
  ipIsTarget?: true;
  /** The target named by the event (4648's server, 4769's service); the logging computer otherwise. */
  dst?: string;
  /** The authentication package field, or a fixed package (Kerberos events name none). */
  auth?: { field: string } | { fixed: string };
  /** The outcome when the event carries no status code: 4625 and 4771 are failures by definition. */
  failure?: true;
}

const LOGON: Spec = { user: 'TargetUserName', domain: 'TargetDomainName', src: ['WorkstationName'], auth: { field: 'AuthenticationPackageName' } };
const KERBEROS = { fixed: 'Kerberos' } as const;

/** Field names as Microsoft documents them for each event (learn.microsoft.com, "event-46xx"). */
const SPECS: Readonly<Record<string, Spec>> = Object.freeze({
  '4624': LOGON,
  '4625': { ...LOGON, failure: true },
  '4634': { user: 'TargetUserName', domain: 'TargetDomainName', src: [], local: true },
  '4647': { user: 'TargetUserName', domain: 'TargetDomainName', src: [], local: true },
  // explicit credentials: the account whose credentials were used, from this computer to TargetServerName
  '4648': { user: 'TargetUserName', domain: 'TargetDomainName', src: [], dst: 'TargetServerName', local: true, ipIsTarget: true },
  '4672': { user: 'SubjectUserName', domain: 'SubjectDomainName', src: [], local: true },
  // account lockout: TargetDomainName holds the caller computer name (the machine the failed logons came from)
  '4740': { user: 'TargetUserName', src: ['TargetDomainName'] },
  '4768': { user: 'TargetUserName', domain: 'TargetDomainName', src: [], auth: KERBEROS },
  '4769': { user: 'TargetUserName', domain: 'TargetDomainName', src: [], dst: 'ServiceName', auth: KERBEROS },
  '4771': { user: 'TargetUserName', src: [], auth: KERBEROS, failure: true },
  '4776': { user: 'TargetUserName', src: ['Workstation'], auth: { field: 'PackageName' } },
});

const SECURITY_PROVIDER = 'microsoft-windows-security-auditing';
/** Keywords bit 52: "Audit Failure" (0x8010000000000000), as NXLog and EVTX converters pass them on. */
const AUDIT_FAILURE_BIT = 0x10n << 48n;

/** One record's parts, wherever its shape keeps them. */
interface Located {
  id: unknown;
  idPath: string;
  time: unknown;
  timePath: string;
  computer: unknown;
  channel: unknown;
  provider: unknown;
  keywords: unknown;
  data: (name: string) => unknown;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function firstOf(doc: Record<string, unknown>, paths: readonly string[]): { value: unknown; path: string } {
  for (const path of paths) {
    const value = getPath(doc, path);
    if (value !== undefined && value !== null && value !== '') return { value, path };
  }
  return { value: undefined, path: paths[0] as string };
}

/** Finds the event id, time, computer and EventData of the shapes shippers write, or undefined for none. */
function locate(doc: Record<string, unknown>): Located | undefined {
  const winlog = obj(doc.winlog);
  if (winlog || 'winlog.event_id' in doc) {
    // Winlogbeat: ECS around `winlog`, EventData under winlog.event_data (nested, or flattened dotted keys)
    const t = firstOf(doc, ['@timestamp', 'event.created']);
    return {
      id: getPath(doc, 'winlog.event_id') ?? getPath(doc, 'event.code'), idPath: 'winlog.event_id', time: t.value, timePath: t.path,
      computer: getPath(doc, 'winlog.computer_name') ?? getPath(doc, 'host.name'), channel: getPath(doc, 'winlog.channel'),
      provider: getPath(doc, 'winlog.provider_name'), keywords: getPath(doc, 'winlog.keywords') ?? getPath(doc, 'event.outcome'),
      data: (name) => getPath(doc, `winlog.event_data.${name}`),
    };
  }
  const event = obj(doc.Event);
  const system = obj(event?.System);
  if (event && system) {
    // evtx_dump / python-evtx XML-as-JSON: attributes under `#attributes`, element text under `#text`
    const created = obj(system.TimeCreated);
    const provider = obj(system.Provider);
    const data = obj(event.EventData) ?? {};
    return {
      id: obj(system.EventID)?.['#text'] ?? system.EventID, idPath: 'Event.System.EventID',
      time: obj(created?.['#attributes'])?.SystemTime ?? created?.SystemTime, timePath: 'Event.System.TimeCreated.SystemTime',
      computer: system.Computer, channel: system.Channel, provider: obj(provider?.['#attributes'])?.Name ?? provider?.Name,
      keywords: system.Keywords, data: (name) => data[name],
    };
  }
  if (!('EventID' in doc)) return undefined;
  // NXLog (EventData flattened into the record) and EVTX-to-JSON converters (EventData as an object, or as the XML's
  // list of named Data elements)
  const data = eventData(doc.EventData);
  const t = firstOf(doc, ['@timestamp', 'TimeCreated', 'EventTime']);
  return {
    id: obj(doc.EventID)?.['#text'] ?? doc.EventID, idPath: 'EventID', time: t.value, timePath: t.path,
    computer: doc.Computer ?? doc.Hostname, channel: doc.Channel, provider: doc.Provider ?? doc.SourceName,
    keywords: doc.Keywords ?? doc.EventType, data: data ? (name) => data[name] ?? doc[name] : (name) => doc[name],
  };
}

/**
 * EventData as an object of its values: as converters write it (`{"TargetUserName": "alice"}`), or as the event's XML
 * reads into JSON, a list of named Data elements (`{"Data": [{"Name": "TargetUserName", "#text": "alice"}]}`, the name
 * also as `@Name` or under `#attributes`).
 */
function eventData(value: unknown): Record<string, unknown> | undefined {
  const o = obj(value);
  if (!o || !Array.isArray(o.Data)) return o;
  const out: Record<string, unknown> = {};
  for (const d of o.Data) {
    const e = obj(d);
    const name = e?.Name ?? e?.['@Name'] ?? obj(e?.['#attributes'])?.Name;
    if (e && typeof name === 'string' && !Object.hasOwn(out, name)) out[name] = e['#text'] ?? e.Value ?? null;
  }
  return out;
}

function eventId(value: unknown, source: SourceRef, path: string): string {
  const t = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^\d{1,6}$/.test(t)) throw new AdapterError(source.file, source.line, `not an event id: ${JSON.stringify(value)?.slice(0, 80)}`, path);
  return String(Number(t));
}

function seconds(value: unknown, source: SourceRef, path: string): number {
  if (value === undefined) throw new AdapterError(source.file, source.line, 'no time (looked at @timestamp, TimeCreated, EventTime, Event.System.TimeCreated)', path);
  // Numbers by their magnitude (epoch milliseconds as ECS and OpenSearch write dates, or seconds).
  const t = typeof value === 'number' ? epochSeconds(value) : typeof value === 'string' ? isoSeconds(value.trim()) : NaN;
  if (!Number.isFinite(t)) throw new AdapterError(source.file, source.line, `not a timestamp: ${JSON.stringify(value)?.slice(0, 80)}`, path);
  return plausibleTime(t, value, source, path);
}

/** Whether the shipper marked the event "Audit Failure" (Keywords bits, NXLog's EventType, Winlogbeat's keywords). */
function auditFailure(keywords: unknown): boolean {
  if (Array.isArray(keywords)) return keywords.some((k) => typeof k === 'string' && /audit failure/i.test(k));
  if (typeof keywords === 'string') {
    if (/^(?:audit[_ ]failure|failure)$/i.test(keywords.trim())) return true;
    if (/^0x[0-9a-f]{1,16}$/i.test(keywords.trim())) return (BigInt(keywords.trim()) & AUDIT_FAILURE_BIT) !== 0n;
    if (/^-?\d{1,20}$/.test(keywords.trim())) return (BigInt.asUintN(64, BigInt(keywords.trim())) & AUDIT_FAILURE_BIT) !== 0n;
    return false;
  }
  // NXLog writes the 64-bit Keywords as a signed number, which a double cannot hold exactly: only the top bits count.
  if (typeof keywords === 'number' && Number.isFinite(keywords)) return (BigInt.asUintN(64, BigInt(Math.trunc(keywords))) & AUDIT_FAILURE_BIT) !== 0n;
  return false;
}

/** `%%1842` (Yes) and `%%1843` (No) as the message table renders them; Winlogbeat may have rendered them already. */
function elevated(value: unknown): string {
  const t = text(value)?.toLowerCase();
  if (t === '%%1842' || t === 'yes' || t === 'true') return 'yes';
  if (t === '%%1843' || t === 'no' || t === 'false') return 'no';
  return ABSENT;
}

function authPackage(spec: Spec, data: Located['data']): string {
  if (!spec.auth) return ABSENT;
  if ('fixed' in spec.auth) return spec.auth.fixed;
  const t = text(data(spec.auth.field));
  // 4776 names the NTLM package by its internal name
  return t === undefined ? ABSENT : /^MICROSOFT_AUTHENTICATION_PACKAGE_V1_0$/i.test(t) ? 'NTLM' : t;
}

function toEvent(doc: Record<string, unknown>, source: SourceRef): CanonicalEvent | NoEvent {
  const at = locate(doc);
  if (!at) throw new AdapterError(source.file, source.line, 'no Windows event id (looked at winlog.event_id, Event.System.EventID, EventID)', 'EventID');
  const id = eventId(at.id, source, at.idPath);
  const provider = text(at.provider)?.toLowerCase();
  const channel = text(at.channel)?.toLowerCase();
  // Event ids are per provider: PowerShell's 4103 or OpenSSH's 4 are not Security events.
  const security = provider === undefined ? channel === undefined || channel === 'security' : provider === SECURITY_PROVIDER || provider === 'security';
  const spec = security ? SPECS[id] : undefined;
  if (!spec) return noEvent(`not an authentication event: ${security ? 'Security' : (text(at.channel) ?? text(at.provider))?.slice(0, 60)} event ${id}`);
  const time = seconds(at.time, source, at.timePath);
  const { data } = at;
  const account = data(spec.user);
  // An account that is an object or a list (a broken converter, a hand-built document) is an error on that field,
  // never the unknown user `?` it would otherwise be scored as.
  if (account !== undefined && account !== null && typeof account !== 'string' && typeof account !== 'number') {
    throw new AdapterError(source.file, source.line, `not an account name: ${JSON.stringify(account)?.slice(0, 80)}`, spec.user);
  }
  const named = normaliseUser(account);
  const domain = spec.domain ? normaliseDomain(data(spec.domain)) : named.domain ?? ABSENT;
  const computer = normaliseHost(at.computer);
  const ip = spec.ipIsTarget ? ABSENT : normaliseIp(data('IpAddress'));
  const src = spec.local ? computer : spec.src.map((f) => normaliseHost(data(f))).find((h) => h !== ABSENT) ?? ip;
  // A named target that is absent or loopback (4648's "localhost") is the logging computer itself.
  const target = spec.dst ? normaliseHost(data(spec.dst)) : ABSENT;
  const dst = target !== ABSENT ? target : computer;
  const status = normaliseCode(data('Status'));
  const failed = status !== ABSENT ? status !== '0x0' : spec.failure === true || auditFailure(at.keywords);
  const fields = [
    named.user, src, dst, id, authPackage(spec, data), text(data('LogonType')) ?? ABSENT, failed ? 'failure' : 'success', status,
    normaliseCode(data('SubStatus')), normaliseCode(data('TicketOptions')), normaliseCode(data('TicketEncryptionType')),
    elevated(data('ElevatedToken')), domain,
  ];
  return { time, entities: { user: named.user, src_host: src, dst_host: dst, src_ip: ip }, fields, raw: doc, source };
}

export const windows: AdapterFactory = Object.freeze({
  name: 'windows',
  summary: 'Windows Security logon events (4624, 4625, 4634, 4647, 4648, 4672, 4740, 4768, 4769, 4771, 4776) as JSON: Winlogbeat, NXLog, EVTX converters; other events are skipped with the reason',
  create(options: Record<string, unknown> = {}): Adapter {
    const unknown = Object.keys(options);
    if (unknown.length > 0) throw new AdapterError('windows adapter options', 0, `unknown option(s): ${unknown.join(', ')}`);
    return {
      name: 'windows',
      fieldNames: FIELD_NAMES,
      entityKey: 'user',
      entityNames: ENTITY_NAMES,
      labelEntities: ['user', 'src_host', 'dst_host'],
      // As Winlogbeat stores them: ECS time, and the fields its Security module fills for logon events (what
      // aggregate groups by). The entity values are normalised, so history is refilled by the stamped anomaly.entity,
      // or, where the event's TargetUserName is the user in upper case (`SYSTEM`, `U12`), by that field.
      documentFields: {
        time: '@timestamp',
        entitiesDerived: true,
        // Every shape's TargetUserName (Winlogbeat, NXLog, EVTX converters, evtx_dump): the user of every event but
        // 4672 (SubjectUserName, which carries none of these, so it is stamped); user.name is left out, as an ingest
        // pipeline downstream may set it to another account of the event (4648's subject).
        foldedEntityPaths: { user: ['winlog.event_data.TargetUserName', 'TargetUserName', 'EventData.TargetUserName', 'Event.EventData.TargetUserName'] },
        entities: { user: 'user.name', src_host: 'source.domain', dst_host: 'host.name', src_ip: 'source.ip' },
        // then NXLog's and the EVTX converters' names, for indices their documents went into as they are
        entityPaths: {
          user: ['user.name', 'winlog.event_data.TargetUserName', 'TargetUserName', 'EventData.TargetUserName'],
          src_host: ['source.domain', 'winlog.event_data.WorkstationName', 'source.ip', 'WorkstationName', 'EventData.WorkstationName'],
          dst_host: ['host.name', 'winlog.computer_name', 'Hostname', 'Computer'],
          src_ip: ['source.ip', 'winlog.event_data.IpAddress', 'IpAddress', 'EventData.IpAddress'],
        },
      },
      parse(record, source) {
        const doc = jsonDocument(record, source);
        return doc && toEvent(doc, source);
      },
    };
  },
});
