// The enterprise's people as web/SSO users: a home ISP address, the office's egress addresses, a work browser and
// maybe a phone, the applications each uses, and their working hours from the enterprise. One day of ordinary
// logins per person: from the office in working hours, from home or the phone around them, now and then a typo.
// Habits also change the way they do in a real workforce (habit-changes.ts): business trips abroad, a new phone or
// computer, a move to another home ISP, in training and test days alike, so that "never seen for this user" is not
// by itself a takeover.
import { isWeekday, type Enterprise, type Person } from '../enterprise.js';
import type { Rng } from '../prng.js';
import { blockAddress, HOME_BLOCKS, type BlockName } from './addresses.js';
import { AGENTS, personDevices, type Devices } from './agents.js';
import { habitChanges, tripOn, type HabitChanges } from './habit-changes.js';

const HOUR = 3600;

/** One simulated web login; `time` in simulated seconds like the authentication events. */
export interface LoginEvent {
  time: number;
  user: string;
  ip: string;
  agent: string;
  app: string;
  success: boolean;
  campaign?: string;
  instance?: string;
}

/** Applications behind the SSO, by who uses them (developers and admins have their own on top). */
const COMMON_APPS = ['mail', 'portal', 'wiki', 'hr', 'expenses', 'crm'] as const;
const ROLE_APPS: Readonly<Record<Person['role'], readonly string[]>> = Object.freeze({
  staff: [], helpdesk: ['ticketing'], sysadmin: ['admin-console', 'ticketing'], developer: ['git', 'ci'],
});

/** Office egress: a few NAT addresses everyone shares. */
export const OFFICE_NAT_ADDRESSES = 4;

export interface WebPerson {
  user: string;
  person: Person;
  home: { block: BlockName; k: number };
  devices: Devices;
  apps: string[];
  weights: number[];
  /** When this person's devices, home ISP and whereabouts change over the simulated days. */
  changes: HabitChanges;
}

/** The web identity of a domain user: `U12@DOM1` logs in to the SSO as `u12`. */
export function webUserId(domainUser: string): string {
  const at = domainUser.indexOf('@');
  return (at > 0 ? domainUser.slice(0, at) : domainUser).toLowerCase();
}

export function webPeople(ent: Enterprise, days: number, rng: Rng): WebPerson[] {
  return ent.people.map((p) => {
    const r = rng.fork(`web:${p.user}`);
    const pool = [...COMMON_APPS, ...ROLE_APPS[p.role]];
    const apps = r.sample(pool, r.intBetween(2, Math.min(5, pool.length)));
    const home = { block: r.pick(HOME_BLOCKS), k: r.int(1 << 20) };
    const devices = personDevices(p.role, r);
    return {
      user: webUserId(p.user), person: p, home, devices, apps, weights: apps.map((_, i) => 1 / (i + 1)),
      changes: habitChanges(p.role, home.block, devices, days, rng.fork(`web-changes:${p.user}`)),
    };
  });
}

/** The person's devices on `day`: the latest replacement on or before it wins. */
export function devicesOn(w: WebPerson, day: number): Devices {
  let d = w.devices;
  for (const c of w.changes.devices) if (c.day <= day) d = c.devices;
  return d;
}

/** The address a person's home router had on `day`: residential addresses change every few weeks, the ISP on a move. */
export function homeAddress(w: WebPerson, day: number): string {
  const move = w.changes.home;
  const block = move !== undefined && move.day <= day ? move.block : w.home.block;
  return blockAddress(block, w.home.k + Math.floor(day / 21));
}

function works(p: Person, day: number, r: Rng): boolean {
  if (!isWeekday(day)) return p.weekendWorker && r.chance(0.5);
  return r.chance(p.activeDays !== undefined ? p.activeDays / 5 : 0.92);
}

/** One day of a person's ordinary logins, appended to `out` (times clamped into the day). */
export function benignLogins(w: WebPerson, day: number, out: LoginEvent[], r: Rng): void {
  const p = w.person;
  const devices = devicesOn(w, day);
  const start = day * 86400;
  const at = (hour: number) => start + Math.min(86399, Math.max(0, Math.floor((((hour % 24) + 24) % 24) * HOUR)));
  const login = (hour: number, ip: string, agent: string) => {
    const app = w.apps[r.weightedIndex(w.weights)] as string;
    const t = at(hour);
    // A mistyped password now and then, retried within a minute
    if (r.chance(0.03)) out.push({ time: Math.max(start, t - r.intBetween(5, 50)), user: w.user, ip, agent, app, success: false });
    out.push({ time: t, user: w.user, ip, agent, app, success: true });
  };
  const trip = tripOn(w.changes, day);
  if (trip !== undefined) {
    // Abroad: the laptop from the hotel's network (a new address each day) in working hours, the phone roaming
    if (works(p, day, r)) for (let n = r.intBetween(1, 3); n > 0; n--) login(p.startHour + r.uniform(0, p.workHours), blockAddress(trip.block, trip.k + day), AGENTS[devices.desktop]);
    if (devices.phone && r.chance(0.5)) login(r.uniform(7, 22), blockAddress(trip.block, trip.k + day + 7), AGENTS[devices.phone]);
    return;
  }
  if (works(p, day, r)) {
    const office = () => blockAddress('office', r.int(OFFICE_NAT_ADDRESSES));
    const remote = r.chance(0.15); // a day working from home
    for (let n = r.intBetween(2, 5); n > 0; n--) {
      const hour = p.startHour + r.uniform(0, p.workHours);
      login(hour, remote ? homeAddress(w, day) : office(), AGENTS[devices.desktop]);
    }
    if (p.lateWorker && r.chance(0.5)) login(p.startHour + p.workHours + r.uniform(1, 4), homeAddress(w, day), AGENTS[devices.desktop]);
  }
  if (devices.phone && r.chance(0.5)) {
    // The phone on the carrier's network, whose addresses change with every session
    const hour = r.chance(0.5) ? r.uniform(7, 9) : r.uniform(18, 22);
    login(hour, r.chance(0.7) ? blockAddress('tmobile', r.int(65000)) : homeAddress(w, day), AGENTS[devices.phone]);
  }
}
