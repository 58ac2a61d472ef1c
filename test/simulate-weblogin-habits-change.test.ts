// Simulated web-login habits change as a workforce's do (src/sim/weblogin/habit-changes.ts): some people log in from
// abroad for a few days on a business trip, with their own devices, and some switch to a new browser or OS, in
// training days as in test days, none of it labelled red. Without them a "new country or device for this user" rule
// would be perfect on the simulator and say nothing about a real workforce.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvents } from '../src/adapters/read.js';
import { createAdapter } from '../src/adapters/registry.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { labelKey } from '../src/eval/labels.js';
import { simulate } from '../src/sim/simulate.js';
import { habitChanges, tripOn } from '../src/sim/weblogin/habit-changes.js';
import { Rng } from '../src/sim/prng.js';

const adapter = createAdapter('weblogin');
const field = (e: CanonicalEvent, name: string) => e.fields[adapter.fieldNames.indexOf(name)] as string;

describe('simulated web-login habits change without being red', () => {
  let root: string;
  let events: CanonicalEvent[];
  let red: Set<string>;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'seqsentry-sim-habits-'));
    await simulate({ days: 16, trainDays: 14, scale: 1, seed: 3, outDir: root, render: 'weblogin' });
    events = [];
    for (const file of ['train.jsonl', 'test.jsonl']) {
      for await (const item of readEvents([join(root, file)], adapter)) if (item.event) events.push(item.event);
    }
    const rows = (await readFile(join(root, 'campaigns.tsv'), 'utf8')).trim().split('\n').slice(1);
    red = new Set(rows.map((r) => { const [t, u, s, d] = r.split('\t'); return labelKey(Number(t), [u, s, d]) as string; }));
  }, 120_000);
  afterAll(() => rm(root, { recursive: true, force: true }));
  const isRed = (e: CanonicalEvent) => red.has(labelKey(e.time, [e.entities.user, e.entities.src_host, e.entities.dst_host]) as string);

  it('business trips: several users log in from abroad on more than one day, with their own browser, unlabelled', () => {
    const abroad = events.filter((e) => !isRed(e) && field(e, 'country') !== 'US');
    const days = new Map<string, Set<number>>();
    for (const e of abroad) (days.get(e.entities.user) ?? days.set(e.entities.user, new Set()).get(e.entities.user) as Set<number>).add(Math.floor(e.time / 86400));
    expect(days.size).toBeGreaterThanOrEqual(3);
    expect([...days.values()].some((d) => d.size >= 2)).toBe(true);
    // The traveller's browser is one it used at home before the trip
    const before = (e: CanonicalEvent) => events.filter((h) => h.time < e.time && h.entities.user === e.entities.user && field(h, 'country') === 'US');
    const known = abroad.filter((e) => before(e).length > 0);
    expect(known.length).toBeGreaterThan(0);
    expect(known.filter((e) => before(e).some((h) => field(h, 'browser') === field(e, 'browser'))).length).toBeGreaterThan(known.length / 2);
  });

  it('new devices: some users switch to a browser and OS they never used before, unlabelled', () => {
    const seen = new Map<string, Set<string>>();
    const switched = new Set<string>();
    for (const e of events) {
      const mine = seen.get(e.entities.user) ?? seen.set(e.entities.user, new Set()).get(e.entities.user) as Set<string>;
      const device = `${field(e, 'browser')}/${field(e, 'os')}`;
      if (mine.size > 0 && !mine.has(device) && !isRed(e) && e.time >= 86400) switched.add(e.entities.user);
      mine.add(device);
    }
    expect(switched.size).toBeGreaterThanOrEqual(1);
  });

  it('a trip spans consecutive days, one at a time, and the same seed gives the same plan', () => {
    const plan = (seed: number) => habitChanges('staff', 'comcast', { desktop: 'win-chrome' }, 2000, new Rng(seed));
    const a = plan(7);
    expect(a).toEqual(plan(7));
    expect(a.trips.length).toBeGreaterThan(3);
    for (const [i, t] of a.trips.entries()) {
      expect(t.end).toBeGreaterThan(t.start);
      if (i > 0) expect(t.start).toBeGreaterThan((a.trips[i - 1] as { end: number }).end);
      expect(tripOn(a, t.start)).toBe(t);
      expect(tripOn(a, t.end + 1)).not.toBe(t);
    }
  });
});
