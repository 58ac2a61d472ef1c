// The fused memory's travel component (src/memory/travel.ts, Adapter.travel): a web login from a country new to the
// user, hours after the user's own login from home, is rare, and the sooner the rarer; the same login past the 12-hour
// horizon (a weekend later) is as ordinary as one with no login from elsewhere; a login from a country the user is
// known in (home again, or a country of its training) is never a trip, nor is any login of a user the memory never
// met; a client with no country neither moves nor is moved from. The held-out fit's PlaceTrail measures the gap the
// scorer's recall measures. Formats without a travel field, and bundles that do not recall, have no such component
// (older bundles score as before).
import { describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { EntityMemory } from '../src/memory/entity-memory.js';
import { entityValue, memberValue } from '../src/memory/pairs.js';
import { PlaceTrail, travelFloor } from '../src/memory/travel.js';
import { defaultMemorySpec } from '../src/train/fit-fusion.js';
import { historyRow } from './support/memory-fixture.js';

const adapter = createAdapter('weblogin');
const WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const HOME = '23.24.0.10'; // US, AS7922 in the bundled databases
const GERMANY = '2.160.0.10'; // DE, AS3320
const HOUR = 3600;
const DAY = 86400;
const RULE = { minAge: 3600, habitMinAge: 3600 };
const TRAVEL_FLOOR = travelFloor(12 * HOUR);

function login(time: number, user: string, ip: string): CanonicalEvent {
  const event = adapter.parse({ '@timestamp': new Date(time * 1000).toISOString(), user: { id: user }, source: { ip }, user_agent: { original: WINDOWS }, event: { outcome: 'success' }, app: 'mail' }, { file: 't', line: 1 });
  if (!event || !('entities' in event)) throw new Error('the test login did not parse');
  return event;
}

/** u1 logs in from home for ten days; u2 from home and, on day 5, from Germany. */
function trained(): EntityMemory {
  const m = new EntityMemory(defaultMemorySpec(adapter, 'user'));
  for (let d = 0; d < 10; d++) {
    m.add(login(d * DAY + 9 * HOUR, 'u1', HOME));
    m.add(login(d * DAY + 9 * HOUR + 60, 'u2', d === 5 ? GERMANY : HOME));
  }
  return m;
}

/** The travel statistic of `e` with `past` (oldest first) recalled, as the scorer computes it. */
function travel(m: EntityMemory, e: CanonicalEvent, past: readonly CanonicalEvent[]): number {
  const out = new Float64Array(m.componentNames.length);
  m.statistics(e, out, 0, false, { rows: past.map((x) => historyRow(m, x)), row: historyRow(m, e), offset: 0 }, RULE);
  return out[m.componentNames.indexOf('travel:user+country')] as number;
}

const later = 20 * DAY;

describe('weblogin travel component', () => {
  it('is declared by the weblogin adapter for a user context that recalls; other formats and contexts have none', () => {
    const spec = defaultMemorySpec(adapter, 'user');
    expect(spec.travel_pair).toBe('user+country');
    expect(new EntityMemory(spec).componentNames).toEqual(['pairs', 'novelty', 'hour:user+os', 'travel:user+country']);
    expect(defaultMemorySpec(adapter, 'user', false).travel_pair).toBeUndefined();
    expect(defaultMemorySpec(adapter, 'src_host').travel_pair).toBeUndefined();
    const lanl = defaultMemorySpec(createAdapter('lanl'), 'user');
    expect(new EntityMemory(lanl).componentNames).toEqual(['pairs', 'novelty', 'hour:user']);
  });

  it('ranks a new country hours after home above the same one later, and the same one past the horizon as no move', () => {
    const m = trained();
    const abroad = login(later + 11 * HOUR, 'u1', GERMANY);
    const soon = travel(m, abroad, [login(later + 9 * HOUR, 'u1', HOME)]);
    const early = travel(m, abroad, [login(later + 1 * HOUR, 'u1', HOME)]);
    expect(soon).toBeCloseTo(-Math.log(2), 9);
    expect(early).toBeCloseTo(-Math.log(10), 9);
    expect(soon).toBeGreaterThan(early + 1.5);
    expect(early).toBeGreaterThan(TRAVEL_FLOOR);
    expect(travel(m, abroad, [login(later - 3 * DAY, 'u1', HOME)])).toBe(TRAVEL_FLOOR);
    expect(travel(m, abroad, [])).toBe(TRAVEL_FLOOR);
    // The victim's own login from home after the taker's is the user coming back, not a trip.
    expect(travel(m, login(later + 12 * HOUR, 'u1', HOME), [login(later + 11 * HOUR, 'u1', GERMANY)])).toBe(TRAVEL_FLOOR);
  });

  it('does not count a country the user is known in, from training or recalled at least an hour before', () => {
    const m = trained();
    expect(travel(m, login(later + 11 * HOUR, 'u2', GERMANY), [login(later + 9 * HOUR, 'u2', HOME)])).toBe(TRAVEL_FLOOR);
    // A login abroad 11 hours after the first there, though 10 after one from home: the first (recalled, older than
    // an hour) makes the country known.
    const firstDay = login(later + 9 * HOUR, 'u1', GERMANY);
    const fromHome = login(later + 10 * HOUR, 'u1', HOME);
    expect(travel(m, login(later + 20 * HOUR, 'u1', GERMANY), [firstDay, fromHome])).toBe(TRAVEL_FLOOR);
    expect(travel(m, login(later + 20 * HOUR, 'u1', GERMANY), [fromHome])).toBeCloseTo(-Math.log(10), 9);
    // Within one sitting it is not yet known: the gap is still the one since home.
    expect(travel(m, login(later + 9 * HOUR + 600, 'u1', GERMANY), [login(later + 7 * HOUR, 'u1', HOME), firstDay])).toBeCloseTo(-Math.log(2 + 1 / 6), 9);
  });

  it('gives a user the memory never met no home to travel from', () => {
    const m = trained();
    // A new account's own login from home after an attempt on it from abroad is not a trip, nor is the attempt after it.
    expect(travel(m, login(later + 11 * HOUR, 'u9', HOME), [login(later + 9 * HOUR, 'u9', GERMANY)])).toBe(TRAVEL_FLOOR);
    expect(travel(m, login(later + 11 * HOUR, 'u9', GERMANY), [login(later + 9 * HOUR, 'u9', HOME)])).toBe(TRAVEL_FLOOR);
  });

  it('neither moves a login without a country nor moves from one', () => {
    const m = trained();
    const named = 'vpn.example.org';
    expect(travel(m, login(later + 11 * HOUR, 'u1', GERMANY), [login(later + 9 * HOUR, 'u1', named)])).toBe(TRAVEL_FLOOR);
    expect(travel(m, login(later + 11 * HOUR, 'u1', named), [login(later + 9 * HOUR, 'u1', GERMANY)])).toBe(TRAVEL_FLOOR);
  });

  it('measures in the held-out fit (PlaceTrail) the gap recall measures when scoring', () => {
    const m = trained();
    const spec = m.travelSpec;
    if (!spec) throw new Error('no travel pair');
    const events = [login(later, 'u1', HOME), login(later + 5 * HOUR, 'u1', HOME), login(later + 8 * HOUR, 'u1', GERMANY)];
    const trail = new PlaceTrail(32);
    for (const e of events.slice(0, 2)) trail.add(entityValue(e, 'user'), memberValue(e, spec.members[1]), e.time);
    const last = events[2] as CanonicalEvent;
    const gap = trail.gap('u1', memberValue(last, spec.members[1]), last.time);
    expect(gap).toBe(3 * HOUR);
    const out = new Float64Array(m.componentNames.length);
    m.statistics(last, out, 0, false, undefined, undefined, gap);
    expect(out[3]).toBeCloseTo(travel(m, last, events.slice(0, 2)), 9);
  });

  it('refuses a travel pair that is not among the pairs, or has no horizon, naming it', () => {
    const { pairs } = defaultMemorySpec(adapter, 'user');
    expect(() => new EntityMemory({ pairs, hour_entity: 'user', travel_pair: 'user+city', travel_within: 43200 })).toThrow(/travel_pair "user\+city" is not one of the pairs/);
    expect(() => new EntityMemory({ pairs, hour_entity: 'user', travel_pair: 'user+country' })).toThrow(/travel_pair "user\+country" needs travel_within/);
  });
});
