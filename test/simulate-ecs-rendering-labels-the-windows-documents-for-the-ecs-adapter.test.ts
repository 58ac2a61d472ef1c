// `simulate --render ecs` writes the Windows rendering's Winlogbeat documents unchanged and labels them in the values
// the generic ecs adapter reads from them (its default field map), so a detection run of the ecs format evaluates the
// same red-team events as the windows format's.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../src/core/event.js';
import { createAdapter } from '../src/adapters/registry.js';
import { eventLabelKey, readLabels } from '../src/eval/labels.js';
import { simulate } from '../src/sim/simulate.js';
import { renderedEvents } from './support/sim-fixture.js';

const options = { days: 4, trainDays: 2, scale: 0.3, seed: 5 };

describe('the ECS rendering', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'seqsentry-sim-ecs-'));
    await simulate({ ...options, outDir: join(root, 'windows'), render: 'windows' });
    await simulate({ ...options, outDir: join(root, 'ecs'), render: 'ecs' });
  }, 120_000);
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('writes the Windows rendering\'s documents to the byte', async () => {
    for (const file of ['train.jsonl', 'test.jsonl']) {
      const [win, ecs] = await Promise.all([readFile(join(root, 'windows', file)), readFile(join(root, 'ecs', file))]);
      expect(ecs.length).toBeGreaterThan(100_000);
      expect(ecs.equals(win)).toBe(true);
    }
  });

  it('labels, in the ecs adapter\'s values, the red-team events the windows labels name', async () => {
    const winLabels = await readLabels(join(root, 'windows', 'redteam.txt'), createAdapter('windows').labelEntities);
    const ecsLabels = await readLabels(join(root, 'ecs', 'redteam.txt'), createAdapter('ecs').labelEntities);
    expect(winLabels.lines).toBeGreaterThan(0);
    expect(ecsLabels.lines).toBe(winLabels.lines);
    const win = await renderedEvents(join(root, 'windows', 'test.jsonl'), 'windows');
    const ecs = await renderedEvents(join(root, 'ecs', 'test.jsonl'), 'ecs');
    expect(ecs.length).toBe(win.length);
    const red = (labels: typeof winLabels, list: CanonicalEvent[]) =>
      list.flatMap((e, i) => (labels.keys.has(eventLabelKey(labels, e.time, e.entities) as string) ? [i] : []));
    const redWin = red(winLabels, win);
    expect(redWin.length).toBeGreaterThan(0);
    expect(red(ecsLabels, ecs)).toEqual(redWin);
    // The ecs adapter keeps the documents' letter case, the windows adapter lowers it: the labels differ in values.
    expect((await readFile(join(root, 'ecs', 'redteam.txt'), 'utf8')) === (await readFile(join(root, 'windows', 'redteam.txt'), 'utf8'))).toBe(false);
  });
});
