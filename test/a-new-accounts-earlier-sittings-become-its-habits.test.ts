// A user the memory never met (a new hire) stayed new at every event: hundreds of a new hire's ordinary logons over
// two days outranked most of the red team on the detection matrix. With fusion.new_member_habit_min_age a new entity's
// own recalled events at least that old are its novelty habit: its usual servers of this morning are ordinary by the
// afternoon, while a first logon somewhere new and every event within its first hours (an attacker's new service
// account working for an hour or two) stay as new as before; bundles without the field score as before.
import { describe, expect, it } from 'vitest';
import { EntityMemory } from '../src/memory/entity-memory.js';
import { HABIT_MIN_AGE, NEW_MEMBER_HABIT_MIN_AGE, PAIRS_ONLY_RECALL, type RecallRule } from '../src/memory/memory-spec.js';
import { LANL_MEMORY_SPEC, lanlLogon as event, recalledStatistics as stats } from './support/memory-fixture.js';

const NOVELTY = 1;
const HOUR = 2;

/** U1 logs on from C1 to C2 eight times a day for ten days; U2 from C3 to C4. */
function trained(): EntityMemory {
  const m = new EntityMemory(LANL_MEMORY_SPEC);
  for (let d = 0; d < 10; d++) {
    for (let h = 9; h < 17; h++) {
      m.add(event(d * 86400 + h * 3600, 'U1', 'C1', 'C2'));
      m.add(event(d * 86400 + h * 3600 + 60, 'U2', 'C3', 'C4'));
    }
  }
  return m;
}

const RULE: RecallRule = { minAge: 0, habitMinAge: HABIT_MIN_AGE, newMemberMinAge: NEW_MEMBER_HABIT_MIN_AGE };
const WITHOUT: RecallRule = { ...RULE, newMemberMinAge: null };
const morning = 20 * 86400 + 9 * 3600;
/** U7, new, at its workstation C9, logs on to C2 every 20 minutes this morning. */
const sitting = Array.from({ length: 9 }, (_, k) => event(morning + k * 1200, 'U7', 'C9', 'C2'));

describe("a new account's habits", () => {
  it('makes a partner the new entity met in earlier sittings its habit, with the expected probability', () => {
    const m = trained();
    const afternoon = event(morning + 6 * 3600, 'U7', 'C9', 'C2');
    const habitual = stats(m, afternoon, sitting, RULE)[NOVELTY] as number;
    const stillNew = stats(m, afternoon, sitting, WITHOUT)[NOVELTY] as number;
    // Recalled at least 4 hours before the afternoon logon: the sitting's events up to morning + 2 h (7 of the 9).
    const own = sitting.filter((e) => afternoon.time - e.time >= NEW_MEMBER_HABIT_MIN_AGE).length;
    expect(own).toBe(7);
    // user+src_host, user+dst_host and user+auth_type: U7's own partners, 7 of 7 recalled, 7 / (7 + 2) each; the
    // pair src_host+dst_host has first member C9 (not the entity), new to the memory: 2 first members over 160 events.
    const expected = -3 * Math.log(own / (own + 2)) - Math.log(3 / 163);
    expect(habitual).toBeCloseTo(expected, 12);
    expect(stillNew - habitual).toBeGreaterThan(10);
    // A bundle written before the field: as new as without recall.
    expect(stillNew).toBeCloseTo(stats(m, afternoon, [], WITHOUT)[NOVELTY] as number, 12);
    expect(stillNew).toBeCloseTo(stats(m, afternoon, sitting, PAIRS_ONLY_RECALL)[NOVELTY] as number, 12);
  });

  it('keeps a first logon somewhere new, and every event of its first hours, as new as a new member', () => {
    const m = trained();
    const elsewhere = event(morning + 6 * 3600, 'U7', 'C9', 'C5');
    const first = stats(m, elsewhere, [], RULE);
    const after = stats(m, elsewhere, sitting, RULE);
    // user+dst_host C5: a partner it never met stays a new member's; only the pairs it did meet (src, auth) habituate
    const metOnly = stats(m, event(elsewhere.time, 'U7', 'C9', 'C2'), sitting, RULE);
    expect(after[NOVELTY]).toBeGreaterThan(metOnly[NOVELTY] as number);
    expect(after[NOVELTY]).toBeLessThan(first[NOVELTY] as number);
    // An account working for two hours (an attacker's new service account): none of its events is old enough.
    const burst = sitting.slice(0, 7);
    for (let k = 1; k < burst.length; k++) {
      expect(stats(m, burst[k]!, burst.slice(0, k), RULE)[NOVELTY]).toBeCloseTo(stats(m, burst[k]!, [], RULE)[NOVELTY] as number, 12);
    }
  });

  it('leaves known entities, the pairs and the hour habit as they were', () => {
    const m = trained();
    const known = Array.from({ length: 9 }, (_, k) => event(morning + k * 1200, 'U1', 'C9', 'C2'));
    const probe = event(morning + 6 * 3600, 'U1', 'C9', 'C2');
    expect(stats(m, probe, known, RULE)).toEqual(stats(m, probe, known, WITHOUT));
    const afternoon = event(morning + 6 * 3600, 'U7', 'C9', 'C2');
    const a = stats(m, afternoon, sitting, RULE);
    const b = stats(m, afternoon, sitting, WITHOUT);
    expect(a[0]).toBe(b[0]);
    expect(a[HOUR]).toBe(b[HOUR]);
  });

  it('never makes a partner it met rarer than one it never met, however young the memory', () => {
    // A young deployment: 200 users of 5 logons each, so a new member is common ((D + 1) / (N + D + 1) = 201 / 1201).
    const m = new EntityMemory(LANL_MEMORY_SPEC);
    for (let u = 0; u < 200; u++) for (let k = 0; k < 5; k++) m.add(event(k * 3600 + u, `U${u}`, `C${u}`, 'FS1'));
    const past = [...Array.from({ length: 30 }, (_, k) => event(morning + k * 60, 'U7', 'C9', 'FS1')), event(morning + 1800, 'U7', 'C9', 'C5')];
    const later = morning + 6 * 3600;
    const metOnce = stats(m, event(later, 'U7', 'C9', 'C5'), past, RULE)[NOVELTY] as number;
    const neverMet = stats(m, event(later, 'U7', 'C9', 'C6'), past, RULE)[NOVELTY] as number;
    expect(metOnce).toBeLessThanOrEqual(neverMet);
  });

  it('keeps every probability at most 1 however much is recalled', () => {
    const m = trained();
    const days = Array.from({ length: 200 }, (_, k) => event(morning - 3 * 86400 + k * 900, 'U7', 'C9', 'C2'));
    expect(stats(m, event(morning + 86400, 'U7', 'C9', 'C2'), days, RULE)[NOVELTY]).toBeGreaterThan(0);
  });
});
