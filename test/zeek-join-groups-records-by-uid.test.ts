// Zeek records joined into connections by uid: on a real sensor's logs (OTRF APT29 day 1, SCRANTON) every record
// lands in its uid's connection, conn first and the rest by time, checked against a reading of the JSON apart from the
// adapter; and on crafted records, the memory bounds: a connection whose conn never comes is emitted (not dropped) once
// the stream is past it by the linger window, and past `maxOpen` the oldest connection is emitted early.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../src/core/event.js';
import { newReadStats } from '../src/adapters/read.js';
import { createAdapter } from '../src/adapters/registry.js';
import { joinByUid, type JoinStats, type ZeekConnection } from '../src/adapters/zeek-join.js';
import { readZeekConnections } from '../src/adapters/zeek-merge.js';
import { hasSharedData, shared } from './support/env.js';

describe.runIf(hasSharedData())('zeek uid join on a real sensor', () => {
  it('SCRANTON day 1: each record in its uid connection, conn first, the rest in time order', async () => {
    const dir = shared('zeek', 'otrf-apt29', 'day1');
    const files = readdirSync(dir).filter((f) => f.startsWith('SCRANTON_')).map((f) => join(dir, f));
    // apart from the adapter: the uids of the conn log, and per uid how many records of the read types name it
    const docs = files.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>));
    const connUids = new Set(docs.filter((d) => d['@stream'] === 'conn').map((d) => d.uid as string));
    const read = new Set(['conn', 'dns', 'http', 'ssl', 'x509', 'files', 'kerberos', 'smb_files', 'smb_mapping', 'dce_rpc', 'weird', 'notice']);
    const readDocs = docs.filter((d) => read.has(d['@stream'] as string));
    // a file's connection is the first that carried it (files.log's conn_uids)
    const uidOf = (d: Record<string, unknown>) => (typeof d.uid === 'string' ? d.uid : Array.isArray(d.conn_uids) ? (d.conn_uids[0] as string) : undefined);
    expect(connUids.size).toBeGreaterThan(100);

    const stats = newReadStats();
    const joinStats: JoinStats = { connections: 0, withoutConn: 0, forced: 0 };
    const conns: ZeekConnection[] = [];
    // conn records are written when a connection ends: a window of an hour holds this sensor's longest (1,901 s)
    for await (const c of readZeekConnections(files, createAdapter('zeek'), stats, { lingerSeconds: 3600 }, joinStats)) conns.push(c);

    expect(stats.errors).toBe(0);
    expect(conns.reduce((n, c) => n + c.events.length, 0)).toBe(readDocs.length);
    const joined = conns.filter((c) => c.conn);
    expect(joined.length).toBe(connUids.size);
    for (const c of joined) {
      const [first, ...rest] = c.events as [CanonicalEvent, ...CanonicalEvent[]];
      expect(first.fields[0]).toBe('conn');
      expect(first.entities.uid).toBe(c.uid);
      for (const e of rest) {
        expect(e.entities.uid === c.uid || e.fields[0] === 'x509').toBe(true);
        expect(e.fields[0]).not.toBe('conn');
      }
      rest.forEach((e, i) => i > 0 && expect(e.time).toBeGreaterThanOrEqual((rest[i - 1] as CanonicalEvent).time));
    }
    // every record naming a uid of the conn log sits in that uid's joined connection
    const inJoined = new Map(joined.map((c) => [c.uid, c.events.length]));
    const expected = new Map<string, number>();
    for (const d of readDocs) {
      const uid = uidOf(d);
      if (uid !== undefined && connUids.has(uid)) expected.set(uid, (expected.get(uid) ?? 0) + 1);
    }
    const certs = joined.reduce((n, c) => n + c.events.filter((e) => e.fields[0] === 'x509').length, 0);
    const sum = [...expected.values()].reduce((a, b) => a + b, 0);
    expect([...inJoined.values()].reduce((a, b) => a + b, 0)).toBe(sum + certs);
    for (const [uid, n] of expected) expect((inJoined.get(uid) ?? 0) - (joined.find((c) => c.uid === uid)?.events.filter((e) => e.fields[0] === 'x509').length ?? 0), uid).toBe(n);
    expect(joinStats.forced).toBe(0);
    // with the default window the long connection's records close before its conn record comes: two connections,
    // the records without conn first, none lost
    const split: ZeekConnection[] = [];
    for await (const c of readZeekConnections(files, createAdapter('zeek'))) if (c.uid === 'CzUOBX1HtxiLDcLRXg') split.push(c);
    expect(split.map((c) => [c.conn, c.events.map((e) => e.fields[0])])).toEqual([[false, ['ssl', 'files', 'x509']], [true, ['conn']]]);
    process.stdout.write(`SCRANTON day 1: ${readDocs.length} records, ${joinStats.connections} connections, ${joined.length} with conn, ${joinStats.withoutConn} without, ${certs} certificates joined through ssl\n`);
  });
});

