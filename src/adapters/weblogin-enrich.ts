// Offline enrichment of web logins, the only user of its three data sources: the user agent's browser, OS and
// device family (ua-parser-js 1.x, MIT; 2.x is AGPL), the IP's country (@ip-location-db/geo-whois-asn-country-mmdb,
// CC0, read with mmdb-lib) and its autonomous system (@ip-location-db/asn, RouteViews and DB-IP, CC BY 4.0).
// Nothing is looked up over the network; the databases are the packages' files, loaded once per process on first use.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Reader, type Response } from 'mmdb-lib';
import UAParser from 'ua-parser-js';
import { SeqSentryError } from '../core/errors.js';
import { BoundedCache } from '../util/bounded-cache.js';
import { ABSENT } from './names.js';

const require = createRequire(import.meta.url);

function packageFile(pkg: string, file: string): string {
  try {
    return join(dirname(require.resolve(`${pkg}/package.json`)), file);
  } catch (err) {
    throw new SeqSentryError(`weblogin enrichment needs the npm package ${pkg} (run npm install): ${(err as Error).message}`);
  }
}

export interface UserAgentFamily {
  browser: string;
  os: string;
  /** mobile, tablet, smarttv, wearable, console, embedded; `desktop` when the agent names no device type. */
  device: string;
}

/** Distinct user agents kept parsed: logins repeat few agents, and hostile input must not grow the cache. */
export const UA_CACHE_MAX = 10_000;
const uaCache = new BoundedCache<string, UserAgentFamily>(UA_CACHE_MAX);

/** Longest user agent read (real ones are a few hundred characters); also the longest cache key. */
const UA_MAX_CHARS = 1024;

export function userAgentFamily(agent: string | undefined): UserAgentFamily {
  if (agent === undefined || agent.trim() === '') return { browser: ABSENT, os: ABSENT, device: ABSENT };
  return uaCache.getOrCompute(agent.slice(0, UA_MAX_CHARS), parseUserAgent);
}

function parseUserAgent(ua: string): UserAgentFamily {
  const r = new UAParser(ua).getResult();
  return {
    browser: r.browser.name ?? ABSENT,
    os: r.os.name ?? ABSENT,
    // ua-parser-js leaves desktops without a type; a named browser on a known OS without one is a desktop
    device: r.device.type ?? (r.browser.name !== undefined && r.os.name !== undefined ? 'desktop' : ABSENT),
  };
}

export interface IpPlace {
  /** ISO 3166 alpha-2, `?` for private, reserved or unknown addresses. */
  country: string;
  /** `AS13335`, `?` when no system announces the address. */
  asn: string;
}

/**
 * Distinct client addresses kept looked up. A login server sees the same offices and carriers again and again; the
 * two lookups (a walk of the country tree, a bisection of the AS table, both parsing the address) were most of the
 * adapter's time per login, and the databases do not change while the process runs.
 */
export const IP_CACHE_MAX = 10_000;
const ipCache = new BoundedCache<string, IpPlace>(IP_CACHE_MAX);

/** The country and autonomous system of an address (normalised, as the adapter writes it), remembered. */
export function placeOf(ip: string): IpPlace {
  return ipCache.getOrCompute(ip, (a) => ({ country: countryOf(a), asn: asnOf(a) }));
}

/** How many user agents and addresses the caches hold now (each at most its *_CACHE_MAX). */
export function enrichmentCacheSizes(): { userAgents: number; addresses: number } {
  return { userAgents: uaCache.size, addresses: ipCache.size };
}

let countries: Reader<Response> | undefined;

/** The country code of an address (ISO 3166 alpha-2), `?` for private, reserved or unknown addresses. */
export function countryOf(ip: string): string {
  // mmdb-lib reads any text as some address ("not-an-ip" finds a country): only public addresses are looked up
  if (!isPublic(ip)) return ABSENT;
  countries ??= new Reader<Response>(readFileSync(packageFile('@ip-location-db/geo-whois-asn-country-mmdb', 'geo-whois-asn-country.mmdb')));
  const found = countries.get(ip) as { country_code?: unknown } | null;
  return typeof found?.country_code === 'string' ? found.country_code : ABSENT;
}

