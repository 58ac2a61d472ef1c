// The graded novelty a fused zeek-seq bundle reads off each connection (record-novelty.ts): a record's tuple seen in
// training is ordinary, a tuple never seen but made of ordinary parts (a known service on a known port, opened from
// the usual side) is rarer, and one new in every part (opened from outside, an odd port, a state never seen) rarest
// of all; a tuple counted in training scores by its count, and the counts survive the bundle's file.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { readEvents } from '../src/adapters/read.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { RecordNovelty } from '../src/kinds/zeek-seq/record-novelty.js';

interface Conn {
  orig: string;
  resp: string;
  port: number;
  proto: string;
  service?: string;
  state: string;
  local: boolean;
}

/** Zeek conn records as Zeek's JSON writer has them, read back through the zeek adapter. */
async function records(conns: Conn[]): Promise<CanonicalEvent[]> {
  const file = join(mkdtempSync(join(tmpdir(), 'seqsentry-novelty-')), 'conn.log');
  writeFileSync(file, conns.map((c, i) => JSON.stringify({ _path: 'conn', ts: 1_700_000_000 + i, uid: `C${i}`, 'id.orig_h': c.orig, 'id.orig_p': 50_000 + i, 'id.resp_h': c.resp, 'id.resp_p': c.port, proto: c.proto, ...(c.service ? { service: c.service } : {}), duration: 1.5, orig_bytes: 300, resp_bytes: 4000, conn_state: c.state, local_orig: c.local, local_resp: false, history: 'ShADadFf', orig_pkts: 8, resp_pkts: 9 })).join('\n') + '\n');
  const out: CanonicalEvent[] = [];
  for await (const item of readEvents([file], createAdapter('zeek'))) if (item.event) out.push(item.event);
  expect(out).toHaveLength(conns.length);
  return out;
}

const pc = '10.0.0.5';
const times = (n: number, c: Conn): Conn[] => Array.from({ length: n }, () => c);
const TRAINING: Conn[] = [
  ...times(50, { orig: pc, resp: '93.184.216.34', port: 443, proto: 'tcp', service: 'ssl', state: 'SF', local: true }),
  ...times(30, { orig: pc, resp: '93.184.216.35', port: 80, proto: 'tcp', service: 'http', state: 'SF', local: true }),
  ...times(20, { orig: pc, resp: '10.0.0.1', port: 53, proto: 'udp', service: 'dns', state: 'SF', local: true }),
];
const SEEN: Conn = { orig: pc, resp: '93.184.216.34', port: 443, proto: 'tcp', service: 'ssl', state: 'SF', local: true };
/** Every part seen in training, never together: TLS on port 80. */
const ORDINARY_PARTS: Conn = { orig: pc, resp: '93.184.216.35', port: 80, proto: 'tcp', service: 'ssl', state: 'SF', local: true };
/** Opened from outside, to an odd port, no service, rejected: new in every part. */
const NEW_PARTS: Conn = { orig: '203.0.113.9', resp: pc, port: 4444, proto: 'tcp', state: 'REJ', local: false };

describe('zeek-seq record novelty', () => {
  let training: CanonicalEvent[];
  let probes: CanonicalEvent[];
  let novelty: RecordNovelty;

  beforeAll(async () => {
    training = await records(TRAINING);
    probes = await records([SEEN, ORDINARY_PARTS, NEW_PARTS]);
    novelty = new RecordNovelty();
    for (const e of training) novelty.add(e);
  });

  it('ranks a seen tuple below a new tuple of ordinary parts, and that below one new in every part', () => {
    const [seen, ordinary, fresh] = probes.map((e) => novelty.surprisal(e)) as [number, number, number];
    process.stdout.write(`record novelty (nats): seen ${seen.toFixed(3)}, new tuple of ordinary parts ${ordinary.toFixed(3)}, new in every part ${fresh.toFixed(3)}\n`);
    expect(seen).toBeGreaterThan(0);
    expect(ordinary).toBeGreaterThan(seen);
    expect(fresh).toBeGreaterThan(ordinary);
    // a connection is as novel as its most novel record
    expect(novelty.statistic(probes)).toBe(fresh);
    expect(novelty.statistic(probes.slice(0, 2))).toBe(ordinary);
  });

  it('makes a new tuple ordinary once training has counted it', async () => {
    const [extra] = await records([{ orig: pc, resp: '93.184.216.36', port: 8443, proto: 'tcp', service: 'ssl', state: 'S1', local: true }]);
    const withIt = new RecordNovelty();
    for (const e of [...training, extra!, extra!]) withIt.add(e);
    expect(withIt.surprisal(extra!)).toBeLessThan(novelty.surprisal(extra!));
    // seen twice among 102 conn records of 4 tuples, conn the one log type: -ln((102 + 0.5) / (102 + 0.5 * 2)) - ln(2 / (102 + 4 + 1))
    expect(withIt.surprisal(extra!)).toBeCloseTo(-Math.log(102.5 / 103) - Math.log(2 / 107), 12);
  });

  it('reads back from its file with the same counts, whatever order training came in', () => {
    const reversed = new RecordNovelty();
    for (const e of [...training].reverse()) reversed.add(e);
    expect(JSON.stringify(reversed.toFile())).toBe(JSON.stringify(novelty.toFile()));
    const reopened = RecordNovelty.fromFile(JSON.parse(JSON.stringify(novelty.toFile())), 'test');
    for (const e of probes) expect(reopened.surprisal(e)).toBe(novelty.surprisal(e));
    expect(() => RecordNovelty.fromFile({ schema: 'record-novelty', version: 2 }, 'record-novelty.json')).toThrow(/record-novelty\.json.*version/);
  });
});
