// How authentication adapters spell users, hosts and codes, so that one account or machine is one entity whatever
// the source wrote (`CORP\Alice`, `alice@corp.local`, `ALICE`; `WS1.corp.local`, `ws1`).
import { isIP } from 'node:net';

/** The value of an absent field or entity, as LANL writes it. */
export const ABSENT = '?';

/** Placeholders Windows and syslog write for "no value". */
const EMPTY = new Set(['', '-', 'null', 'n/a']);
/** Addresses that name the logging machine itself: no source host. */
const LOOPBACK = new Set(['::1', '127.0.0.1', 'localhost', 'localhost.localdomain', '0:0:0:0:0:0:0:1']);

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** A valid IPv4 or IPv6 address (not `999.1.1.1`, not `1.2.3.4:80`). */
export function isIp(value: string): boolean {
  return isIP(value) !== 0;
}

/** A scalar as trimmed text, or undefined for absent, placeholder and non-scalar values. */
export function text(value: unknown): string | undefined {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  return EMPTY.has(t.toLowerCase()) ? undefined : t;
}

/** An IP address: IPv4-mapped IPv6 (`::ffff:10.0.0.1`) as IPv4, lower case; loopback and placeholders absent. */
export function normaliseIp(value: unknown): string {
  let t = text(value)?.toLowerCase();
  if (t === undefined) return ABSENT;
  if (t.startsWith('::ffff:') && IPV4.test(t.slice(7))) t = t.slice(7);
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1);
  return LOOPBACK.has(t) || t.startsWith('127.') ? ABSENT : t;
}

/**
 * A host: lower case, the short name of an FQDN (`ws1.corp.local` → `ws1`), a computer account's `$` and a UNC
 * `\\` dropped; an IP address as normaliseIp. Loopback and placeholders are absent.
 */
export function normaliseHost(value: unknown): string {
  let t = text(value)?.toLowerCase();
  if (t === undefined) return ABSENT;
  if (t.startsWith('\\\\')) t = t.slice(2);
  if (isIp(t) || t.startsWith('[')) return normaliseIp(t);
  if (LOOPBACK.has(t)) return ABSENT;
  if (t.endsWith('$')) t = t.slice(0, -1);
  const dot = t.indexOf('.');
  const short = dot > 0 ? t.slice(0, dot) : t;
  return short === '' ? ABSENT : short;
}

/** A domain: lower case, its first label (`MORDOR.LOCAL` and `MORDOR` are one domain). */
export function normaliseDomain(value: unknown): string {
  const t = text(value)?.toLowerCase();
  if (t === undefined) return ABSENT;
  const dot = t.indexOf('.');
  return dot > 0 ? t.slice(0, dot) : t;
}

/**
 * A user and the domain its name carries: `CORP\Alice` and `alice@corp.local` are user `alice`, domain `corp`.
 * A machine account keeps its `$` (`ws1$` is the machine, not a person named ws1).
 */
export function normaliseUser(value: unknown): { user: string; domain: string | undefined } {
  const t = text(value)?.toLowerCase();
  if (t === undefined) return { user: ABSENT, domain: undefined };
  const slash = t.indexOf('\\');
  if (slash >= 0) return { user: t.slice(slash + 1) || ABSENT, domain: slash > 0 ? normaliseDomain(t.slice(0, slash)) : undefined };
  const at = t.lastIndexOf('@');
  if (at > 0) return { user: t.slice(0, at), domain: normaliseDomain(t.slice(at + 1)) };
  return { user: t, domain: undefined };
}

/** A hexadecimal code (`0x00000012`, `0xC000006D`, or the number 18) as `0x12`, `0xc000006d`; absent as `?`. */
export function normaliseCode(value: unknown): string {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return `0x${value.toString(16)}`;
  const t = text(value)?.toLowerCase();
  if (t === undefined) return ABSENT;
  if (/^0x[0-9a-f]+$/.test(t)) return `0x${t.slice(2).replace(/^0+(?=.)/, '')}`;
  if (/^\d{1,20}$/.test(t)) return `0x${BigInt(t).toString(16)}`;
  return t;
}
