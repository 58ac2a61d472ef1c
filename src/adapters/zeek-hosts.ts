// The host behind each address of a Zeek record, for the `src_host`/`dst_host` entities: an IP is not always one host
// (DHCP hands it to another, a host moves), so a host is named by the most stable identifier the input holds, in this
// order: the record's own trusted l2 address (zeek-l2.ts); the DHCP lease holder of the address at the record's time
// (zeek-dhcp.ts, from dhcp records of the same input); the MAC the address was last trusted with; else the address.
import { DhcpLeases } from './zeek-dhcp.js';
import { L2Hosts } from './zeek-l2.js';
import { bool, str, type ZeekRecord } from './zeek-values.js';

export interface HostOptions {
  maxLeases?: number;
  /** MACs known to be routers (a cloud's virtual gateway): never a host, from the first record on. */
  routerMacs?: readonly string[];
}

export interface HostCounts {
  /** dhcp records that started or ended a lease. */
  leaseRecords: number;
  leasesHeld: number;
  routers: number;
  routerSightings: number;
}

export class ZeekHosts {
  private readonly leases: DhcpLeases;
  private readonly l2: L2Hosts;
  private leaseRecords = 0;

  constructor(options: HostOptions = {}) {
    this.leases = new DhcpLeases(options.maxLeases);
    this.l2 = new L2Hosts(options.routerMacs);
  }

  /** Reads a dhcp record's lease (at its time `ts`). */
  lease(rec: ZeekRecord, ts: number): void {
    if (this.leases.record(rec, ts)) this.leaseRecords += 1;
  }

  /**
   * Reads a record's l2 addresses (time order): both ends are sighted before either is named, so a record whose two
   * ends share one MAC (a router seen both ways) trusts neither. `src`/`dst`: its addresses, undefined when absent.
   */
  sight(rec: ZeekRecord, src: string | undefined, dst: string | undefined, t: number): void {
    if (src !== undefined) this.l2.sight(src, str(rec, 'orig_l2_addr'), bool(rec, 'local_orig'), t);
    if (dst !== undefined) this.l2.sight(dst, str(rec, 'resp_l2_addr'), bool(rec, 'local_resp'), t);
  }

  /**
   * The hosts of a record's two ends at its time `t`, by what has been read so far (undefined for an absent address).
   * A reader that can name a record later than it sights it (readZeekConnections names a connection when the join
   * emits it, minutes of stream time on) lets a router's later addresses and late-written records count.
   */
  name(rec: ZeekRecord, src: string | undefined, dst: string | undefined, t: number): { src: string | undefined; dst: string | undefined } {
    const one = (ip: string | undefined, l2: string, local: string) =>
      ip === undefined ? undefined : (this.l2.trusted(ip, str(rec, l2), bool(rec, local), t) ?? this.leases.holder(ip, t) ?? this.l2.bound(ip, t) ?? ip);
    return { src: one(src, 'orig_l2_addr', 'local_orig'), dst: one(dst, 'resp_l2_addr', 'local_resp') };
  }

  counts(): HostCounts {
    return { leaseRecords: this.leaseRecords, leasesHeld: this.leases.size, ...this.l2.counts };
  }
}
