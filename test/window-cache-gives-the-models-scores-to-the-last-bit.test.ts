// A context-free bundle's outputs remembered by window (window-cache.ts) give every score and explanation the model
// itself gives, to the last bit: on real LANL logons, where one event's token ids repeat often, scored in the
// service's batch size, with the cache off, at its default size, and so small that it evicts all the time.
import { describe, expect, it, beforeAll } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { readEvents } from '../src/adapters/read.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { Scorer, type ScoreResult } from '../src/scorer/scorer.js';
import { hasPython, hasSharedData, shared } from './support/env.js';
import { lanlModel } from './support/model-fixture.js';

async function scoreAll(modelDir: string, events: CanonicalEvent[], windowCache: number): Promise<{ results: ScoreResult[]; scorer: Scorer }> {
  const scorer = await Scorer.load(modelDir, { maxBatch: 512, windowCache, budget: null });
  const results: ScoreResult[] = [];
  // Every field's line (explainAbove 0), so that each surprisal and expected value is compared.
  for (let i = 0; i < events.length; i += 300) results.push(...(await scorer.score(events.slice(i, i + 300), undefined, undefined, 0)));
  await scorer.close();
  return { results, scorer };
}

describe.runIf(hasSharedData() && hasPython())('window cache of a context-free model', () => {
  let modelDir = '';
  const events: CanonicalEvent[] = [];
  beforeAll(async () => {
    modelDir = await lanlModel('transformer-mlm', 0);
    for await (const item of readEvents([shared('lanl', 'safekit-heads', 'day2_head_decoded.csv')], createAdapter('lanl'))) if (item.event) events.push(item.event);
  }, 600_000);

  it('scores every event as the model does, whatever the cache holds', async () => {
    const plain = await scoreAll(modelDir, events, 0);
    expect(plain.scorer.context).toBe(0);
    expect(plain.scorer.windowCache).toBeNull();
    for (const size of [65_536, 50]) {
      const { results, scorer } = await scoreAll(modelDir, events, size);
      const cache = scorer.windowCache!;
      expect(cache.hits + cache.misses).toBe(events.length); // each event answered from the cache or by one call
      expect(cache.hits).toBeGreaterThan(events.length / 10); // the file repeats: the cache is used
      expect(cache.size).toBeLessThanOrEqual(size);
      expect(results).toEqual(plain.results);
      // toEqual treats -0 and 0 alike; the raw scores compared as bits
      expect(results.every((r, i) => Object.is(r.raw, plain.results[i]!.raw))).toBe(true);
    }
  }, 300_000);
});