/** An event as the adapter reads a crafted Zeek JSON record. */
function ev(rec: Record<string, unknown>, line: number): CanonicalEvent {
  const e = createAdapter('zeek').parse(JSON.stringify(rec), { file: 'crafted.json', line });
  if (e === null || 'skip' in e) throw new Error('crafted record not read');
  return e;
}

const ID = { 'id.orig_h': '10.0.0.5', 'id.orig_p': 50000, 'id.resp_h': '10.0.0.1', 'id.resp_p': 53 };

async function* stream(events: CanonicalEvent[], seen: string[]): AsyncGenerator<CanonicalEvent> {
  for (const e of events) {
    seen.push(`in ${e.entities.uid}@${e.time}`);
    yield e;
  }
}

describe('zeek uid join bounds', () => {
  it('a late conn record still comes first; a record whose conn never comes is emitted after the linger window', async () => {
    const events = [
      ev({ _path: 'dns', ts: 100.5, uid: 'Ca', ...ID, query: 'a.example', qtype_name: 'A' }, 1),
      ev({ _path: 'conn', ts: 100, uid: 'Ca', ...ID, proto: 'udp', duration: 1, conn_state: 'SF' }, 2),
      ev({ _path: 'dns', ts: 101, uid: 'Corphan', ...ID, query: 'b.example', qtype_name: 'A' }, 3),
      ev({ _path: 'dns', ts: 200, uid: 'Cb', ...ID, query: 'c.example', qtype_name: 'A' }, 4),
      ev({ _path: 'dns', ts: 400, uid: 'Cc', ...ID, query: 'd.example', qtype_name: 'A' }, 5),
    ];
    const seen: string[] = [];
    const stats: JoinStats = { connections: 0, withoutConn: 0, forced: 0 };
    for await (const c of joinByUid(stream(events, seen), { lingerSeconds: 60 }, stats)) seen.push(`out ${c.uid} ${c.conn} ${c.events.map((e) => e.fields[0]).join(',')}`);
    expect(seen).toEqual([
      'in Ca@100.5', 'in Ca@100', 'in Corphan@101', 'in Cb@200',
      // at 200 the stream is past 101 + 60: both earlier connections close, in the order they started
      'out Ca true conn,dns', 'out Corphan false dns',
      'in Cc@400', 'out Cb false dns',
      'out Cc false dns',
    ]);
    expect(stats).toEqual({ connections: 4, withoutConn: 3, forced: 0 });
  });

  it('holds at most maxOpen connections: past that the one opened first is emitted early', async () => {
    const events = ['C1', 'C2', 'C3', 'C1'].map((uid, i) => ev({ _path: 'dns', ts: 10 + i, uid, ...ID, query: `${uid}.example` }, i + 1));
    const out: string[] = [];
    const stats: JoinStats = { connections: 0, withoutConn: 0, forced: 0 };
    for await (const c of joinByUid(stream(events, []), { lingerSeconds: 1000, maxOpen: 2 }, stats)) out.push(`${c.uid}:${c.events.length}`);
    // C1 is closed when C3 opens; its later record opens it anew, which closes C2
    expect(out).toEqual(['C1:1', 'C2:1', 'C3:1', 'C1:1']);
    expect(stats.forced).toBe(2);
  });
});
