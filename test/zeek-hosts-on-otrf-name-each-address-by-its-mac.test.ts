// On the OTRF APT29 captures (conn logs with Zeek's orig_l2_addr/resp_l2_addr), read as zeek-seq reads them (every
// sensor's logs merged by time, joined by uid): how many distinct addresses and host identities the src_host/dst_host
// entities give, which MACs are found to be routers, and that no host identity is the Azure gateway's MAC once the
// adapter is told it is a router. The figures are the README's.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createZeekAdapter } from '../src/adapters/zeek.js';
import { readZeekConnections } from '../src/adapters/zeek-merge.js';
import { hasSharedData, shared } from './support/env.js';

/** Azure's virtual gateway: every routed peer's frames carry it. */
const GATEWAY = '12:34:56:78:9a:bc';
/** The second router of day 2 (10.0.1.6 and 10.0.0.5 behind it, 0.36 s apart). */
const DAY2_ROUTER = '74:83:ef:40:5f:33';

interface Tally {
  events: number;
  /** address → the host identities it was given */
  hostsOf: Map<string, Set<string>>;
  /** host identity → the addresses it named */
  addressesOf: Map<string, Set<string>>;
  /** endpoints named by a router's MAC */
  routerNamed: number;
}

async function tally(day: string, options: Record<string, unknown> = {}): Promise<Tally & { routers: number }> {
  const dir = shared('zeek', 'otrf-apt29', day);
  const files = readdirSync(dir).map((f) => `${dir}/${f}`);
  const adapter = createZeekAdapter(options);
  const t: Tally = { events: 0, hostsOf: new Map(), addressesOf: new Map(), routerNamed: 0 };
  const add = (m: Map<string, Set<string>>, k: string, v: string) => m.set(k, (m.get(k) ?? new Set()).add(v));
  for await (const c of readZeekConnections(files, adapter)) {
    for (const e of c.events) {
      t.events += 1;
      for (const [ip, host] of [[e.entities.src_ip, e.entities.src_host], [e.entities.dst_ip, e.entities.dst_host]] as const) {
        if (ip === '?' || ip === undefined || host === undefined) continue;
        expect(host, `${e.source.file}:${e.source.line}`).not.toBe('?');
        add(t.hostsOf, ip, host);
        add(t.addressesOf, host, ip);
        if (host === GATEWAY || host === DAY2_ROUTER) t.routerNamed += 1;
      }
    }
  }
  return { ...t, routers: adapter.hostCounts().routers };
}

const isMac = (h: string) => /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(h);

describe.runIf(hasSharedData())('src_host/dst_host on the OTRF APT29 captures', () => {
  it('day 2: 13 addresses, 13 hosts, each address one host; 3 named by their MAC; both routers found and never a host', async () => {
    const t = await tally('day2');
    expect(t.events).toBe(2687);
    expect(t.hostsOf.size).toBe(13);
    expect(t.addressesOf.size).toBe(13);
    for (const [ip, hosts] of t.hostsOf) expect([ip, hosts.size]).toEqual([ip, 1]);
    const byMac = [...t.hostsOf].filter(([, h]) => isMac([...h][0] as string)).map(([ip, h]) => `${ip} ${[...h][0]}`).sort();
    expect(byMac).toEqual(['10.0.0.4 00:0d:3a:8d:49:e8', '10.0.1.4 00:0d:3a:9a:36:a2', '10.0.1.5 00:0d:3a:9a:33:1a']);
    expect(t.routers).toBe(2);
    expect(t.routerNamed).toBe(0);
    // no trusted MAC named two addresses: no host changed its address in this capture
    for (const [host, ips] of t.addressesOf) expect([host, ips.size]).toEqual([host, 1]);
  }, 120_000);

  it('day 1: 6 addresses, 8 hosts; the gateway named 10.0.0.4 until a 705 s connection written at its end showed it a router', async () => {
    const t = await tally('day1');
    expect(t.events).toBe(2127);
    expect(t.hostsOf.size).toBe(6);
    expect(t.addressesOf.size).toBe(8);
    expect(t.routers).toBe(1);
    // 10.0.1.4 shows two MACs, one to each sensor (NASHUA, SCRANTON): two identities for one address
    expect([...(t.hostsOf.get('10.0.1.4') ?? [])].sort()).toEqual(['00:0d:3a:4d:42:f2', 'fc:bd:67:e1:a9:c1']);
    expect([...(t.hostsOf.get('10.0.1.6') ?? [])]).toEqual(['00:0d:3a:13:e3:69']);
    expect([...(t.hostsOf.get('10.0.0.4') ?? [])].sort()).toEqual(['10.0.0.4', GATEWAY]);
    expect(t.routerNamed).toBe(14);
  }, 120_000);

  it('two readings through one adapter name every host alike (zeek-seq scoring reads its input twice)', async () => {
    const dir = shared('zeek', 'otrf-apt29', 'day1');
    const files = readdirSync(dir).map((f) => `${dir}/${f}`);
    const adapter = createZeekAdapter();
    const names = async () => {
      const out: string[] = [];
      for await (const c of readZeekConnections(files, adapter)) for (const e of c.events) out.push(`${e.source.file}:${e.source.line} ${e.entities.src_host} ${e.entities.dst_host}`);
      return out;
    };
    const first = await names();
    expect(first).toHaveLength(2127);
    expect(await names()).toEqual(first);
  }, 120_000);

  it('day 1 with the gateway listed in router_macs: it names no host, 10.0.0.4 is its address', async () => {
    const t = await tally('day1', { router_macs: [GATEWAY] });
    expect(t.routerNamed).toBe(0);
    expect([...(t.hostsOf.get('10.0.0.4') ?? [])]).toEqual(['10.0.0.4']);
    expect(t.addressesOf.size).toBe(7);
  }, 120_000);
});
