// The feature vector each Zeek log type is clustered on: numbers read from the raw record (log-scaled sizes, ratios,
// durations, name length and entropy) beside categorical fields taken from the adapter's cleaned event, so the
// cleaners stay the one place a record's categories are decided. One table per log type, looked up by name.
import { ZEEK_FIELDS, type ZeekField } from '../../adapters/zeek-fields.js';
import { entropy } from '../../adapters/zeek-features.js';
import { list, num, str, type ZeekRecord } from '../../adapters/zeek-values.js';
import { ABSENT } from '../../adapters/names.js';
import type { CanonicalEvent } from '../../core/event.js';

/** One feature's value: a number, a category, or null when the record does not have it. */
export type FeatureValue = number | string | null;

export type FeatureKind = 'num' | 'cat';

interface NumericFeature {
  readonly name: string;
  readonly kind: 'num';
  readonly get: (rec: ZeekRecord) => number | undefined;
}

interface CategoricalFeature {
  readonly name: ZeekField;
  readonly kind: 'cat';
}

export type Feature = NumericFeature | CategoricalFeature;

/** `log2(1 + n)`: sizes and counts span orders of magnitude, and a range-normalised distance needs them flat. */
function log2p(n: number | undefined): number | undefined {
  return n === undefined || n < 0 ? undefined : Math.log2(1 + n);
}

/** `log2((a + 1) / (b + 1))` clipped to ±16: which side talked more; the clip keeps one odd flow from squeezing the range. */
function ratio(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || b === undefined || a < 0 || b < 0) return undefined;
  return Math.max(-16, Math.min(16, Math.log2((a + 1) / (b + 1))));
}

function sum(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0);
}

const numeric = (name: string, get: (rec: ZeekRecord) => number | undefined): NumericFeature => ({ name, kind: 'num', get });
const cat = (...names: ZeekField[]): CategoricalFeature[] => names.map((name) => ({ name, kind: 'cat' as const }));

/** Length and entropy (bits per character) of a text field: DGA names and tunnelled queries are long and random. */
const textShape = (prefix: string, field: string): NumericFeature[] => [
  numeric(`${prefix}_len`, (r) => str(r, field)?.length),
  numeric(`${prefix}_entropy`, (r) => {
    const t = str(r, field);
    return t === undefined ? undefined : entropy(t);
  }),
];

/** Seconds on a log scale in milliseconds: 1 ms and 1 s apart as much as 1 s and 17 min. */
const seconds = (name: string, field: string): NumericFeature => numeric(name, (r) => {
  const s = num(r, field);
  return s === undefined || s < 0 ? undefined : Math.log2(1 + s * 1000);
});

/** Per log type, its features in order (the order is part of the vocabulary: distances sum in it). */
export const FEATURE_TABLES: Readonly<Record<string, readonly Feature[]>> = Object.freeze({
  conn: [
    numeric('bytes', (r) => log2p(sum(num(r, 'orig_bytes'), num(r, 'resp_bytes')))),
    numeric('bytes_ratio', (r) => ratio(num(r, 'orig_bytes'), num(r, 'resp_bytes'))),
    numeric('pkts', (r) => log2p(sum(num(r, 'orig_pkts'), num(r, 'resp_pkts')))),
    numeric('pkts_ratio', (r) => ratio(num(r, 'orig_pkts'), num(r, 'resp_pkts'))),
    seconds('duration', 'duration'),
    ...cat('action', 'service', 'state', 'flags', 'dst_port', 'src_scope', 'dst_scope', 'detail'),
  ],
  dns: [
    ...textShape('query', 'query'),
    seconds('rtt', 'rtt'),
    numeric('answers', (r) => list(r, 'answers').length),
    ...cat('service', 'action', 'code', 'outcome', 'flags', 'dst_port', 'dst_scope'),
  ],
  http: [
    numeric('request_body', (r) => log2p(num(r, 'request_body_len'))),
    numeric('response_body', (r) => log2p(num(r, 'response_body_len'))),
    ...textShape('uri', 'uri'),
    ...cat('action', 'code', 'version', 'agent', 'mime', 'detail', 'dst_port', 'dst_scope'),
  ],
  ssl: [
    ...textShape('sni', 'server_name'),
    numeric('chain', (r) => list(r, 'cert_chain_fuids').length || list(r, 'cert_chain_fps').length),
    ...cat('version', 'cipher', 'cert', 'outcome', 'state', 'flags', 'detail', 'dst_port', 'dst_scope'),
  ],
  x509: [
    numeric('key_length', (r) => log2p(num(r, 'certificate.key_length'))),
    ...cat('version', 'cipher', 'cert', 'code', 'flags', 'detail'),
  ],
  files: [
    numeric('seen_bytes', (r) => log2p(num(r, 'seen_bytes'))),
    numeric('missing_bytes', (r) => log2p(num(r, 'missing_bytes'))),
    seconds('duration', 'duration'),
    ...cat('action', 'mime', 'outcome', 'detail'),
  ],
  kerberos: cat('action', 'outcome', 'code', 'cipher', 'flags', 'detail', 'dst_scope'),
  ntlm: cat('action', 'outcome', 'code', 'detail', 'dst_scope'),
  smb_files: [numeric('size', (r) => log2p(num(r, 'size'))), ...cat('action', 'detail', 'mime')],
  smb_mapping: cat('action', 'service', 'detail', 'version'),
  dce_rpc: [seconds('rtt', 'rtt'), ...cat('service', 'action', 'detail', 'dst_port')],
  rdp: cat('outcome', 'cipher', 'detail', 'version', 'flags', 'cert', 'dst_scope'),
  ssh: [numeric('auth_attempts', (r) => log2p(num(r, 'auth_attempts'))), ...cat('outcome', 'version', 'agent', 'cipher', 'detail', 'dst_scope')],
  weird: cat('action', 'outcome', 'detail', 'dst_port'),
  notice: cat('action', 'service', 'mime', 'dst_port'),
});

const FIELD_INDEX: ReadonlyMap<string, number> = new Map(ZEEK_FIELDS.map((f, i) => [f, i]));
const LOG_TYPE_INDEX = FIELD_INDEX.get('log_type') as number;

/** The log type a zeek event names (its `log_type` field), or undefined for an event of another shape. */
export function logTypeOf(event: CanonicalEvent): string | undefined {
  const t = Array.isArray(event.fields) ? event.fields[LOG_TYPE_INDEX] : undefined;
  return typeof t === 'string' && t !== '' && t !== ABSENT ? t : undefined;
}

/** The feature table of a log type, own keys only (a `__proto__` log type must not find Object.prototype). */
export function featureTable(logType: string): readonly Feature[] | undefined {
  return Object.hasOwn(FEATURE_TABLES, logType) ? FEATURE_TABLES[logType] : undefined;
}

/**
 * The feature vector of an event under `table`, in its order. A record that is not an object, a value of the wrong
 * type or a non-finite number gives null for that feature, never an exception: inference must take any record.
 */
export function featureVector(event: CanonicalEvent, table: readonly Feature[]): FeatureValue[] {
  const raw = event.raw;
  const rec: ZeekRecord = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as ZeekRecord) : {};
  return table.map((f) => {
    if (f.kind === 'num') {
      const v = f.get(rec);
      return v !== undefined && Number.isFinite(v) ? v : null;
    }
    const v = event.fields[FIELD_INDEX.get(f.name) as number];
    return typeof v === 'string' && v !== '' && v !== ABSENT ? v : null;
  });
}
