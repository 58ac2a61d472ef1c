// Only a successful login puts a user somewhere (Adapter.travel.outcome, memory.json spec.travel_outcome): a failed
// try on the account from abroad (a credential-stuffing hit list) is the attacker's, so it neither starts the travel
// component's gap for the traveller's own next login nor makes its country one the user is known in. The held-out
// fit's PlaceTrail follows the same rule; a memory written before outcomes counted (no travel_outcome) keeps its
// history rows one int narrower and counts every login as a place, as it did.
import { describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { EntityMemory } from '../src/memory/entity-memory.js';
import type { MemorySpec } from '../src/memory/memory-spec.js';
import { PlaceTrail, travelFloor } from '../src/memory/travel.js';
import { defaultMemorySpec } from '../src/train/fit-fusion.js';
import { historyRow } from './support/memory-fixture.js';

const adapter = createAdapter('weblogin');
const WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const HOME = '23.24.0.10'; // US in the bundled databases
const GERMANY = '2.160.0.10'; // DE
const FRANCE = '90.0.0.10'; // FR
const HOUR = 3600;
const DAY = 86400;
const RULE = { minAge: 3600, habitMinAge: 3600 };
const TRAVEL_FLOOR = travelFloor(12 * HOUR);
const later = 20 * DAY;

function login(time: number, ip: string, outcome = 'success'): CanonicalEvent {
  const event = adapter.parse({ '@timestamp': new Date(time * 1000).toISOString(), user: { id: 'u1' }, source: { ip }, user_agent: { original: WINDOWS }, event: { outcome }, app: 'mail' }, { file: 't', line: 1 });
  if (!event || !('entities' in event)) throw new Error('the test login did not parse');
  return event;
}

/** u1 logs in from home for ten days, under `spec`. */
function trained(spec: MemorySpec): EntityMemory {
  const m = new EntityMemory(spec);
  for (let d = 0; d < 10; d++) m.add(login(d * DAY + 9 * HOUR, HOME));
  return m;
}

function travel(m: EntityMemory, e: CanonicalEvent, past: readonly CanonicalEvent[]): number {
  const out = new Float64Array(m.componentNames.length);
  m.statistics(e, out, 0, false, { rows: past.map((x) => historyRow(m, x)), row: historyRow(m, e), offset: 0 }, RULE);
  return out[m.componentNames.indexOf('travel:user+country')] as number;
}

const spec = defaultMemorySpec(adapter, 'user');
const { travel_outcome: _, ...before } = spec;

describe('a failed login abroad is not a place the user was', () => {
  it('is declared by the weblogin adapter: the outcome field, success', () => {
    expect(spec.travel_outcome).toEqual({ field: 'outcome', index: adapter.fieldNames.indexOf('outcome'), success: 'success' });
    expect(new EntityMemory(spec).recallWidth).toBe(spec.pairs.length + 2);
    expect(new EntityMemory(before).recallWidth).toBe(spec.pairs.length + 1);
  });

  it("does not start the gap to a traveller's own login: a failed try from France two hours before Germany", () => {
    const abroad = login(later + 11 * HOUR, GERMANY);
    const tried = login(later + 9 * HOUR, FRANCE, 'failure');
    expect(travel(trained(spec), abroad, [tried])).toBe(TRAVEL_FLOOR);
    expect(travel(trained(spec), abroad, [login(later + 9 * HOUR, FRANCE)])).toBeCloseTo(-Math.log(2), 9);
    // Nor does it hide a successful login from elsewhere before it: the gap is the one since home.
    expect(travel(trained(spec), abroad, [login(later + 5 * HOUR, HOME), tried])).toBeCloseTo(-Math.log(6), 9);
    // The memory written before outcomes counted (no travel_outcome) scores as it did: the try is a place.
    expect(travel(trained(before), abroad, [tried])).toBeCloseTo(-Math.log(2), 9);
  });

  it('does not make a country known by failed logins from it', () => {
    const abroad = login(later + 11 * HOUR, GERMANY);
    const past = [login(later + 1 * HOUR, GERMANY, 'failure'), login(later + 5 * HOUR, HOME)];
    expect(travel(trained(spec), abroad, past)).toBeCloseTo(-Math.log(6), 9);
    expect(travel(trained(before), abroad, past)).toBe(TRAVEL_FLOOR);
    expect(travel(trained(spec), abroad, [login(later + 1 * HOUR, GERMANY), login(later + 5 * HOUR, HOME)])).toBe(TRAVEL_FLOOR);
  });

  it('still scores a failed login abroad soon after home as a move (the try itself is rare)', () => {
    expect(travel(trained(spec), login(later + 11 * HOUR, FRANCE, 'failure'), [login(later + 9 * HOUR, HOME)])).toBeCloseTo(-Math.log(2), 9);
  });

  it('leaves a failed login out of the places in the held-out fit (PlaceTrail), as recall does when scoring', () => {
    const m = trained(spec);
    const past = [login(later + 5 * HOUR, HOME), login(later + 9 * HOUR, FRANCE, 'failure')];
    const trail = new PlaceTrail(32);
    for (const e of past) trail.add('u1', e.fields[adapter.fieldNames.indexOf('country')] as string, e.time, m.wasThere(e));
    const abroad = login(later + 11 * HOUR, GERMANY);
    const gap = trail.gap('u1', 'DE', abroad.time);
    expect(gap).toBe(6 * HOUR);
    const out = new Float64Array(m.componentNames.length);
    m.statistics(abroad, out, 0, false, undefined, undefined, gap);
    expect(out[3]).toBeCloseTo(travel(m, abroad, past), 9);
  });
});
