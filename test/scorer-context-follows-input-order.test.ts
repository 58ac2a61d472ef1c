// The scorer's history context depends on input order only, not on how the input is cut into calls.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { readEvents } from '../src/adapters/read.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { train } from '../src/commands/train.js';
import { Scorer } from '../src/scorer/scorer.js';
import { hasPython, hasSharedData, shared } from './support/env.js';

describe.runIf(hasSharedData() && hasPython())('scorer history context', () => {
  let scorer: Scorer;
  const events: CanonicalEvent[] = [];

  beforeAll(async () => {
    const modelDir = join(mkdtempSync(join(tmpdir(), 'seqsentry-ctx-')), 'model');
    const day0 = shared('lanl', 'safekit-heads', 'day0_head_decoded.csv');
    await train({ format: 'lanl', inputs: [day0], modelDir, kind: 'transformer-mlm', epochs: 4, seed: 5, minCount: 1, hourToken: true, strict: false });
    scorer = await Scorer.load(modelDir, { maxBatch: 64 });
    for await (const item of readEvents([shared('lanl', 'safekit-heads', 'day1_head_decoded.csv')], createAdapter('lanl'))) {
      if (item.event) events.push(item.event);
      if (events.length === 600) break;
    }
  });
  afterAll(async () => scorer?.close());

  it('gives identical scores whether events come in one call, in odd-sized calls or one by one', async () => {
    scorer.history.clear();
    const whole = await scorer.score(events);
    scorer.history.clear();
    const cuts: typeof whole = [];
    for (let i = 0; i < events.length; i += 37) cuts.push(...(await scorer.score(events.slice(i, i + 37))));
    scorer.history.clear();
    const single: typeof whole = [];
    for (const e of events.slice(0, 100)) single.push(...(await scorer.score([e])));
    expect(cuts.map((r) => r.raw)).toEqual(whole.map((r) => r.raw));
    single.forEach((r, i) => expect(r.raw).toBeCloseTo(whole[i]!.raw, 5));
  });

  it('uses the context: the same event scores differently after a different history', async () => {
    const target = events[300]!;
    scorer.history.clear();
    const [cold] = await scorer.score([target]);
    scorer.history.clear();
    const sameUser = events.filter((e) => e.entities.user === target.entities.user).slice(0, 8);
    await scorer.score(sameUser);
    const [warm] = await scorer.score([target]);
    expect(Math.abs(cold!.raw - warm!.raw)).toBeGreaterThan(1e-4);
  });

  it('keeps separate histories per scope', async () => {
    const target = events[300]!;
    scorer.history.clear();
    const [cold] = await scorer.score([target], ['index-b']);
    scorer.history.clear();
    await scorer.score(events.slice(0, 50), events.slice(0, 50).map(() => 'index-a'));
    const [otherScope] = await scorer.score([target], ['index-b']);
    expect(otherScope!.raw).toBe(cold!.raw);
  });
});
