// The fusion's hour-habit tail is bounded: beyond its largest held-out value ln P falls at most ln n further (n held-out
// events vouch for 1/n², no less), so a benign logon at an hour its user never worked cannot outweigh every other
// component; the other components' tails, and tails of bundles fitted before bounds (no `floor`), stay unbounded.
import { describe, expect, it } from 'vitest';
import { EntityMemory } from '../src/memory/entity-memory.js';
import { Fusion, type FusionData } from '../src/memory/fusion.js';
import { fitTail, tailFloor, TailTable } from '../src/memory/tail.js';
import { TailSchema } from '../src/model/bundle.js';
import { LANL_MEMORY_SPEC } from './support/memory-fixture.js';

/** 1,000 held-out statistics 0..9.99, the largest once: its ln P(X >= x) is ln(1/1000). */
const held = Array.from({ length: 1000 }, (_, i) => i / 100);

describe('a bounded tail', () => {
  it('stops ln n below the largest held-out value\'s ln P, and only beyond it', () => {
    const data = fitTail(held, true);
    expect(data.floor).toBeCloseTo(tailFloor(Math.log(1 / 1000), 1000), 12);
    expect(data.floor).toBeCloseTo(2 * Math.log(1 / 1000), 12);
    const bounded = new TailTable(data);
    const free = new TailTable(fitTail(held));
    // Within the held-out values and just beyond the largest, the same as unbounded.
    for (const x of [0, 3.3, 9.99, 10.2]) expect(bounded.logP(x)).toBe(free.logP(x));
    // Far beyond, the unbounded exponential keeps falling; the bounded tail stays at its floor.
    expect(free.logP(1e3)).toBeLessThan(data.floor as number);
    expect(bounded.logP(1e3)).toBe(data.floor);
    expect(bounded.logP(1e6)).toBe(data.floor);
  });

  it('is absent from an unbounded fit, whose table extrapolates as every table did before bounds', () => {
    const data = fitTail(held);
    expect('floor' in data).toBe(false);
    expect(new TailTable(data).logP(1e3)).toBeLessThan(2 * Math.log(1 / 1000) - 100);
  });

  it('survives the bundle schema: a floor is read back, a table without one parses without one', () => {
    const data = fitTail(held, true);
    expect(TailSchema.parse(JSON.parse(JSON.stringify(data))).floor).toBe(data.floor);
    expect(TailSchema.parse(JSON.parse(JSON.stringify(fitTail(held)))).floor).toBeUndefined();
  });
});

describe('the fused score with a bounded hour tail', () => {
  it('limits what an hour never seen adds to the raw score, and nothing else', () => {
    const memory = new EntityMemory(LANL_MEMORY_SPEC);
    expect(memory.hourComponent).toBe('hour:user');
    const names = ['sequence', ...memory.componentNames];
    const data = (bounded: boolean): FusionData => ({
      components: names.map((name) => ({ name, tail: fitTail(held, bounded && name === memory.hourComponent) })),
      memory_file: 'memory.json',
      memory_sha256: '0'.repeat(64),
    });
    const logP = new Float64Array(names.length);
    const score = (d: FusionData, hour: number, pairs = 1) => new Fusion(d, memory).combine(1, Float64Array.from([pairs, 1, hour]), 0, logP);
    const floor = tailFloor(Math.log(1 / 1000), 1000);
    // An hour statistic of 60 (a busy user's first evening): unbounded it alone gives far more than the floor allows.
    const free = score(data(false), 60);
    const bounded = score(data(true), 60);
    expect(logP[3]).toBeCloseTo(floor, 12);
    expect(bounded).toBeLessThan(free);
    // The same event with new pairs as well (pairs statistic 60) still outranks it: the hour no longer drowns them.
    expect(score(data(true), 60, 60)).toBeGreaterThan(bounded);
    // A pairs statistic beyond every held-out value is not bounded.
    score(data(true), 1, 1e3);
    expect(logP[1]).toBeLessThan(floor - 100);
    // Ordinary events score the same either way.
    expect(score(data(true), 5)).toBe(score(data(false), 5));
  });
});
