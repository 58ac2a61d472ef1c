// `--entity src_host` end to end on a real LANL sample: the bundle, the memory's hour habit and the scorer's context
// all follow the host, so a host's previous logons (by any user) change the next one's score and another host's do not.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { readEvents } from '../src/adapters/read.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { Scorer } from '../src/scorer/scorer.js';
import { runCli } from './support/cli.js';
import { hasBuild, hasPython, hasSharedData, shared } from './support/env.js';

const ready = hasSharedData() && hasPython() && hasBuild();
const input = shared('lanl', 'safekit-heads', 'day0_head_decoded.csv');

describe.runIf(ready)('train --entity src_host', () => {
  const modelDir = join(mkdtempSync(join(tmpdir(), 'seqsentry-entity-')), 'model');
  const events: CanonicalEvent[] = [];

  beforeAll(async () => {
    const r = runCli(['train', '--format', 'lanl', '--input', input, '--model-dir', modelDir, '--entity', 'src_host', '--context', '8', '--epochs', '2', '--seed', '4', '--no-screen']) // every event through the host's context
    expect(r.status, r.stderr).toBe(0);
    for await (const item of readEvents([input], createAdapter('lanl'))) if (item.event) events.push(item.event);
  });

  it('keeps the host as the context entity in the bundle and its hour habit in the memory', () => {
    const bundle = JSON.parse(readFileSync(join(modelDir, 'bundle.json'), 'utf8'));
    const memory = JSON.parse(readFileSync(join(modelDir, 'memory.json'), 'utf8'));
    expect(bundle.entity_key).toBe('src_host');
    expect(memory.spec.hour_entity).toBe('src_host');
    const hosts = new Set(events.map((e) => e.entities.src_host));
    for (const [entity] of memory.hours) expect(hosts.has(entity)).toBe(true);
  });

  it('scores an event in the context of its host, whoever logged on there before', async () => {
    // a host with logons by at least two users whose last event's user also logged on from other hosts: with the
    // user as the entity, those would be the context
    const byHost = new Map<string, CanonicalEvent[]>();
    for (const e of events) byHost.set(e.entities.src_host!, [...(byHost.get(e.entities.src_host!) ?? []), e]);
    const elsewhere = (host: string, user: string | undefined) => events.filter((e) => e.entities.user === user && e.entities.src_host !== host);
    const [host, own] = [...byHost].find(([h, es]) => es.length >= 6 && new Set(es.map((e) => e.entities.user)).size >= 2 && elsewhere(h, es.at(-1)!.entities.user).length >= 3)!;
    const last = own.at(-1)!;
    const before = own.slice(-6, -1);
    const other = elsewhere(host, last.entities.user).slice(-5);
    const scoreAfter = async (prefix: CanonicalEvent[]) => {
      const scorer = await Scorer.load(modelDir);
      try {
        return (await scorer.score([...prefix, last])).at(-1)!.raw;
      } finally {
        await scorer.close();
      }
    };
    const alone = await scoreAfter([]);
    expect(await scoreAfter(other)).toBe(alone); // the same user's logons from other hosts are not this host's context
    expect(await scoreAfter(before)).not.toBe(alone); // its own previous logons are
  });
});
