// The simulated organisation: hosts (workstations, labs, servers, domain controllers), departments, people
// with personal working habits and server preferences, and service accounts. Built once per seed; the
// daily behaviour in benign.ts and machines.ts only reads it.
import { applyHabits } from './habits.js';
import type { Rng } from './prng.js';
import { parseProfile, type EnterpriseProfile } from './profile.js';

export type HostRole = 'workstation' | 'lab' | 'dc' | 'file' | 'app' | 'db' | 'print' | 'mail' | 'web' | 'legacy' | 'backup' | 'monitor';
export type PersonRole = 'staff' | 'helpdesk' | 'sysadmin' | 'developer';

export interface Host {
  name: string;
  role: HostRole;
  /** Legacy servers accept NTLM only, so their users never ask the DC for a ticket. */
  ntlmOnly: boolean;
  /** Workstations left on overnight keep their machine account talking to the DCs. */
  alwaysOn: boolean;
  /** The DC its machine account normally talks to (the DC locator is sticky, not random per day). */
  dc: string;
}

export interface Person {
  user: string;
  dept: string;
  role: PersonRole;
  workstation: string;
  /** A second machine used on some days. */
  laptop?: string;
  /** From `day` on the person works at `host` (a new workstation assignment). */
  reassign?: { day: number; host: string };
  /** Hours after midnight, e.g. 8.5 = 08:30. */
  startHour: number;
  workHours: number;
  lunchHour: number;
  lunchMinutes: number;
  /** Server accesses per working hour. */
  rate: number;
  servers: string[];
  /** Preference weights, same order as `servers`. */
  weights: number[];
  labs: string[];
  dc: string;
  weekendWorker: boolean;
  lateWorker: boolean;
  /** Authenticates to servers and the DC over NTLM, never Kerberos (old or non-joined client). */
  ntlm?: boolean;
  /** Roaming: the workstation used on each day (index = day); overrides `workstation`. */
  roaming?: string[];
  /** Shift worker: `startHour` anywhere in 0..24 and a shift that may run past midnight. */
  shift?: boolean;
  /** Sparse user: works only this many weekdays a week (1..3) on average. */
  activeDays?: number;
}

export interface ServiceAccount {
  user: string;
  host: string;
  targets: string[];
  /** Minutes between connections to each target; 0 = nightly batch only. */
  periodMinutes: number;
  /** Nightly jobs run between 01:00 and 04:00 against every target. */
  nightly: boolean;
}

export interface Enterprise {
  hosts: Map<string, Host>;
  dcs: string[];
  servers: string[];
  workstations: string[];
  labs: string[];
  departments: string[];
  people: Person[];
  services: ServiceAccount[];
  /** Old clients that open NULL sessions (ANONYMOUS LOGON) to DCs and file servers. */
  legacyClients: string[];
  /** Servers only one privileged role uses; not in `servers`, so nobody else drifts onto them. */
  restricted: { sysadmin: string[]; developer: string[] };
  /** Account names allocated but never used by benign activity (for "a new service account"). */
  spareAccounts: string[];
}

const DEPARTMENTS = ['Engineering', 'Finance', 'Sales', 'HR', 'Operations', 'Legal', 'Research', 'Marketing'];
export const USERS_AT_SCALE_1 = 160;

/** Draws unique LANL-style names (`C1234`, `U567@DOM1`) from a numeric range. */
class NameAllocator {
  private used = new Set<number>();
  constructor(private rng: Rng, private prefix: string, private max: number, private suffix = '') {}
  next(): string {
    for (;;) {
      const n = 1 + this.rng.int(this.max);
      if (!this.used.has(n)) {
        this.used.add(n);
        return `${this.prefix}${n}${this.suffix}`;
      }
    }
  }
}

/** Count for a role share; a role that exists at all has at least `floor` members (today's minimums). */
const roleCount = (n: number, share: number, floor: number) => (share > 0 ? Math.max(floor, Math.round(n * share)) : 0);

