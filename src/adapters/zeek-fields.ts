// The categorical fields every Zeek event carries, whatever its log type: one shared list so that one model can
// read a connection's conn, dns, http, ssl, ... records in turn. A field a log type does not fill is absent (`?`).
import type { ZeekRecord } from './zeek-values.js';

export const ZEEK_FIELDS = [
  'log_type', // conn, dns, http, ...
  'service', // conn's service, dns's transport, dce_rpc's endpoint, smb_mapping's service
  'src_scope', // the originator's address scope (private, public, ...)
  'dst_scope', // the responder's
  'dst_port', // the responder port: a named service port or its IANA range
  'action', // what was asked: proto, DNS qtype, HTTP method, Kerberos request type, SMB action, RPC operation, weird or notice name
  'outcome', // success / failure, established, answered, rejected
  'code', // the protocol's result code: DNS rcode, HTTP status class, Kerberos error
  'state', // conn_state, the TLS alert
  'flags', // conn history flags, DNS header flags, TLS resumption
  'duration', // duration bucket (conn, dce_rpc round trip, dns round trip)
  'size', // bytes on a log scale
  'bytes_ratio', // originator / responder bytes, log2, clipped
  'pkts_ratio', // originator / responder packets, log2, clipped
  'version', // TLS / SSH / HTTP / certificate version
  'cipher', // cipher class (TLS, Kerberos, SSH, certificate key)
  'cert', // certificate status: ok, self_signed, expired, unknown_issuer, ...
  'mime', // file MIME type, or a file name's extension
  'agent', // user-agent or client software family
  'name_len', // DNS query / URI / SNI length bucket
  'name_entropy', // its character entropy bucket
  'detail', // one more per log type: share kind, RPC named pipe, file source, direction, ...
] as const;

export type ZeekField = (typeof ZEEK_FIELDS)[number];

/** What a cleaner gives: the fields of its log type beyond the shared ones (log type, scopes, port). */
export type Cleaned = Partial<Record<ZeekField, string>>;

/** One log type's cleaner: the record, and its time in epoch seconds (certificates are judged at that time). */
export type Cleaner = (rec: ZeekRecord, time: number) => Cleaned;

/** `success` / `failure` of a Zeek bool, `?` when unset. */
export function outcomeOf(ok: boolean | undefined): string {
  return ok === undefined ? '?' : ok ? 'success' : 'failure';
}
