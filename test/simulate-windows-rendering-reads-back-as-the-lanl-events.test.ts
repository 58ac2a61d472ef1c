// The same enterprise rendered as LANL lines and as Windows Security events gives the same canonical events up to
// representation: one Windows event per LANL line, in the same order, with the same time (from the rendering's
// epoch), account, hosts (a Kerberos ticket's client by its address, a TGT's destination its DC), authentication
// package, logon type and outcome; and the Windows labels name exactly the red-team events LANL's labels name.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../src/core/event.js';
import { createAdapter } from '../src/adapters/registry.js';
import { eventLabelKey, readLabels } from '../src/eval/labels.js';
import { buildEnterprise } from '../src/sim/enterprise.js';
import { Rng } from '../src/sim/prng.js';
import { parseProfile } from '../src/sim/profile.js';
import { AddressPlan, SIM_EPOCH_SECONDS } from '../src/sim/render-windows.js';
import { simulate } from '../src/sim/simulate.js';
import { renderedEvents } from './support/sim-fixture.js';

const options = { days: 4, trainDays: 2, scale: 0.4, seed: 3 };
const LOGON_TYPE_NUMBERS: Record<string, string> = {
  Interactive: '2', Network: '3', Batch: '4', Service: '5', Unlock: '7', NetworkCleartext: '8', NewCredentials: '9', RemoteInteractive: '10', CachedInteractive: '11', '?': '?',
};

describe('the Windows rendering reads back as the LANL events', () => {
  let root: string;
  let lanl: CanonicalEvent[];
  let win: CanonicalEvent[];
  let plan: AddressPlan;
  let dcOf: (host: string) => string | undefined;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'seqsentry-sim-win-'));
    await simulate({ ...options, outDir: join(root, 'lanl') });
    await simulate({ ...options, outDir: join(root, 'windows'), render: 'windows' });
    lanl = await renderedEvents(join(root, 'lanl', 'test.csv'), 'lanl');
    win = await renderedEvents(join(root, 'windows', 'test.jsonl'), 'windows');
    // The enterprise the simulation built, for the address plan and each client's DC
    const ent = buildEnterprise(new Rng(options.seed).fork('enterprise'), options.scale, options.days, parseProfile(undefined));
    plan = new AddressPlan(ent.hosts.keys());
    dcOf = (host) => ent.hosts.get(host)?.dc;
  }, 120_000);
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('has one Windows event per LANL line', () => {
    expect(lanl.length).toBeGreaterThan(10_000);
    expect(win.length).toBe(lanl.length);
  });

  it('maps every event field by field', () => {
    const mismatches: string[] = [];
    lanl.forEach((l, i) => {
      const w = win[i] as CanonicalEvent;
      const [srcUser, , src, dst, auth, logonType, orientation, success] = l.fields as string[];
      const ticket = orientation === 'TGT' || orientation === 'TGS';
      const expected = {
        time: l.time + SIM_EPOCH_SECONDS,
        user: (srcUser as string).slice(0, (srcUser as string).lastIndexOf('@')).toLowerCase(),
        src: ticket ? plan.of(src as string) : (src as string).toLowerCase(),
        dst: (orientation === 'TGT' ? (dcOf(src as string) as string) : (dst as string)).toLowerCase(),
        auth: ticket ? 'Kerberos' : auth,
        logonType: LOGON_TYPE_NUMBERS[logonType as string],
        outcome: success === 'Success' ? 'success' : 'failure',
      };
      const got = {
        time: w.time, user: w.entities.user, src: w.entities.src_host, dst: w.entities.dst_host,
        auth: w.fields[4], logonType: w.fields[5], outcome: w.fields[6],
      };
      if (JSON.stringify(got) !== JSON.stringify(expected) && mismatches.length < 5) mismatches.push(`${l.raw} → ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`);
    });
    expect(mismatches).toEqual([]);
  });

  it('labels the same red-team events in both renderings', async () => {
    const lanlLabels = await readLabels(join(root, 'lanl', 'redteam.txt'), createAdapter('lanl').labelEntities);
    const winLabels = await readLabels(join(root, 'windows', 'redteam.txt'), createAdapter('windows').labelEntities);
    expect(winLabels.lines).toBe(lanlLabels.lines);
    expect(lanlLabels.lines).toBeGreaterThan(0);
    const red = (labels: typeof lanlLabels, list: CanonicalEvent[]) =>
      list.flatMap((e, i) => (labels.keys.has(eventLabelKey(labels, e.time, e.entities) as string) ? [i] : []));
    expect(red(winLabels, win)).toEqual(red(lanlLabels, lanl));
    const truth = (await readFile(join(root, 'windows', 'campaigns.tsv'), 'utf8')).trim().split('\n');
    expect(truth.length - 1).toBe(winLabels.lines);
  });
});
