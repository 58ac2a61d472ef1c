// DHCP leases from Zeek's dhcp.log (TSV and JSON) name the host behind an address for the records of the same input:
// the lease holder's MAC (or host name) while the lease lasts, the address itself before, between and after leases,
// a RELEASE ending a lease early, and `max_leases` bounding the table. No shared capture ships a dhcp.log: the
// records are written here, with Zeek's dhcp.log fields.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newReadStats, readEvents } from '../src/adapters/read.js';
import { createZeekAdapter } from '../src/adapters/zeek.js';
import { readZeekConnections } from '../src/adapters/zeek-merge.js';

const A = 'aa:aa:aa:00:00:01';
const B = 'bb:bb:bb:00:00:02';

/** [ts, mac, host_name, client_addr, assigned_addr, lease_time, msg_types] */
const LEASES: [number, string, string, string, string, string, string[]][] = [
  [1000, A, 'laptop-a', '-', '192.168.1.50', '3600.000000', ['REQUEST', 'ACK']],
  [1000, '-', 'Printer', '-', '192.168.1.60', '86400.000000', ['DISCOVER', 'OFFER', 'REQUEST', 'ACK']],
  [3000, A, 'laptop-a', '-', '-', '-', ['DISCOVER', 'OFFER']], // no ACK: names no lease
  [5000, B, 'laptop-b', '-', '192.168.1.50', '3600.000000', ['REQUEST', 'ACK']],
  [7000, B, 'laptop-b', '192.168.1.50', '-', '-', ['RELEASE']],
];

const FIELDS = ['ts', 'uids', 'client_addr', 'server_addr', 'mac', 'host_name', 'client_fqdn', 'domain', 'requested_addr', 'assigned_addr', 'lease_time', 'client_message', 'server_message', 'msg_types', 'duration'];
const TYPES = ['time', 'set[string]', 'addr', 'addr', 'string', 'string', 'string', 'string', 'addr', 'addr', 'interval', 'string', 'string', 'vector[string]', 'interval'];

function dhcpTsv(): string {
  const head = ['#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', '#path\tdhcp', '#open\t2026-12-06-00-00-00', `#fields\t${FIELDS.join('\t')}`, `#types\t${TYPES.join('\t')}`];
  const rows = LEASES.map(([ts, mac, name, client, assigned, lease, types]) => [`${ts}.000000`, 'CdH1', client, '192.168.1.1', mac, name, '-', 'corp.lan', '-', assigned, lease, '-', '-', types.join(','), '0.01'].join('\t'));
  return [...head, ...rows, '#close\t2026-12-06-01-00-00'].join('\n') + '\n';
}

function dhcpJson(): string {
  const unset = (v: string) => (v === '-' ? undefined : v);
  return LEASES.map(([ts, mac, name, client, assigned, lease, types]) =>
    JSON.stringify({ _path: 'dhcp', ts, uids: ['CdH1'], client_addr: unset(client), server_addr: '192.168.1.1', mac: unset(mac), host_name: name, assigned_addr: unset(assigned), lease_time: lease === '-' ? undefined : Number(lease), msg_types: types }),
  ).join('\n') + '\n';
}

/** Connections from the leased addresses (no l2 addresses): [ts, source address]. */
const CONNS: [number, string][] = [[500, '192.168.1.50'], [2000, '192.168.1.50'], [2000, '192.168.1.60'], [4800, '192.168.1.50'], [6000, '192.168.1.50'], [7500, '192.168.1.50']];

function connJson(): string {
  return CONNS.map(([ts, ip], i) => JSON.stringify({ _path: 'conn', ts, uid: `C${i}`, 'id.orig_h': ip, 'id.orig_p': 50000 + i, 'id.resp_h': '8.8.8.8', 'id.resp_p': 53, proto: 'udp', duration: 0.01 })).join('\n') + '\n';
}

/** Lease expectations at each connection: before any lease, A's, the printer's name, between, B's, after B's release. */
const EXPECTED = ['500 192.168.1.50', `2000 ${A}`, '2000 printer', '4800 192.168.1.50', `6000 ${B}`, '7500 192.168.1.50'];

function inputs(dhcp: string, dhcpName: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-dhcp-'));
  writeFileSync(join(dir, 'conn.log'), connJson());
  writeFileSync(join(dir, dhcpName), dhcp);
  // dhcp listed last: the adapter reads it first all the same (Adapter.readsFirst)
  return [join(dir, 'conn.log'), join(dir, dhcpName)];
}

async function hostsByConnections(files: string[], options: Record<string, unknown> = {}): Promise<string[]> {
  const out: string[] = [];
  for await (const c of readZeekConnections(files, createZeekAdapter(options))) for (const e of c.events) out.push(`${e.time} ${e.entities.src_host}`);
  return out.sort((x, y) => Number(x.split(' ')[0]) - Number(y.split(' ')[0]) || x.localeCompare(y));
}

describe('DHCP leases name the host of an address', () => {
  it('TSV dhcp.log: the holder while leased, the address outside leases, a RELEASE ends one', async () => {
    const files = inputs(dhcpTsv(), 'dhcp.log');
    expect(await hostsByConnections(files)).toEqual(EXPECTED);
    const adapter = createZeekAdapter();
    for await (const c of readZeekConnections(files, adapter)) void c;
    // the ACKs of A, the printer and B, and B's RELEASE
    expect(adapter.hostCounts().leaseRecords).toBe(4);
  });

  it('JSON dhcp records give the same hosts, and are skipped as events with their reason', async () => {
    const files = inputs(dhcpJson(), 'dhcp.json');
    const viaJoin = await hostsByConnections(files);
    expect(viaJoin).toEqual(await hostsByConnections(inputs(dhcpTsv(), 'dhcp.log')));
    // record by record (the other kinds' reading): the same hosts, src_ip unchanged
    const stats = newReadStats();
    const events: string[] = [];
    for await (const item of readEvents(files, createZeekAdapter(), stats)) {
      if (item.event) events.push(`${item.event.time} ${item.event.entities.src_host} ${item.event.entities.src_ip}`);
    }
    expect(events.map((e) => e.split(' ').slice(0, 2).join(' ')).sort()).toEqual([...viaJoin].sort());
    expect(events.every((e) => e.endsWith(' 192.168.1.50') || e.endsWith(' 192.168.1.60'))).toBe(true);
    expect(stats.skipReasons['zeek dhcp record: read for host identity, not scored']).toBe(LEASES.length);
  });

  it('max_leases bounds the table: past it the lease recorded first is forgotten', async () => {
    const files = inputs(dhcpTsv(), 'dhcp.log');
    const adapter = createZeekAdapter({ max_leases: 1 });
    const hosts: string[] = [];
    for await (const c of readZeekConnections(files, adapter)) for (const e of c.events) hosts.push(`${e.time} ${e.entities.src_host}`);
    expect(adapter.hostCounts().leasesHeld).toBe(1);
    // only B's lease is kept: A's time and the printer's fall back to the address
    expect(hosts).toContain('2000 192.168.1.50');
    expect(hosts).toContain('2000 192.168.1.60');
    expect(hosts).toContain(`6000 ${B}`);
    expect(() => createZeekAdapter({ max_leases: 0 })).toThrow(/adapter_options\.max_leases/);
  });
});
