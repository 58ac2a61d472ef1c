// Which l2 addresses name a host (src/adapters/zeek-l2.ts), on conn records written here and read one by one as the
// sidecar reads documents: a MAC carrying several local addresses at once is a router and names none of them; a
// public address, a broadcast MAC and a record Zeek marks not local are never named by their MAC; a host's own MAC
// names it once seen for the window, names its records without l2 addresses too, and follows it to a new address.
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../src/core/event.js';
import { isNoEvent } from '../src/adapters/adapter.js';
import { createZeekAdapter, type ZeekAdapter } from '../src/adapters/zeek.js';
import { ROUTER_WINDOW_SECONDS } from '../src/adapters/zeek-l2.js';

const HOST = '00:11:22:33:44:55';
const ROUTER = '00:aa:bb:cc:dd:ee';
const SERVER = '00:0d:3a:00:00:09';

let n = 0;
function conn(a: ZeekAdapter, ts: number, orig: [string, string | undefined], resp: [string, string | undefined], extra: Record<string, unknown> = {}): CanonicalEvent {
  n += 1;
  const doc = { _path: 'conn', ts, uid: `C${n}`, 'id.orig_h': orig[0], 'id.orig_p': 40000 + n, 'id.resp_h': resp[0], 'id.resp_p': 443, proto: 'tcp', orig_l2_addr: orig[1], resp_l2_addr: resp[1], ...extra };
  const e = a.parse(doc, { file: 'test', line: n });
  if (e === null || isNoEvent(e)) throw new Error('expected an event');
  return e;
}

describe('l2 addresses trusted as hosts', () => {
  it('a router carrying three local addresses within seconds names none of them, then or later', () => {
    const a = createZeekAdapter();
    const hosts: string[] = [];
    for (let i = 0; i < 30; i++) {
      const peer = `10.1.0.${(i % 3) + 1}`;
      hosts.push(conn(a, 1000 + i * 20, ['192.168.1.10', HOST], [peer, ROUTER]).entities.dst_host as string);
    }
    expect(hosts.filter((h) => h === ROUTER)).toEqual([]);
    expect(new Set(hosts)).toEqual(new Set(['10.1.0.1', '10.1.0.2', '10.1.0.3']));
    expect(a.hostCounts().routers).toBe(1);
    // the host's own MAC, seen for the window, named it all along after that
    const last = conn(a, 1000 + 30 * 20, ['192.168.1.10', HOST], ['10.1.0.1', ROUTER]);
    expect(last.entities.src_host).toBe(HOST);
  });

  it('a public address, a broadcast MAC and a record Zeek marks not local keep their address', () => {
    const a = createZeekAdapter();
    for (let t = 0; t <= 2 * ROUTER_WINDOW_SECONDS; t += 30) {
      const out = conn(a, t, ['192.168.1.10', HOST], ['93.184.216.34', SERVER]);
      expect(out.entities.dst_host).toBe('93.184.216.34');
      const bcast = conn(a, t, ['192.168.1.11', 'ff:ff:ff:ff:ff:ff'], ['192.168.1.255', 'ff:ff:ff:ff:ff:ff']);
      expect([bcast.entities.src_host, bcast.entities.dst_host]).toEqual(['192.168.1.11', '192.168.1.255']);
      const notLocal = conn(a, t, ['192.168.7.7', '00:0d:3a:00:00:07'], ['192.168.1.10', HOST], { local_orig: false, local_resp: true });
      expect(notLocal.entities.src_host).toBe('192.168.7.7');
    }
  });

  it('a host is named by its MAC after the window, its dns records too, and keeps that name when its address changes', () => {
    const a = createZeekAdapter();
    const first = conn(a, 0, ['192.168.1.20', HOST], ['192.168.1.1', SERVER]);
    // not yet: a router's first address would look the same until its second came
    expect(first.entities.src_host).toBe('192.168.1.20');
    const later = conn(a, ROUTER_WINDOW_SECONDS, ['192.168.1.20', HOST], ['192.168.1.1', SERVER]);
    expect([later.entities.src_host, later.entities.dst_host]).toEqual([HOST, SERVER]);
    const dns = a.parse({ _path: 'dns', ts: ROUTER_WINDOW_SECONDS + 1, uid: 'D1', 'id.orig_h': '192.168.1.20', 'id.orig_p': 5353, 'id.resp_h': '192.168.1.1', 'id.resp_p': 53, proto: 'udp', query: 'example.com' }, { file: 'test', line: 0 });
    expect(dns !== null && !isNoEvent(dns) ? dns.entities.src_host : undefined).toBe(HOST);
    // an hour later the host has a new address: one host, two addresses, not a router
    const moved = conn(a, 3600, ['192.168.1.21', HOST], ['192.168.1.1', SERVER]);
    expect([moved.entities.src_ip, moved.entities.src_host]).toEqual(['192.168.1.21', HOST]);
    expect(a.hostCounts().routers).toBe(0);
  });

  it('router_macs names a router from its first record; a bad MAC in it is refused with its key', () => {
    const a = createZeekAdapter({ router_macs: ['00-AA-BB-CC-DD-EE'] });
    for (let t = 0; t <= 2 * ROUTER_WINDOW_SECONDS; t += 30) expect(conn(a, t, ['192.168.1.10', HOST], ['10.1.0.1', ROUTER]).entities.dst_host).toBe('10.1.0.1');
    expect(() => createZeekAdapter({ router_macs: ['router-1'] })).toThrow(/adapter_options\.router_macs/);
  });
});
