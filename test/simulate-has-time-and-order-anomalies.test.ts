import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate, type SimulationResult } from '../src/sim/simulate.js';

const DAY = 86400;
const HOUR = 3600;
type Row = { time: number; user: string; src: string; dst: string; auth: string; logonType: string; orient: string; ok: string };
const row = (l: string): Row => {
  const [time, user, , src, dst, auth, logonType, orient, ok] = l.split(',') as string[];
  return { time: Number(time), user: user!, src: src!, dst: dst!, auth: auth!, logonType: logonType!, orient: orient!, ok: ok! };
};

describe('simulated time and order anomalies', () => {
  let dir: string;
  let result: SimulationResult;
  let train: Row[];
  let test: Row[];
  let labelKeys: Set<string>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'seqsentry-sim-odd-'));
    result = await simulate({ days: 5, trainDays: 3, scale: 0.5, seed: 11, outDir: dir });
    const lines = async (f: string) => (await readFile(join(dir, f), 'utf8')).split('\n').filter((l) => l !== '');
    train = (await lines('train.csv')).map(row);
    test = (await lines('test.csv')).map(row);
    labelKeys = new Set(await lines('redteam.txt'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const redOf = (id: string) => {
    const c = result.summary.campaigns.find((x) => x.id === id);
    expect(c, `campaign ${id}`).toBeDefined();
    const parts = c!.parts;
    return test.filter((e) => labelKeys.has(`${e.time},${e.user},${e.src},${e.dst}`) && parts.some((p) => e.time >= p.first_time && e.time <= p.last_time));
  };

  it('has an admin at 02:00-04:00 over NTLM on user/host pairs seen in training over Kerberos only', () => {
    const odd = redOf('admin-odd-hours').filter((e) => e.auth === 'NTLM' && e.orient === 'LogOn');
    expect(odd.length).toBeGreaterThanOrEqual(2);
    const users = new Set(odd.map((e) => e.user));
    expect(users.size).toBe(1);
    for (const e of odd) {
      const hour = (e.time % DAY) / HOUR;
      expect(hour).toBeGreaterThanOrEqual(2);
      expect(hour).toBeLessThan(4);
      const before = train.filter((t) => t.user === e.user && t.src === e.src && t.dst === e.dst && t.orient === 'LogOn');
      expect(before.length, `${e.user} ${e.src}->${e.dst} in train`).toBeGreaterThan(0);
      // By day the pair is Kerberos and in office hours: only the hour and the protocol give it away.
      expect(before.every((t) => t.auth === 'Kerberos')).toBe(true);
      expect(before.every((t) => (t.time % DAY) / HOUR >= 5)).toBe(true);
    }
  });

  it('has order anomalies on pairs seen in training: Kerberos logons with no ticket request first, and a logon after many failures', () => {
    const order = redOf('order-anomaly');
    const seen = new Set(train.map((t) => `${t.user}|${t.src}|${t.dst}`));
    for (const e of order) expect(seen.has(`${e.user}|${e.src}|${e.dst}`), `${e.user} ${e.src}->${e.dst} in train`).toBe(true);

    const silver = order.filter((e) => e.auth === 'Kerberos' && e.logonType === 'Network');
    expect(silver.length).toBeGreaterThan(0);
    for (const e of silver) {
      const dayStart = e.time - (e.time % DAY);
      const ticket = test.some((t) => t.orient === 'TGS' && t.user === e.user && t.src === e.src && t.dst === e.dst && t.time >= dayStart && t.time <= e.time);
      expect(ticket, `TGS before ${e.user} ${e.src}->${e.dst} at ${e.time}`).toBe(false);
    }

    const fails = order.filter((e) => e.ok === 'Fail');
    const success = order.filter((e) => e.logonType === 'Interactive' && e.ok === 'Success');
    expect(fails.length).toBeGreaterThanOrEqual(3);
    expect(success).toHaveLength(1);
    expect(Math.max(...fails.map((e) => e.time))).toBeLessThan(success[0]!.time);
  });
});
