// Inference runs in the model's worker thread: the event loop keeps turning while a large ONNX call runs, and the
// scores are those of the same events scored in small calls, which run on the event loop's own one-thread session.
import { describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { Scorer } from '../src/scorer/scorer.js';
import { ecsDocs } from './support/ecs-fixture.js';
import { ecsModel } from './support/model-fixture.js';
import { hasPython } from './support/env.js';

describe.runIf(hasPython())('ONNX worker thread', () => {
  it('keeps the event loop turning during one large inference call', async () => {
    const modelDir = await ecsModel();
    const adapter = createAdapter('ecs');
    const docs = ecsDocs();
    const events: CanonicalEvent[] = [];
    // Several passes over the fixture: one call of this size takes a good part of a second.
    for (let pass = 0; events.length < 24_000; pass++) {
      docs.forEach((d, i) => events.push(adapter.parse(d, { file: 'fixture', line: pass * docs.length + i + 1 })!));
    }
    const big = await Scorer.load(modelDir, { maxBatch: events.length, intraOpThreads: 1 });
    const small = await Scorer.load(modelDir, { maxBatch: 97 });
    try {
      let ticks = 0;
      const timer = setInterval(() => (ticks += 1), 2);
      const whole = await big.score(events);
      clearInterval(timer);
      // A call on the JS thread would let no timer fire until it returned.
      expect(ticks).toBeGreaterThanOrEqual(5);
      const pieces = await small.score(events);
      expect(whole.map((r) => r.raw)).toEqual(pieces.map((r) => r.raw));
    } finally {
      await Promise.all([big.close(), small.close()]);
    }
  });

  it('scores the same in calls small enough for the event loop (one thread) as through the worker (two)', async () => {
    const modelDir = await ecsModel();
    const adapter = createAdapter('ecs');
    const events = ecsDocs().slice(0, 400).map((d, i) => adapter.parse(d, { file: 'fixture', line: i + 1 })!);
    // 16 events a call at most: every call runs on the event loop's session; 400: one call through the worker.
    const inline = await Scorer.load(modelDir, { maxBatch: 16, intraOpThreads: 2 });
    const worker = await Scorer.load(modelDir, { maxBatch: 400, intraOpThreads: 2 });
    try {
      const small = await inline.score(events);
      const whole = await worker.score(events);
      expect(small.map((r) => r.raw)).toEqual(whole.map((r) => r.raw));
      expect(small.map((r) => r.anomaly_score)).toEqual(whole.map((r) => r.anomaly_score));
    } finally {
      await Promise.all([inline.close(), worker.close()]);
    }
  });

  it('fails calls on a released model with a clear error instead of hanging', async () => {
    const scorer = await Scorer.load(await ecsModel());
    await scorer.close();
    const adapter = createAdapter('ecs');
    const event = adapter.parse(ecsDocs()[0]!, { file: 'fixture', line: 1 })!;
    await expect(scorer.score([event])).rejects.toThrow(/model released/);
  });
});
