// Which layer-2 addresses in Zeek's conn records (`orig_l2_addr`/`resp_l2_addr`, the mac-logging policy) name a host.
// A frame's MAC is its last hop's: on the sensor's own segment that is the host itself, but a routed peer's frames
// carry the router's MAC, which then stands beside every address behind it. So an l2 address is trusted only for a
// local address (Zeek's local_orig/local_resp where logged, else RFC 1918 / RFC 4193), only when unicast, never once
// the MAC has carried two addresses of one family within ROUTER_WINDOW_SECONDS (a router), nor when listed as a
// router in the adapter options, and only after the MAC has been seen that long: the input is read once, in time
// order, so a router could only be told apart after its second address, and its first would be taken for a host.
// A trusted sighting also binds the address to the MAC, so the address's records that carry no trusted l2 address
// (dns, http, a routed view from another sensor) name the same host.
import { addressScope } from './zeek-features.js';

/**
 * Two addresses of one family on one MAC this close in time are two hosts behind a router, not one host that changed
 * address (a DHCP client that moves stops using its old address; its connections end within the 5-minute TCP
 * inactivity timeout). On the OTRF captures the two routers' gaps are 0.0 s and 0.36 s.
 */
export const ROUTER_WINDOW_SECONDS = 120;
/** A binding lasts this long after its last trusted sighting: a day, a typical lease. */
export const BINDING_SECONDS = 86_400;
/** MACs tracked, routers remembered and bindings kept at most (each forgets its least recently seen past this). */
export const MAX_TRACKED = 100_000;
/** Addresses remembered per MAC: two of a family already make a router, so a few cover a host's IPv4 and IPv6. */
const MAX_ADDRESSES_PER_MAC = 8;

/** A MAC in lower case with colons (`00:0d:3a:13:e3:69`), or undefined for anything else. */
export function normaliseMac(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const m = value.trim().toLowerCase().replaceAll('-', ':');
  return /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/.test(m) ? m : undefined;
}

/** A unicast, non-zero MAC: the group bit (least significant bit of the first octet) marks broadcast and multicast. */
export function isUnicastMac(mac: string): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 1) === 0 && mac !== '00:00:00:00:00:00';
}

/** Whether an address is on the sensor's side: Zeek's own verdict where the record logs it, else a private range. */
export function isLocalAddress(ip: string, zeekLocal: boolean | undefined): boolean {
  return zeekLocal ?? addressScope(ip) === 'private';
}

const family = (ip: string): string => (ip.includes(':') ? 'v6' : 'v4');

/** Re-inserts a key so that Map order is least recently seen first, and drops the oldest past the cap. */
function touch<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_TRACKED) map.delete(map.keys().next().value as K);
}

export interface L2Counts {
  /** MACs the traffic showed to be routers so far (the configured ones are not counted). */
  routers: number;
  /** Sightings refused because the MAC is a router. */
  routerSightings: number;
}

export class L2Hosts {
  /** MAC → when first seen, and address → last time seen with it. */
  private readonly seen = new Map<string, { first: number; addresses: Map<string, number> }>();
  private readonly routers = new Map<string, true>();
  /** Address → the MAC last trusted for it and when. */
  private readonly bindings = new Map<string, { mac: string; last: number }>();
  readonly counts: L2Counts = { routers: 0, routerSightings: 0 };

  constructor(knownRouters: readonly string[] = []) {
    for (const r of knownRouters) {
      const mac = normaliseMac(r);
      if (mac) this.routers.set(mac, true);
    }
  }

  isRouter(mac: string): boolean {
    return this.routers.has(mac);
  }

  /**
   * One endpoint of a record, read in time order: its address, its l2 address, Zeek's local flag. Finds routers (two
   * addresses of a family within the window) and binds the address to its MAC when trusted.
   */
  sight(ip: string, l2: string | undefined, zeekLocal: boolean | undefined, t: number): void {
    const mac = normaliseMac(l2);
    if (mac === undefined || !isUnicastMac(mac)) return;
    if (this.routers.has(mac)) {
      this.counts.routerSightings += 1;
      return;
    }
    const entry = this.seen.get(mac) ?? { first: t, addresses: new Map<string, number>() };
    const { addresses } = entry;
    // abs: the input is only close to time order (conn records carry their start, written at their end)
    const other = [...addresses].some(([a, last]) => a !== ip && family(a) === family(ip) && Math.abs(t - last) <= ROUTER_WINDOW_SECONDS);
    if (other) {
      this.markRouter(mac, addresses);
      this.counts.routerSightings += 1;
      return;
    }
    addresses.set(ip, Math.max(addresses.get(ip) ?? -Infinity, t));
    if (addresses.size > MAX_ADDRESSES_PER_MAC) addresses.delete(addresses.keys().next().value as string);
    entry.first = Math.min(entry.first, t);
    touch(this.seen, mac, entry);
    if (this.trusted(ip, mac, zeekLocal, t) === undefined) return;
    const bound = this.bindings.get(ip);
    touch(this.bindings, ip, { mac, last: Math.max(t, bound?.mac === mac ? bound.last : -Infinity) });
  }

  /**
   * The MAC of an endpoint at time `t` when, by what has been sighted so far, it names the address's host: unicast,
   * a local address, not a router, and seen for the window before `t`.
   */
  trusted(ip: string, l2: string | undefined, zeekLocal: boolean | undefined, t: number): string | undefined {
    const mac = normaliseMac(l2);
    if (mac === undefined || !isUnicastMac(mac) || this.routers.has(mac) || !isLocalAddress(ip, zeekLocal)) return undefined;
    const entry = this.seen.get(mac);
    return entry !== undefined && t - entry.first >= ROUTER_WINDOW_SECONDS ? mac : undefined;
  }

  /** The MAC `ip` was last trusted with, if that sighting is recent enough and the MAC has not since proved a router. */
  bound(ip: string, t: number): string | undefined {
    const b = this.bindings.get(ip);
    if (!b || this.routers.has(b.mac) || Math.abs(t - b.last) > BINDING_SECONDS) return undefined;
    return b.mac;
  }

  private markRouter(mac: string, addresses: Map<string, number>): void {
    touch(this.routers, mac, true);
    this.counts.routers += 1;
    this.seen.delete(mac);
    // the addresses it was trusted for until now were routed peers: unbind them
    for (const a of addresses.keys()) if (this.bindings.get(a)?.mac === mac) this.bindings.delete(a);
  }
}
