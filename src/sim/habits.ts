// What an enterprise profile adds to the base organisation: NTLM-only servers and NTLM clients, servers only
// one privileged role uses, developers' habits, roaming, shift and sparse people, flatter or sharper server
// preferences, extra service accounts, and spare account names for campaigns. With the default profile
// nothing here draws a random number that benign code sees or adds a host, and the spare names are drawn
// last, so today's enterprise (and every file it produces) is left exactly as it was.
import { clamp, type Enterprise, type HostRole, type Person } from './enterprise.js';
import type { Rng } from './prng.js';
import type { EnterpriseProfile } from './profile.js';

export interface Allocators {
  /** A new always-on host of `role` (a unique name, a sticky DC). */
  host(role: HostRole): string;
  /** A new unique user name. */
  user(): string;
}

/** Spare names reserved for campaigns that need an account benign activity never used. */
const SPARE_ACCOUNTS = 8;

export function applyHabits(ent: Enterprise, profile: EnterpriseProfile, rng: Rng, days: number, alloc: Allocators): void {
  const ordinary = ent.servers.filter((s) => !ent.hosts.get(s)?.ntlmOnly);
  if (profile.ntlmServerShare > 0) {
    for (const s of rng.fork('ntlm-servers').sample(ordinary, Math.round(ordinary.length * profile.ntlmServerShare))) {
      (ent.hosts.get(s) as { ntlmOnly: boolean }).ntlmOnly = true;
    }
  }
  const hasRole = (role: Person['role']) => ent.people.some((p) => p.role === role);
  for (let i = 0; i < profile.restrictedServers; i++) {
    if (hasRole('sysadmin')) ent.restricted.sysadmin.push(alloc.host('app'));
    if (hasRole('developer')) ent.restricted.developer.push(alloc.host('app'));
  }
  const appDb = ent.servers.filter((s) => ['app', 'db'].includes(ent.hosts.get(s)?.role ?? ''));
  for (const p of ent.people) {
    const r = rng.fork(`person:${p.user}`);
    const prefer = (host: string, lo: number, hi: number) => {
      const i = p.servers.indexOf(host);
      if (i >= 0) p.weights[i] = (p.weights[i] as number) + r.uniform(lo, hi);
      else {
        p.servers.push(host);
        p.weights.push(r.uniform(lo, hi));
      }
    };
    if (p.role === 'sysadmin') for (const s of ent.restricted.sysadmin) prefer(s, 0.5, 2);
    if (p.role === 'developer') developerHabits(ent, p, r, appDb, prefer);
    if (profile.ntlmUserShare > 0 && r.chance(profile.ntlmUserShare)) p.ntlm = true;
    if (profile.roamingShare > 0 && r.chance(profile.roamingShare)) {
      const seats = [p.workstation];
      for (let k = r.intBetween(1, 3); k > 0; k--) seats.push(alloc.host('workstation'));
      ent.workstations.push(...seats.slice(1));
      p.roaming = Array.from({ length: days }, () => r.pick(seats));
    }
    if (profile.shiftShare > 0 && r.chance(profile.shiftShare)) {
      p.shift = true;
      p.startHour = r.uniform(0, 24);
      // Lunch in the middle of the shift; past midnight there is simply no lunch dip that day.
      p.lunchHour = p.startHour + p.workHours / 2;
    }
    if (profile.sparseShare > 0 && r.chance(profile.sparseShare)) {
      p.activeDays = r.intBetween(1, 3);
      p.rate *= 0.5;
    }
    if (profile.serverConcentration !== 1) p.weights = p.weights.map((w) => w ** profile.serverConcentration);
  }
  extraServiceAccounts(ent, profile, rng.fork('extra-services'), alloc);
  for (let i = 0; i < SPARE_ACCOUNTS; i++) ent.spareAccounts.push(alloc.user());
}

/** Developers: every app and db server a little, their labs and build servers a lot, late and odd hours. */
function developerHabits(ent: Enterprise, p: Person, r: Rng, appDb: string[], prefer: (h: string, lo: number, hi: number) => void): void {
  for (const s of appDb) prefer(s, 0.4, 1.6);
  for (const s of ent.restricted.developer) prefer(s, 1.5, 3);
  p.labs = r.sample(ent.labs, r.intBetween(2, Math.min(4, ent.labs.length)));
  p.startHour = clamp(9.6 + r.normal() * 1.2, 7, 13);
  p.lunchHour = clamp(p.startHour + 3.5 + r.normal() * 0.5, 11, 16);
  p.lateWorker = r.chance(0.5);
  p.weekendWorker = p.weekendWorker || r.chance(0.15);
}

function extraServiceAccounts(ent: Enterprise, profile: EnterpriseProfile, r: Rng, alloc: Allocators): void {
  const n = Math.round((ent.people.length * profile.serviceAccountsPer100) / 100);
  const hosts = ent.servers.filter((s) => !ent.hosts.get(s)?.ntlmOnly);
  for (let i = 0; i < n; i++) {
    const host = r.pick(hosts);
    const targets = r.sample(ent.servers.filter((s) => s !== host), r.intBetween(1, 3));
    ent.services.push({ user: alloc.user(), host, targets, periodMinutes: r.pick([5, 10, 15, 20, 30, 60]), nightly: false });
  }
}
