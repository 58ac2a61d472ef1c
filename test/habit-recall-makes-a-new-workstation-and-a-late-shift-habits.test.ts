// Habit recall (FusionData.habit_recall_min_age): the novelty and hour habits of a first member the memory knows count
// the entity's recalled events too, those old enough, so a user's new workstation or late shift grows into a habit as
// the pair counts already make a new pair one; a sitting's own events do not; a first member the memory never met
// stays new; bundles without the field keep
// novelty the training habit and score as before; the probability stays a probability however much is recalled.
import { describe, expect, it } from 'vitest';
import { EntityMemory } from '../src/memory/entity-memory.js';
import { HABIT_MIN_AGE, PAIRS_ONLY_RECALL } from '../src/memory/memory-spec.js';
import { Fusion, type FusionData } from '../src/memory/fusion.js';
import { LANL_MEMORY_SPEC, lanlLogon, recalledStatistics } from './support/memory-fixture.js';

const event = lanlLogon;
const spec = LANL_MEMORY_SPEC;

/** U1 logs on from C1 to C2 eight times a day for ten days; U2 from C3 to C2. */
function trained(): EntityMemory {
  const m = new EntityMemory(spec);
  for (let d = 0; d < 10; d++) {
    for (let h = 9; h < 17; h++) {
      m.add(event(d * 86400 + h * 3600, 'U1', 'C1', 'C2'));
      m.add(event(d * 86400 + h * 3600 + 60, 'U2', 'C3', 'C2'));
    }
  }
  return m;
}

const stats = recalledStatistics;

const NOVELTY = 1;
const HOUR = 2;
const later = 20 * 86400 + 10 * 3600;
/** U1's logons at its new workstation C9 (to itself, an interactive logon) this morning, a minute apart. */
const logons = [0, 1, 2, 3].map((k) => event(later + k * 60, 'U1', 'C9', 'C9'));