/** Address ranges of one family, sorted by start: parallel columns searched by bisection. */
interface AsnTable {
  /** IPv4 as numbers in typed arrays; IPv6 as 128-bit bigints. */
  starts: ArrayLike<number> | bigint[];
  ends: ArrayLike<number> | bigint[];
  asns: Uint32Array;
}

/** Reads `start,end,asn,organisation` rows: the package's `*-num.csv`, addresses as decimal integers, sorted. */
function loadAsnTable(file: string, v6: boolean): AsnTable {
  const text = readFileSync(packageFile('@ip-location-db/asn', file), 'latin1');
  const rows = text.split('\n').filter((l) => l !== '');
  const starts: Uint32Array | bigint[] = v6 ? new Array<bigint>(rows.length) : new Uint32Array(rows.length);
  const ends: Uint32Array | bigint[] = v6 ? new Array<bigint>(rows.length) : new Uint32Array(rows.length);
  const asns = new Uint32Array(rows.length);
  rows.forEach((row, i) => {
    const a = row.indexOf(',');
    const b = row.indexOf(',', a + 1);
    const c = row.indexOf(',', b + 1);
    if (v6) {
      (starts as bigint[])[i] = BigInt(row.slice(0, a));
      (ends as bigint[])[i] = BigInt(row.slice(a + 1, b));
    } else {
      (starts as Uint32Array)[i] = Number(row.slice(0, a));
      (ends as Uint32Array)[i] = Number(row.slice(a + 1, b));
    }
    asns[i] = Number(row.slice(b + 1, c));
  });
  return { starts, ends, asns };
}

let asnV4: AsnTable | undefined;
let asnV6: AsnTable | undefined;

function search<T extends number | bigint>(table: AsnTable, key: T): number | undefined {
  const starts = table.starts as unknown as ArrayLike<T>;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((starts[mid] as T) <= key) lo = mid + 1;
    else hi = mid - 1;
  }
  if (hi < 0 || key > ((table.ends as unknown as ArrayLike<T>)[hi] as T)) return undefined;
  return table.asns[hi];
}

function ipv4Number(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

/** An IPv6 address as a 128-bit number, undefined when it is not one. */
function ipv6Number(ip: string): bigint | undefined {
  if (!/^[0-9a-f:]+$/i.test(ip)) return undefined;
  const halves = ip.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? (halves[0] as string).split(':') : [];
  const tail = halves.length === 2 && halves[1] ? (halves[1] as string).split(':') : [];
  const groups = halves.length === 2 ? [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail] : head;
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** IPv4 ranges that are no one's place on the Internet (RFC 1918, 6598, 3927, loopback, multicast, reserved). */
const PRIVATE_V4: ReadonlyArray<readonly [number, number]> = [
  [0x0a000000, 8], [0xac100000, 12], [0xc0a80000, 16], [0x64400000, 10], [0xa9fe0000, 16], [0x7f000000, 8], [0x00000000, 8], [0xe0000000, 3],
];

/** Whether an address is public: a private, link-local or reserved one has no country (whois data gives it one). */
function isPublic(ip: string): boolean {
  const v4 = ipv4Number(ip);
  if (v4 !== undefined) return !PRIVATE_V4.some(([net, bits]) => Math.floor(v4 / 2 ** (32 - bits)) === Math.floor(net / 2 ** (32 - bits)));
  const v6 = ipv6Number(ip);
  if (v6 === undefined || v6 <= 1n) return false;
  const top = Number(v6 >> 112n);
  return (top & 0xfe00) !== 0xfc00 && (top & 0xffc0) !== 0xfe80 && (top & 0xff00) !== 0xff00; // unique local, link-local, multicast
}

/** The autonomous system announcing an address, as `AS13335`; `?` when none does (private, reserved, unknown). */
export function asnOf(ip: string): string {
  if (!isPublic(ip)) return ABSENT;
  const v4 = ipv4Number(ip);
  if (v4 !== undefined) {
    asnV4 ??= loadAsnTable('asn-ipv4-num.csv', false);
    const asn = search(asnV4, v4);
    return asn === undefined ? ABSENT : `AS${asn}`;
  }
  const v6 = ipv6Number(ip);
  if (v6 === undefined) return ABSENT;
  asnV6 ??= loadAsnTable('asn-ipv6-num.csv', true);
  const asn = search(asnV6, v6);
  return asn === undefined ? ABSENT : `AS${asn}`;
}
