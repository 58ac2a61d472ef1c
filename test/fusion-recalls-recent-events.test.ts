// Recall: the memory's pair counts also count the entity's recent events that are later than the memory (the
// history rows carry each pair's key hash), so a new user's repeated logons to its new workstation become less rare
// with each one, while novelty (the training habit) and events the memory already holds are left as they were.
import { describe, expect, it } from 'vitest';
import { EntityMemory } from '../src/memory/entity-memory.js';
import { LANL_MEMORY_SPEC, lanlLogon, recalledStatistics } from './support/memory-fixture.js';

const event = lanlLogon;

function trained(): EntityMemory {
  const m = new EntityMemory(LANL_MEMORY_SPEC);
  for (let d = 0; d < 10; d++) for (let h = 9; h < 17; h++) m.add(event(d * 86400 + h * 3600, 'U1', 'C1', 'C2'));
  return m;
}

/** Statistics of `e` with `past` as its recalled history (the pairs-only recall of bundles without habit recall). */
const stats = recalledStatistics;

describe('recall of recent events', () => {
  it('counts a pair again for each recent event of it later than the memory', () => {
    const m = trained();
    expect(m.until).toBe(9 * 86400 + 16 * 3600);
    const later = 20 * 86400;
    const logons = [0, 1, 2, 3].map((k) => event(later + k * 60, 'U9', 'C7', 'C8'));
    const first = stats(m, logons[0]!, []);
    const fourth = stats(m, logons[3]!, logons.slice(0, 3));
    // Every pair unseen: 4 × -ln 0.1; three earlier logons make each pair's count 3 (user+auth_type too).
    expect(first[0]).toBeCloseTo(-4 * Math.log(0.1), 12);
    expect(fourth[0]).toBeCloseTo(-4 * Math.log(3.1), 12);
    expect(m.lastUnseenPairs()).toEqual([]);
    // Novelty is the training habit: a new user stays a new user.
    expect(fourth[1]).toBeCloseTo(first[1] as number, 12);
    expect(fourth[2]).toBeCloseTo(first[2] as number, 12);
  });

  it('does not count recalled events the memory already holds, nor other pairs', () => {
    const m = trained();
    const inMemory = event(9 * 86400 + 10 * 3600, 'U1', 'C1', 'C2');
    const next = event(20 * 86400, 'U1', 'C1', 'C2');
    expect(stats(m, next, [inMemory, inMemory])[0]).toBeCloseTo(stats(m, next, [])[0] as number, 12);
    const other = event(20 * 86400 - 60, 'U1', 'C1', 'C3');
    // Only user+src_host (and user+auth_type) of `other` match an event to C2: each seen 80 + 1 times.
    expect(stats(m, next, [other])[0]).toBeCloseTo(-2 * Math.log(81.1) - 2 * Math.log(80.1), 12);
  });

  it('keeps `until` through a save, and recalls nothing with a memory file that predates it', () => {
    const m = trained();
    const file = m.toFile();
    expect(EntityMemory.fromFile(file).until).toBe(m.until);
    const { until: _until, ...old } = file;
    const legacy = EntityMemory.fromFile(old);
    const later = 20 * 86400;
    const logons = [0, 1].map((k) => event(later + k * 60, 'U9', 'C7', 'C8'));
    expect(stats(legacy, logons[1]!, [logons[0]!])[0]).toBeCloseTo(-4 * Math.log(0.1), 12);
  });
});
