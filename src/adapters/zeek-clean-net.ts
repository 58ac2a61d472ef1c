// Cleaners of Zeek's network-layer and content logs (conn, dns, http, ssl, x509, files): each record's
// security-relevant features as tokens. See zeek-fields.ts for what each field means.
import { ABSENT } from './names.js';
import { agentFamily, extension, lengthBucket, tlsCipherClass, validationClass } from './zeek-classes.js';
import { durationBucket, entropyBucket, historyFlags, logBucket, logRatio } from './zeek-features.js';
import type { Cleaner } from './zeek-fields.js';
import { bool, list, num, str, type ZeekRecord } from './zeek-values.js';

const conn: Cleaner = (r) => {
  const ob = num(r, 'orig_bytes');
  const rb = num(r, 'resp_bytes');
  return {
    service: str(r, 'service'),
    action: str(r, 'proto'),
    state: str(r, 'conn_state'),
    flags: historyFlags(str(r, 'history')),
    duration: durationBucket(num(r, 'duration')),
    size: logBucket(ob === undefined && rb === undefined ? undefined : (ob ?? 0) + (rb ?? 0)),
    bytes_ratio: logRatio(ob, rb),
    pkts_ratio: logRatio(num(r, 'orig_pkts'), num(r, 'resp_pkts')),
    // bytes the sensor missed: a capture gap, not the hosts' doing, but it changes what the other fields mean
    detail: (num(r, 'missed_bytes') ?? 0) > 0 ? 'missed_bytes' : 'complete',
  };
};

/** DNS header flags set, in a fixed order (AA authoritative, TC truncated, RD recursion desired, RA available). */
function dnsFlags(r: ZeekRecord): string {
  const set = ['AA', 'TC', 'RD', 'RA'].filter((f) => bool(r, f) === true);
  return set.length ? set.join('') : 'none';
}

const dns: Cleaner = (r) => {
  const query = str(r, 'query');
  const answered = list(r, 'answers').length > 0;
  return {
    service: str(r, 'proto'),
    action: str(r, 'qtype_name') ?? str(r, 'qtype'),
    code: str(r, 'rcode_name') ?? str(r, 'rcode'),
    outcome: bool(r, 'rejected') === true ? 'rejected' : answered ? 'answered' : 'no_answer',
    flags: dnsFlags(r),
    duration: durationBucket(num(r, 'rtt')),
    name_len: lengthBucket(query),
    name_entropy: entropyBucket(query),
  };
};

const http: Cleaner = (r) => {
  const status = num(r, 'status_code');
  const uri = str(r, 'uri');
  const host = str(r, 'host');
  return {
    action: str(r, 'method'),
    code: status === undefined ? ABSENT : `${Math.floor(status / 100)}xx`,
    version: str(r, 'version'),
    agent: agentFamily(str(r, 'user_agent')),
    mime: list(r, 'resp_mime_types')[0] ?? list(r, 'orig_mime_types')[0],
    size: logBucket(num(r, 'response_body_len')),
    bytes_ratio: logRatio(num(r, 'request_body_len'), num(r, 'response_body_len')),
    name_len: lengthBucket(uri),
    name_entropy: entropyBucket(uri),
    // a Host header that is a bare address: tools and malware more often than browsers
    detail: host === undefined ? ABSENT : /^[\d.]+(?::\d+)?$|^\[?[0-9a-f:]+\]?$/i.test(host) ? 'ip_host' : 'name_host',
  };
};

const ssl: Cleaner = (r) => {
  const sni = str(r, 'server_name');
  const established = bool(r, 'established');
  return {
    version: str(r, 'version'),
    cipher: tlsCipherClass(str(r, 'cipher')),
    cert: validationClass(str(r, 'validation_status')),
    outcome: established === undefined ? ABSENT : established ? 'established' : 'not_established',
    state: str(r, 'last_alert'),
    flags: bool(r, 'resumed') === true ? 'resumed' : 'full',
    name_len: lengthBucket(sni),
    name_entropy: entropyBucket(sni),
    detail: sni === undefined ? 'no_sni' : 'sni',
  };
};

/** A certificate time (epoch number or text, as x509.log writes `not_valid_after`). */
function certTime(r: ZeekRecord, name: string): number | undefined {
  const n = num(r, name);
  if (n !== undefined) return n;
  const s = str(r, name);
  const t = s === undefined ? NaN : Date.parse(s) / 1000;
  return Number.isFinite(t) ? t : undefined;
}

const x509: Cleaner = (r, time) => {
  const subject = str(r, 'certificate.subject');
  const issuer = str(r, 'certificate.issuer');
  const after = certTime(r, 'certificate.not_valid_after');
  const before = certTime(r, 'certificate.not_valid_before');
  // judged at the time the certificate was seen, not now: a replayed capture keeps its verdicts
  const cert = after !== undefined && after < time ? 'expired' : before !== undefined && before > time ? 'not_yet_valid' : subject !== undefined && subject === issuer ? 'self_signed' : subject === undefined ? ABSENT : 'issued';
  const keyType = str(r, 'certificate.key_type');
  const keyLength = num(r, 'certificate.key_length');
  return {
    version: str(r, 'certificate.version'),
    cipher: keyType === undefined ? ABSENT : `${keyType}_${keyLength ?? '?'}`,
    cert,
    code: bool(r, 'basic_constraints.ca') === true ? 'ca' : 'leaf',
    flags: bool(r, 'client_cert') === true ? 'client_cert' : bool(r, 'host_cert') === true ? 'host_cert' : ABSENT,
    detail: str(r, 'certificate.sig_alg'),
  };
};

const files: Cleaner = (r) => {
  const missing = num(r, 'missing_bytes') ?? 0;
  return {
    action: str(r, 'source'),
    mime: str(r, 'mime_type') ?? extension(str(r, 'filename')),
    size: logBucket(num(r, 'seen_bytes')),
    duration: durationBucket(num(r, 'duration')),
    outcome: bool(r, 'timedout') === true ? 'timedout' : missing > 0 ? 'partial' : 'complete',
    detail: bool(r, 'is_orig') === undefined ? ABSENT : bool(r, 'is_orig') ? 'from_orig' : 'from_resp',
  };
};

export const NET_CLEANERS: Readonly<Record<string, Cleaner>> = Object.freeze({ conn, dns, http, ssl, x509, files });
