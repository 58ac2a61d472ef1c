// DHCP leases read from Zeek's dhcp.log: which host held an address at a given time. A lease names its holder by the
// client's MAC (the same identity a trusted l2 address gives, so both paths agree on one host) or, without one, by
// its host name. Bounded: past `maxLeases` the lease recorded first is forgotten.
import { normaliseMac } from './zeek-l2.js';
import { list, num, str, type ZeekRecord } from './zeek-values.js';

/** Leases kept at most by default: a /16 of clients renewing a few times over a capture. */
export const DEFAULT_MAX_LEASES = 100_000;
/**
 * A lease whose record carries no `lease_time` (an ACK Zeek logged without the option) is taken to last a day, the
 * common server default; a later lease of the address replaces it from its own start anyway.
 */
export const DEFAULT_LEASE_SECONDS = 86_400;

interface Lease {
  ip: string;
  /** Epoch seconds: [start, end). */
  start: number;
  end: number;
  holder: string;
}

/** The holder a dhcp record names: its client's MAC, else its host name, else its client FQDN (lower case). */
function holderOf(rec: ZeekRecord): string | undefined {
  const mac = normaliseMac(str(rec, 'mac'));
  if (mac) return mac;
  const name = str(rec, 'host_name') ?? str(rec, 'client_fqdn');
  return name?.toLowerCase();
}

export class DhcpLeases {
  private readonly byIp = new Map<string, Lease[]>();
  /** Every lease kept, in the order recorded: the eviction order. `head` skips those already evicted. */
  private order: Lease[] = [];
  private head = 0;

  constructor(private readonly maxLeases = DEFAULT_MAX_LEASES) {}

  get size(): number {
    return this.order.length - this.head;
  }

  /**
   * Reads one dhcp record at time `ts`: an ACK with `assigned_addr` starts a lease [ts, ts + lease_time); a RELEASE
   * ends the client's lease of `client_addr` at ts. Other conversations (DISCOVER/OFFER only, NAK, INFORM) name no
   * lease. Returns whether the table changed.
   */
  record(rec: ZeekRecord, ts: number): boolean {
    const types = list(rec, 'msg_types').map((t) => t.toUpperCase());
    const holder = holderOf(rec);
    if (holder === undefined) return false;
    // a record without msg_types (an older or trimmed log) that names an assigned address is taken as acknowledged
    const acked = types.length === 0 || types.includes('ACK');
    const assigned = str(rec, 'assigned_addr');
    let changed = false;
    if (acked && assigned !== undefined && !types.includes('NAK')) {
      const seconds = num(rec, 'lease_time') ?? DEFAULT_LEASE_SECONDS;
      this.add({ ip: assigned, start: ts, end: ts + Math.max(0, seconds), holder });
      changed = true;
    }
    const released = str(rec, 'client_addr');
    if (types.includes('RELEASE') && released !== undefined) {
      for (const l of this.byIp.get(released) ?? []) {
        if (l.holder === holder && l.start <= ts && ts < l.end) {
          l.end = ts;
          changed = true;
        }
      }
    }
    return changed;
  }

  /** Who held `ip` at time `t`: the holder of the latest lease started by then and not yet over. */
  holder(ip: string, t: number): string | undefined {
    let best: Lease | undefined;
    for (const l of this.byIp.get(ip) ?? []) if (l.start <= t && t < l.end && (!best || l.start >= best.start)) best = l;
    return best?.holder;
  }

  private add(lease: Lease): void {
    const held = this.byIp.get(lease.ip);
    if (held) held.push(lease);
    else this.byIp.set(lease.ip, [lease]);
    this.order.push(lease);
    while (this.size > this.maxLeases) this.evict();
  }

  private evict(): void {
    const old = this.order[this.head++] as Lease;
    const held = this.byIp.get(old.ip) ?? [];
    const i = held.indexOf(old);
    if (i >= 0) held.splice(i, 1);
    if (held.length === 0) this.byIp.delete(old.ip);
    // compact now and then so the evicted prefix does not grow with the input
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }
}
