// How a simulated person's web-login habits change over the simulated days, as a real workforce's do: business trips
// abroad (a foreign country and AS for a few days, with the person's own devices), a new phone or computer, a move
// to another home ISP. Drawn once per person for the whole span, so training days hold such changes as test days
// do, and "never seen for this user" alone is not a takeover. Rates are per person and day, round figures of a
// workforce that travels a few times a year and replaces a device every year or two; not fitted to any detector.
import type { PersonRole } from '../enterprise.js';
import type { Rng } from '../prng.js';
import { FOREIGN_BLOCKS, HOME_BLOCKS, type BlockName } from './addresses.js';
import { personDevices, type Devices } from './agents.js';

/** Chance per person and day that a business trip starts: about two trips a year. */
const TRIP_START = 0.006;
/** Chance per person and day of a new phone or computer: one every year and a half. */
const NEW_DEVICE = 0.002;
/** Chance per person and day that the household moves to another ISP: one every few years. */
const NEW_HOME_ISP = 0.001;

export interface Trip {
  /** First and last day abroad (inclusive). */
  start: number;
  end: number;
  block: BlockName;
  /** Where in the block the hotel's addresses start. */
  k: number;
}

export interface HabitChanges {
  trips: Trip[];
  /** Device sets from their day on, in day order. */
  devices: { day: number; devices: Devices }[];
  home?: { day: number; block: BlockName };
}

export function habitChanges(role: PersonRole, homeBlock: BlockName, devices: Devices, days: number, r: Rng): HabitChanges {
  const trips: Trip[] = [];
  const changes: HabitChanges['devices'] = [];
  let current = devices;
  let home: HabitChanges['home'];
  for (let day = 0; day < days; day++) {
    if ((trips.at(-1)?.end ?? -1) < day && r.chance(TRIP_START)) {
      trips.push({ start: day, end: day + r.intBetween(1, 4), block: r.pick(FOREIGN_BLOCKS), k: r.int(1 << 20) });
    }
    if (home === undefined && r.chance(NEW_HOME_ISP)) home = { day, block: r.pick(HOME_BLOCKS.filter((b) => b !== homeBlock)) };
    if (r.chance(NEW_DEVICE)) {
      // A new computer of the kinds the role gets, or a new phone (also a first one)
      const fresh = personDevices(role, r);
      current = r.chance(0.5) ? { ...current, desktop: fresh.desktop } : { ...current, phone: fresh.phone ?? (current.phone === 'iphone-safari' ? 'android-chrome' : 'iphone-safari') };
      changes.push({ day, devices: current });
    }
  }
  return { trips, devices: changes, ...(home ? { home } : {}) };
}

/** The trip the person is on that day, if any. */
export function tripOn(changes: HabitChanges, day: number): Trip | undefined {
  return changes.trips.find((t) => t.start <= day && day <= t.end);
}
