// The fusion is fitted on events held out from the sequence model in blocks spread over the whole training span
// (every fifth hour), not on its latest part (a week's latest fifth is its weekend): the trainer and the fusion step
// pick the same events, and the held-out events fall on every day and at many hours.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { heldOutRule, isHeldOut } from '../src/train/held-out.js';
import { ecsDocs } from './support/ecs-fixture.js';
import { hasPython } from './support/env.js';
import { ecsModel } from './support/model-fixture.js';

describe('held-out blocks', () => {
  it('hold out every fifth hour from the first event, with shorter blocks for a short span', () => {
    const week = Float64Array.from({ length: 7 * 24 * 10 }, (_, i) => 864_000 + i * 360);
    const rule = heldOutRule(week);
    expect(rule).toEqual({ origin: 864_000, block: 3600, every: 5 });
    const held = [...week].filter((t) => isHeldOut(rule, t));
    expect(held.length / week.length).toBeCloseTo(0.2, 2);
    expect(new Set(held.map((t) => Math.floor(t / 86400))).size).toBe(7);
    expect(new Set(held.map((t) => Math.floor(t / 3600) % 24)).size).toBe(24);
    const minute = Float64Array.from({ length: 600 }, (_, i) => i / 10);
    expect(heldOutRule(minute).block).toBeCloseTo(59.9 / 50, 12);
    expect(() => heldOutRule(Float64Array.from({ length: 30 }, () => 5))).toThrow(/span too little time to hold out part of it/);
  });

  it.runIf(hasPython())('are left out by the trainer and scored by the fusion step, the same events on both sides', async () => {
    const dir = await ecsModel();
    const bundle = JSON.parse(readFileSync(join(dir, 'bundle.json'), 'utf8'));
    const adapter = createAdapter('ecs');
    const times = Float64Array.from(ecsDocs(), (d, i) => adapter.parse(d, { file: 'fixture', line: i + 1 })!.time);
    const rule = heldOutRule(times);
    expect(bundle.training.held_out).toEqual(rule);
    expect(bundle.metrics.fusion.held_out).toEqual(rule);
    const held = [...times].filter((t) => isHeldOut(rule, t)).length;
    expect(held).toBeGreaterThan(0.1 * times.length);
    expect(bundle.training.events).toBe(times.length - held);
    expect(bundle.metrics.fusion.held_out_events).toBe(held);
    expect(bundle.fusion.recall).toBe(32);
  }, 600_000);
});
