// Recall with a minimum age (FusionData.recall_min_age, declared by a format as Adapter.recallMinAge): the pair counts
// recall only the entity's recent events at least that many seconds older than the scored one, so the logins of one
// sitting (an account taker's burst from a new address and device) do not make each other habitual, while the same
// pairs an hour or a day later are counted as before. Without it (every other format) every recalled event counts.
import { describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { EntityMemory } from '../src/memory/entity-memory.js';
import { Fusion, type FusionData } from '../src/memory/fusion.js';
import { fitTail } from '../src/memory/tail.js';
import { historyRow, LANL_MEMORY_SPEC, lanlLogon, recalledStatistics } from './support/memory-fixture.js';

const event = lanlLogon;
const spec = LANL_MEMORY_SPEC;

function trained(): EntityMemory {
  const m = new EntityMemory(spec);
  for (let d = 0; d < 10; d++) for (let h = 9; h < 17; h++) m.add(event(d * 86400 + h * 3600, 'U1', 'C1', 'C2'));
  return m;
}

/** The `pairs` statistic of `e` with `past` recalled, leaving out those younger than minAge seconds. */
function pairs(m: EntityMemory, e: CanonicalEvent, past: CanonicalEvent[], minAge: number): number {
  return recalledStatistics(m, e, past, { minAge, habitMinAge: null })[0] as number;
}

const LATER = 20 * 86400;
const unseen = -4 * Math.log(0.1);

describe('recall with a minimum age', () => {
  it('leaves out the logons of the same sitting and counts those an hour or more before', () => {
    const m = trained();
    const sitting = [0, 600, 1200].map((s) => event(LATER + s, 'U9', 'C7', 'C8'));
    // Ten and twenty minutes after the first: nothing recalled with an hour's minimum age, both without one.
    expect(pairs(m, sitting[2]!, sitting.slice(0, 2), 3600)).toBeCloseTo(unseen, 12);
    expect(pairs(m, sitting[2]!, sitting.slice(0, 2), 0)).toBeCloseTo(-4 * Math.log(2.1), 12);
    // The next day the whole sitting is an hour old: its three logons count.
    const nextDay = event(LATER + 86400, 'U9', 'C7', 'C8');
    expect(pairs(m, nextDay, sitting, 3600)).toBeCloseTo(-4 * Math.log(3.1), 12);
    expect(m.lastUnseenPairs()).toEqual([]);
  });

  it('counts an event exactly the minimum age older, not one a second younger', () => {
    const m = trained();
    const now = event(LATER + 7200, 'U9', 'C7', 'C8');
    expect(pairs(m, now, [event(LATER + 3600, 'U9', 'C7', 'C8')], 3600)).toBeCloseTo(-4 * Math.log(1.1), 12);
    expect(pairs(m, now, [event(LATER + 3601, 'U9', 'C7', 'C8')], 3600)).toBeCloseTo(unseen, 12);
    expect(m.lastUnseenPairs()).toHaveLength(4);
  });

  it('is applied by a fusion whose bundle declares it, and by none that does not', () => {
    const m = trained();
    const tail = fitTail([0, 1, 2, 3]);
    const data = (extra: Partial<FusionData>): FusionData => ({
      components: ['sequence', ...m.componentNames].map((name) => ({ name, tail })),
      memory_file: 'memory.json',
      memory_sha256: '0'.repeat(64),
      recall: 32,
      ...extra,
    });
    const sitting = [0, 600].map((s) => event(LATER + s, 'U9', 'C7', 'C8'));
    const statistic = (fusion: Fusion) => {
      const out = new Float64Array(fusion.memoryWidth);
      fusion.memoryStatistics(sitting[1]!, out, 0, { rows: [historyRow(m, sitting[0]!)], row: historyRow(m, sitting[1]!), offset: 0 });
      return out[0] as number;
    };
    expect(statistic(new Fusion(data({ recall_min_age: 3600 }), m))).toBeCloseTo(unseen, 12);
    expect(statistic(new Fusion(data({}), m))).toBeCloseTo(-4 * Math.log(1.1), 12);
  });

  it('is declared by the weblogin format only', () => {
    expect(createAdapter('weblogin').recallMinAge).toBe(3600);
    for (const format of ['lanl', 'windows', 'ecs', 'authlog']) expect(createAdapter(format).recallMinAge).toBeUndefined();
  });
});