describe('habit recall', () => {
  it('lowers the novelty of a new workstation with each recalled logon at it', () => {
    const m = trained();
    const rule = { minAge: 0, habitMinAge: 0 };
    const novelty = logons.map((e, k) => stats(m, e, logons.slice(0, k), rule)[NOVELTY] as number);
    for (let k = 1; k < novelty.length; k++) expect(novelty[k]).toBeLessThan(novelty[k - 1] as number);
    // Without recall into novelty, the fourth is as new as the first.
    const fixed = stats(m, logons[3]!, logons.slice(0, 3), PAIRS_ONLY_RECALL)[NOVELTY] as number;
    expect(fixed).toBeCloseTo(novelty[0] as number, 12);
    expect(novelty[3]).toBeLessThan(fixed - 4);
  });

  it('counts the recalled events as training events of a known first member; one the memory never met stays new', () => {
    const m = trained();
    const fourth = stats(m, logons[3]!, logons.slice(0, 3), { minAge: 0, habitMinAge: 0 })[NOVELTY] as number;
    // user+src_host and user+dst_host: U1 had 80 events over one partner; C9 recalled 3 times is a second partner.
    // user+auth_type: Kerberos, 80 + 3 of 80 + 3. src_host+dst_host: C9 is a first member the memory never met, as
    // new as without recall: 2 first members over 160 events, (2 + 1) / (160 + 2 + 1).
    const expected = -2 * Math.log(3 / (80 + 3 + 1 + 2)) - Math.log((80 + 3) / (80 + 3 + 1 + 1)) - Math.log(3 / 163);
    expect(fourth).toBeCloseTo(expected, 12);
  });

  it('keeps every partner probability at most 1: a novelty is never below 0', () => {
    const m = trained();
    const usual = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => event(later + k * 60, 'U1', 'C1', 'C2'));
    const s = stats(m, usual[7]!, usual.slice(0, 7), { minAge: 0, habitMinAge: 0 });
    expect(s[NOVELTY]).toBeGreaterThan(0);
  });

  it('leaves out recalled events younger than the minimum age from novelty as from the pairs', () => {
    const m = trained();
    const young = stats(m, logons[3]!, logons.slice(0, 3), { minAge: 3600, habitMinAge: 0 });
    const none = stats(m, logons[3]!, [], { minAge: 0, habitMinAge: 0 });
    expect(young[NOVELTY]).toBeCloseTo(none[NOVELTY] as number, 12);
    expect(young[0]).toBeCloseTo(none[0] as number, 12);
    expect(young[HOUR]).toBeCloseTo(none[HOUR] as number, 12);
  });

  it('counts in the habits only what is at least the habit age old, in the pairs what the pair rule allows', () => {
    const m = trained();
    const rule = { minAge: 0, habitMinAge: HABIT_MIN_AGE };
    // A hop of an attacker: a ticket and its logon a second apart, then the same an hour and a half later.
    const hop = [0, 1, 5400, 5401].map((t) => event(later + t, 'U1', 'C9', 'C9'));
    const alone = stats(m, hop[1]!, [], rule);
    const second = stats(m, hop[1]!, hop.slice(0, 1), rule);
    expect(second[NOVELTY]).toBeCloseTo(alone[NOVELTY] as number, 12);
    expect(second[HOUR]).toBeCloseTo(alone[HOUR] as number, 12);
    expect(second[0]).toBeLessThan(alone[0] as number);
    // The hop an hour and a half later meets the first two as habit; its own ticket a second before is not.
    const fourth = stats(m, hop[3]!, hop.slice(0, 3), rule);
    const asIfTwo = stats(m, hop[3]!, hop.slice(0, 2), { minAge: 0, habitMinAge: 0 });
    expect(fourth[NOVELTY]).toBeCloseTo(asIfTwo[NOVELTY] as number, 12);
  });

  it('makes a late shift a habit: each recalled logon at 23:00 weighs in the hour profile as a training one would', () => {
    const m = trained();
    const night = [0, 1, 2, 3].map((k) => event(20 * 86400 + 23 * 3600 + k * 60, 'U1', 'C1', 'C2'));
    const hour = night.map((e, k) => stats(m, e, night.slice(0, k), { minAge: 0, habitMinAge: 0 })[HOUR] as number);
    for (let k = 1; k < hour.length; k++) expect(hour[k]).toBeLessThan(hour[k - 1] as number);
    expect(stats(m, night[3]!, night.slice(0, 3), PAIRS_ONLY_RECALL)[HOUR]).toBeCloseTo(hour[0] as number, 12);
    // U1's 80 training logons are all between 9:00 and 17:00, so its smoothed count at 23:00 is the 3 recalled ones;
    // each event weighs 2 in the profile's total; 4 pseudo-events of the global profile (g: a user it never met).
    const g = m.hourProbability(event(night[3]!.time, 'U7', 'C1', 'C2'));
    expect(hour[3]).toBeCloseTo(-Math.log((3 + 4 * g) / (2 * (80 + 3) + 4)), 12);
  });

  it('leaves the hour of a user the memory never met at the global profile', () => {
    const m = trained();
    const stranger = [0, 1, 2].map((k) => event(later + k * 60, 'U7', 'C1', 'C2'));
    const first = stats(m, stranger[0]!, [], { minAge: 0, habitMinAge: 0 });
    const third = stats(m, stranger[2]!, stranger.slice(0, 2), { minAge: 0, habitMinAge: 0 });
    expect(third[HOUR]).toBeCloseTo(first[HOUR] as number, 12);
  });

  it('is read from the bundle: absent means the pairs only, as bundles trained before', () => {
    const m = trained();
    const tail = { values: [0, 1], log_survival: [0, -1], tail_scale: 1, n: 10 };
    const data = (extra: Partial<FusionData>): FusionData => ({ components: ['sequence', ...m.componentNames].map((name) => ({ name, tail })), memory_file: 'memory.json', memory_sha256: '0'.repeat(64), recall: 32, ...extra });
    expect(new Fusion(data({}), m).recallRule).toEqual({ minAge: 0, habitMinAge: null, newMemberMinAge: null });
    expect(new Fusion(data({ habit_recall_min_age: 3600, recall_min_age: 60 }), m).recallRule).toEqual({ minAge: 60, habitMinAge: 3600, newMemberMinAge: null });
    expect(new Fusion(data({ habit_recall_min_age: 3600, new_member_habit_min_age: 14400 }), m).recallRule).toEqual({ minAge: 0, habitMinAge: 3600, newMemberMinAge: 14400 });
    expect(new Fusion(data({}), m).recallRule).toEqual(PAIRS_ONLY_RECALL);
  });
});
