// `simulate --render weblogin`: the same people's web logins with the four account-takeover classes, each in
// campaigns.tsv with the property that makes it one (a country, a device, a trip or a spray its victim never
// showed), and labels that evaluation matches to exactly the red-team logins of the test file. Ordinary logins also
// change habits (business trips abroad, new devices: test/simulate-weblogin-habits-change.test.ts).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../src/core/event.js';
import { readEvents } from '../src/adapters/read.js';
import { createAdapter } from '../src/adapters/registry.js';
import { runRarityBaseline } from '../src/eval/baseline.js';
import { labelKey, readLabels } from '../src/eval/labels.js';
import { simulate } from '../src/sim/simulate.js';

const adapter = createAdapter('weblogin');
const field = (e: CanonicalEvent, name: string) => e.fields[adapter.fieldNames.indexOf(name)] as string;
type Truth = { key: string; user: string; src: string; cls: string; instance: string };

describe('simulated web logins carry account-takeover campaigns', () => {
  let root: string;
  let train: CanonicalEvent[];
  let test: CanonicalEvent[];
  let truth: Truth[];
  const byKey = new Map<string, CanonicalEvent>();
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'seqsentry-sim-web-'));
    await simulate({ days: 9, trainDays: 7, scale: 0.5, seed: 5, outDir: root, render: 'weblogin' });
    const read = async (file: string) => {
      const out: CanonicalEvent[] = [];
      for await (const item of readEvents([join(root, file)], adapter)) {
        if (!item.event) throw new Error(`${file}:${item.source.line}: ${item.error?.message ?? 'no event'}`);
        out.push(item.event);
      }
      return out;
    };
    train = await read('train.jsonl');
    test = await read('test.jsonl');
    for (const e of test) byKey.set(labelKey(e.time, [e.entities.user, e.entities.src_host, e.entities.dst_host]) as string, e);
    const rows = (await readFile(join(root, 'campaigns.tsv'), 'utf8')).trim().split('\n');
    expect(rows[0]).toBe('time\tuser\tsrc\tdst\tcampaign_class\tcampaign_instance');
    truth = rows.slice(1).map((row) => {
      const [time, user, src, dst, cls, instance] = row.split('\t') as [string, string, string, string, string, string];
      return { key: labelKey(Number(time), [user, src, dst]) as string, user, src, cls, instance };
    });
  }, 120_000);
  afterAll(() => rm(root, { recursive: true, force: true }));
  const events = (cls: string) => truth.filter((t) => t.cls === cls).map((t) => byKey.get(t.key) as CanonicalEvent);

  it('names every class in campaigns.tsv, each row a login of the test file', () => {
    expect(new Set(truth.map((t) => t.cls))).toEqual(new Set(['new-country', 'new-device', 'impossible-travel', 'credential-stuffing']));
    expect(truth.every((t) => byKey.has(t.key))).toBe(true);
  });

  it('evaluation matches the labels to exactly the red-team logins', async () => {
    const labels = await readLabels(join(root, 'redteam.txt'), adapter.labelEntities);
    expect(labels.lines).toBe(truth.length);
    const { scored } = await runRarityBaseline([join(root, 'train.jsonl')], join(root, 'test.jsonl'), adapter, labels);
    expect(scored.label.reduce((a, b) => a + b, 0)).toBe(truth.length);
    expect(scored.errors).toBe(0);
    expect(scored.label.length).toBe(test.length);
  });

  it('ordinary logins come mostly from the home country; a new-country login from one its user never used', () => {
    const abroad = train.filter((e) => field(e, 'country') !== 'US');
    expect(abroad.length).toBeLessThan(train.length * 0.05);
    for (const e of events('new-country')) {
      expect(field(e, 'country')).not.toBe('US');
      expect(train.some((t) => t.entities.user === e.entities.user && field(t, 'country') === field(e, 'country'))).toBe(false);
      expect(field(e, 'outcome')).toBe('success');
    }
  });

  it('a new-device login uses a browser and OS its user never used, from an AS its user never used', () => {
    for (const e of events('new-device')) {
      const mine = train.filter((t) => t.entities.user === e.entities.user);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.some((t) => field(t, 'browser') === field(e, 'browser') && field(t, 'os') === field(e, 'os'))).toBe(false);
      expect(mine.some((t) => field(t, 'asn') === field(e, 'asn'))).toBe(false);
      expect(field(e, 'country')).toBe('US');
    }
  });

  it('impossible travel follows the victim\'s own office login by less than an hour and a half, abroad', () => {
    for (const e of events('impossible-travel')) {
      const before = test.filter((t) => t.entities.user === e.entities.user && t.time < e.time && e.time - t.time < 5400 && field(t, 'country') === 'US');
      expect(before.length).toBeGreaterThan(0);
      expect(field(e, 'country')).not.toBe('US');
    }
  });

  it('credential stuffing tries many accounts from one hosting address, mostly failing', () => {
    const tries = events('credential-stuffing');
    expect(new Set(tries.map((e) => e.entities.src_host)).size).toBe(1);
    expect(new Set(tries.map((e) => e.entities.user)).size).toBeGreaterThanOrEqual(10);
    const failures = tries.filter((e) => field(e, 'outcome') === 'failure').length;
    expect(failures).toBeGreaterThan(tries.length / 2);
    expect(field(tries[0] as CanonicalEvent, 'asn')).toBe('AS14061');
  });
});