export function buildEnterprise(rng: Rng, scale: number, days: number, profile: EnterpriseProfile = parseProfile({})): Enterprise {
  const nUsers = profile.users ?? Math.max(12, Math.round(USERS_AT_SCALE_1 * scale));
  const computers = new NameAllocator(rng.fork('computers'), 'C', 20000);
  const users = new NameAllocator(rng.fork('users'), 'U', 9000, '@DOM1');
  const hosts = new Map<string, Host>();
  const dcs: string[] = [];
  const hrng = rng.fork('hosts');
  const addHost = (role: HostRole, ntlmOnly = false, alwaysOn = true): string => {
    const name = computers.next();
    hosts.set(name, { name, role, ntlmOnly, alwaysOn, dc: role === 'dc' ? name : hrng.pick(dcs) });
    return name;
  };

  for (let i = nUsers < 40 ? 2 : 3; i > 0; i--) dcs.push(addHost('dc'));
  const departments = DEPARTMENTS.slice(0, Math.min(DEPARTMENTS.length, Math.max(3, Math.round(nUsers / 22))));
  const deptServers = new Map<string, string[]>();
  for (const d of departments) deptServers.set(d, rng.chance(0.6) || d === 'Engineering' ? [addHost('file'), addHost('app')] : [addHost('file')]);
  const legacy = [addHost('legacy', true), addHost('legacy', true)];
  const legacyUsers = new Map<string, string>(rng.sample(departments, Math.min(3, departments.length)).map((d, i) => [d, legacy[i % legacy.length] as string]));
  const db = [addHost('db'), addHost('db')];
  const print = Array.from({ length: nUsers < 60 ? 1 : 2 }, () => addHost('print'));
  const mail = addHost('mail');
  const web = addHost('web');
  const backup = addHost('backup');
  const monitor = addHost('monitor');
  const itServers = [addHost('app'), monitor];
  deptServers.set('IT', itServers);
  const labs = Array.from({ length: Math.max(2, Math.round(nUsers / 25)) }, () => addHost('lab'));
  const servers = [...hosts.values()].filter((h) => h.role !== 'dc' && h.role !== 'lab').map((h) => h.name);

  const nHelpdesk = roleCount(nUsers, profile.helpdeskShare, 1);
  const nSysadmin = roleCount(nUsers, profile.sysadminShare, 2);
  const nDeveloper = roleCount(nUsers, profile.developerShare, 1);
  const people: Person[] = [];
  const prng = rng.fork('people');
  for (let i = 0; i < nUsers; i++) {
    const role: PersonRole = i < nHelpdesk ? 'helpdesk' : i < nHelpdesk + nSysadmin ? 'sysadmin' : i < nHelpdesk + nSysadmin + nDeveloper ? 'developer' : 'staff';
    const dept = role === 'staff' ? (departments[prng.int(departments.length)] as string) : role === 'developer' ? 'Engineering' : 'IT';
    const workstation = addHost('workstation', false, prng.chance(0.4));
    const prefs = new Map<string, number>();
    const prefer = (host: string, w: number) => prefs.set(host, (prefs.get(host) ?? 0) + w * prng.uniform(0.5, 1.5));
    for (const s of deptServers.get(dept) ?? []) prefer(s, hosts.get(s)?.role === 'file' ? 6 : 3);
    prefer(mail, 2.5);
    prefer(prng.pick(print), 1);
    if (prng.chance(0.6)) prefer(web, 1.2);
    const oldApp = legacyUsers.get(dept);
    if (oldApp && prng.chance(0.7)) prefer(oldApp, 1.5);
    if (dept === 'Finance' || dept === 'Engineering' || (dept === 'Research' && prng.chance(0.5))) prefer(prng.pick(db), 1);
    // A few cross-team servers per person: shared projects that make the pair graph less tidy.
    for (const s of prng.sample(servers, prng.intBetween(0, 2))) prefer(s, 0.4);
    if (role === 'sysadmin') for (const s of [...servers, ...dcs]) prefer(s, prng.uniform(0.3, 2.5));
    if (role === 'helpdesk') for (const s of [...print, ...itServers]) prefer(s, 1.5);
    const start = role === 'sysadmin' ? 8 + prng.normal() * 0.8 : 8.4 + prng.normal() * 0.7;
    people.push({
      user: users.next(),
      dept,
      role,
      workstation,
      ...(prng.chance(0.15) ? { laptop: addHost('workstation', false, false) } : {}),
      startHour: clamp(start, 6.5, 11),
      workHours: clamp(8.3 + prng.normal() * 0.6, 6.5, 10.5),
      lunchHour: clamp(12.2 + prng.normal() * 0.4, 11.3, 13.5),
      lunchMinutes: prng.intBetween(25, 60),
      rate: role === 'staff' ? prng.uniform(2, 6) : prng.uniform(6, 10),
      servers: [...prefs.keys()],
      weights: [...prefs.values()],
      labs: dept === 'Engineering' || dept === 'Research' ? prng.sample(labs, prng.intBetween(1, 2)) : [],
      dc: hosts.get(workstation)?.dc ?? (dcs[0] as string),
      weekendWorker: prng.chance(role === 'sysadmin' ? Math.max(0.3, profile.weekendShare) : profile.weekendShare),
      lateWorker: prng.chance(role === 'staff' ? 0.06 : 0.25),
    });
  }
  // New workstation assignments (benign "user on a machine it never used"), some of them in test days.
  for (const p of prng.sample(people.filter((q) => q.role === 'staff'), Math.max(1, Math.round(nUsers * 0.03)))) {
    if (days >= 2) p.reassign = { day: prng.intBetween(1, days - 1), host: addHost('workstation', false, prng.chance(0.6)) };
  }

  const svc = rng.fork('services');
  const services: ServiceAccount[] = [];
  for (const s of servers.filter((h) => hosts.get(h)?.role === 'app')) services.push({ user: users.next(), host: s, targets: [svc.pick(db)], periodMinutes: svc.pick([10, 15, 20, 30]), nightly: false });
  services.push({ user: users.next(), host: web, targets: db.slice(), periodMinutes: 15, nightly: false });
  services.push({ user: users.next(), host: mail, targets: dcs.slice(), periodMinutes: 30, nightly: false });
  services.push({ user: users.next(), host: monitor, targets: servers.filter((s) => s !== monitor), periodMinutes: 60, nightly: false });
  services.push({ user: users.next(), host: backup, targets: servers.filter((s) => s !== backup), periodMinutes: 0, nightly: true });

  const workstations = [...hosts.values()].filter((h) => h.role === 'workstation').map((h) => h.name);
  const legacyClients = rng.fork('legacy-clients').sample(workstations, Math.max(3, Math.round(nUsers / 20)));
  const ent: Enterprise = { hosts, dcs, servers, workstations, labs, departments: [...departments, 'IT'], people, services, legacyClients, restricted: { sysadmin: [], developer: [] }, spareAccounts: [] };
  // Everything the profile adds draws from its own stream and allocates names last, so the default
  // profile leaves today's enterprise (and every file) unchanged.
  applyHabits(ent, profile, rng.fork('habits'), days, { host: (role) => addHost(role, false, true), user: () => users.next() });
  return ent;
}

/** The workstation a person sits at on `day`. */
export function workstationOn(p: Person, day: number): string {
  if (p.reassign && day >= p.reassign.day) return p.reassign.host;
  return p.roaming?.[day] ?? p.workstation;
}

export function isWeekday(day: number): boolean {
  return day % 7 < 5;
}

export function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
