// The travel component of the per-entity memory (entity-memory.ts): how soon after the entity's latest login from
// another place (a web login's country) a login comes from a place the entity is not known in. A taker's login from
// abroad comes hours after the victim's own at home; a traveller's first login abroad comes after a flight, a night
// or a weekend; a login from a place the entity is known in is the entity coming back, never a trip.
import { fnv1a } from '../scorer/order.js';
import { ABSENT } from '../adapters/names.js';
import { joinKey } from './pairs.js';

/** Component name prefix: `travel:user+country`. */
export const TRAVEL_PREFIX = 'travel:';

/** Hours a gap is clamped to from below: under a minute is the clocks' jitter. */
const MIN_HOURS = 1 / 60;

/** The statistic of a login with no move to measure (none from elsewhere within the horizon, a known place, no place). */
export function travelFloor(withinSeconds: number): number {
  return -Math.log(withinSeconds / 3600);
}

/**
 * -ln(hours since the latest login from another place), higher = sooner = rarer, for a gap shorter than the horizon
 * (MemorySpec.travel_within, Adapter.travel); null or longer: the floor, the value at the horizon. Longer gaps are not
 * measured at all: a sidecar's recall holds a traveller's last logins from home, days before its first abroad, and
 * the held-out fit has almost no moves to scale such gaps by (docs/benchmarks.md).
 */
export function travelStatistic(secondsSince: number | null, withinSeconds: number): number {
  if (secondsSince === null || secondsSince >= withinSeconds) return travelFloor(withinSeconds);
  return -Math.log(Math.max(MIN_HOURS, secondsSince / 3600));
}

/** The hash a history row keeps of the pair key of an entity with no place (a client named by host name): no place to move from. */
export function placelessHash(first: string): number {
  return fnv1a(joinKey(first, ABSENT)) | 0;
}

/**
 * For the held-out fit (fit-fusion.ts): each entity's last `length` events' places and times, fed in time order, so
 * that a held-out event's gap is measured over the events a scored one would recall (its entity's latest ones).
 */
export class PlaceTrail {
  private readonly trails = new Map<string, { places: string[]; times: number[] }>();

  constructor(private readonly length: number) {}

  /** Seconds since the entity's latest event from a place other than `place` (both places known), or null. */
  gap(entity: string, place: string, time: number): number | null {
    const t = this.trails.get(entity);
    if (!t || place === ABSENT) return null;
    for (let i = t.places.length - 1; i >= 0; i--) {
      const p = t.places[i] as string;
      if (p !== place && p !== ABSENT) return time - (t.times[i] as number);
    }
    return null;
  }

  /** `wasThere` false (a failed login, EntityMemory.wasThere): the event takes its turn in the trail but is no place. */
  add(entity: string, place: string, time: number, wasThere = true): void {
    let t = this.trails.get(entity);
    if (!t) this.trails.set(entity, (t = { places: [], times: [] }));
    t.places.push(wasThere ? place : ABSENT);
    t.times.push(time);
    if (t.places.length > this.length) {
      t.places.shift();
      t.times.shift();
    }
  }
}
