// The five original red-team campaigns (the four quiet ones are in campaigns-stealthy.ts), each a function
// that writes its events into a DayLog, and the record of what training saw that every campaign consults.
// Victims, footholds and times are chosen from the enterprise and from what the benign data of that day and
// of the training days actually contains, so (4) and (5) only reuse user/host pairs that training has seen.
import { DayLog, labelKey, type AuthEvent } from './auth-event.js';
import { workstationOn, type Enterprise, type Person } from './enterprise.js';
import type { Rng } from './prng.js';

const HOUR = 3600;
const MINUTE = 60;

/** What training saw, for choosing victims whose red-team events are new in exactly one respect. */
export interface TrainHistory {
  /** `user|src|dst` for every event. */
  triples: Set<string>;
  /** `user|src` for every event. */
  userSrc: Set<string>;
  /** `user|dst` for every logon. */
  userDst: Set<string>;
  /** `user|src|dst|auth_type` for every logon. */
  pairAuth: Set<string>;
  /** user → auth types of its logons (Kerberos, NTLM, Negotiate). */
  userAuth: Map<string, Set<string>>;
  /** destination → users that logged on to it. */
  dstUsers: Map<string, Set<string>>;
  /** Every account name seen on either side. */
  users: Set<string>;
}

export function emptyHistory(): TrainHistory {
  return { triples: new Set(), userSrc: new Set(), userDst: new Set(), pairAuth: new Set(), userAuth: new Map(), dstUsers: new Map(), users: new Set() };
}

/** Adds one training day's events to `h`. */
export function recordTraining(h: TrainHistory, events: readonly AuthEvent[]): void {
  const add = <K, V>(m: Map<K, Set<V>>, k: K, v: V) => {
    const s = m.get(k);
    if (s) s.add(v);
    else m.set(k, new Set([v]));
  };
  for (const e of events) {
    h.triples.add(`${e.srcUser}|${e.srcHost}|${e.dstHost}`);
    h.userSrc.add(`${e.srcUser}|${e.srcHost}`);
    h.users.add(e.srcUser);
    h.users.add(e.dstUser);
    if (e.orientation !== 'LogOn') continue;
    h.userDst.add(`${e.srcUser}|${e.dstHost}`);
    h.pairAuth.add(`${e.srcUser}|${e.srcHost}|${e.dstHost}|${e.authType}`);
    add(h.userAuth, e.srcUser, e.authType);
    add(h.dstUsers, e.dstHost, e.srcUser);
  }
}

/** Per test day: when each user logged on/off interactively and which service tickets they asked for. */
export interface DayIndex {
  day: number;
  firstLogon: Map<string, number>;
  lastLogoff: Map<string, number>;
  /** `user|src|dst` → seconds since midnight of the first TGS. */
  firstTgs: Map<string, number>;
  keys: Set<string>;
}

export function indexDay(log: DayLog): DayIndex {
  const idx: DayIndex = { day: log.day, firstLogon: new Map(), lastLogoff: new Map(), firstTgs: new Map(), keys: new Set() };
  for (const e of log.events) {
    const t = e.time - log.start;
    idx.keys.add(labelKey(e));
    if (e.logonType === 'Interactive' && e.srcHost === e.dstHost) {
      if (e.orientation === 'LogOn' && e.success && !idx.firstLogon.has(e.srcUser)) idx.firstLogon.set(e.srcUser, t);
      if (e.orientation === 'LogOff') idx.lastLogoff.set(e.srcUser, Math.max(t, idx.lastLogoff.get(e.srcUser) ?? 0));
    }
    if (e.orientation === 'TGS' && e.success) {
      const k = `${e.srcUser}|${e.srcHost}|${e.dstHost}`;
      if (!idx.firstTgs.has(k) || (idx.firstTgs.get(k) as number) > t) idx.firstTgs.set(k, t);
    }
  }
  return idx;
}

export interface CampaignContext {
  ent: Enterprise;
  history: TrainHistory;
  rng: Rng;
  /** Users already chosen as victims by other instances, so two instances do not share one victim. */
  used?: Set<string>;
}

export interface CampaignResult {
  /** The campaign's events, each labelled red team. */
  events: AuthEvent[];
  /**
   * Records the campaign's events cause without being attacks themselves (a session's logoff, an interactive logon's
   * AuthMap), put in the day unlabelled, as LANL's redteam.txt lists the compromise events only.
   */
  cover?: AuthEvent[];
  description: string;
  /** Seconds since midnight when the campaign ended, for chaining the next step. */
  end: number;
}

const staff = (ent: Enterprise) => ent.people.filter((p) => p.role === 'staff');

/**
 * A successful network logon of a campaign, closed by its logoff as a benign one is (benign.ts: most in a few seconds,
 * some held up to ten minutes; the logoff a cover record, unlabelled): a session left open would be a cue only attacks
 * give (review 2026-12-07: 82 % of red-team network logons had no logoff, every benign one had).
 */
export function attackerLogon(log: DayLog, rng: Rng, t: number, user: string, src: string, dst: string, authType: string, success = true): void {
  log.logon(t, user, src, dst, authType, 'Network', success);
  if (!success) return;
  const held = rng.chance(0.6) ? rng.int(3) : rng.intBetween(5, 600);
  log.covering(() => log.logoff(t + 1 + held, user, dst, 'Network'));
}
const kerberosServers = (ent: Enterprise) => ent.servers.filter((s) => !ent.hosts.get(s)?.ntlmOnly);

/** (1) A help-desk/admin account's stolen credentials used from a foothold workstation, hopping across servers. */
export function stolenCredentials(c: CampaignContext, day: number, foothold: Person, hops: number, window: readonly [number, number] = [10.5, 13.5]): CampaignResult {
  const { ent, rng, history } = c;
  const log = new DayLog(day);
  const f = workstationOn(foothold, day);
  const admins = ent.people.filter((p) => p.role !== 'staff' && !history.userSrc.has(`${p.user}|${f}`));
  const v = rng.pick(admins.length > 0 ? admins : ent.people.filter((p) => p !== foothold));
  let t = rng.uniform(window[0], window[1]) * HOUR;
  log.tgt(t, v.user, f);
  let src = f;
  const path = rng.sample(kerberosServers(ent), hops);
  for (const dst of path) {
    t += rng.uniform(2, 12) * MINUTE;
    log.tgs(t, v.user, src, dst);
    attackerLogon(log, rng, t + rng.intBetween(1, 3), v.user, src, dst, 'Kerberos');
    src = dst;
  }
  return { events: log.events, cover: log.cover, end: t, description: `${v.user} (${v.role}) used from ${f}, ${foothold.user}'s workstation, then ${[f, ...path].join(' -> ')}` };
}

/** (2) Pass-the-hash: an admin's NTLM hash replayed from the foothold to workstations and a file server. */
export function passTheHash(c: CampaignContext, day: number, foothold: Person, targets: number, after: number, exclude: string): CampaignResult {
  const { ent, rng } = c;
  const log = new DayLog(day);
  const f = workstationOn(foothold, day);
  const admins = ent.people.filter((p) => p.role === 'sysadmin' && p.user !== exclude);
  const a = rng.pick(admins.length > 0 ? admins : ent.people.filter((p) => p.role !== 'staff'));
  const files = ent.servers.filter((s) => ent.hosts.get(s)?.role === 'file');
  const dsts = [...rng.sample(ent.workstations.filter((w) => w !== f), targets - 1), rng.pick(files)];
  let t = after + rng.uniform(30, 80) * MINUTE;
  for (const dst of dsts) {
    attackerLogon(log, rng, t, a.user, f, dst, 'NTLM');
    t += rng.uniform(1, 6) * MINUTE;
  }
  return { events: log.events, cover: log.cover, end: t, description: `${a.user}'s hash replayed over NTLM from ${f} to ${dsts.join(', ')}` };
}

/** (3) Password spraying: many accounts' NTLM logons against a DC from one host in a short burst, one or two succeed. */
export function passwordSpray(c: CampaignContext, day: number, foothold: Person, attempts: number, window: readonly [number, number] = [13, 16]): CampaignResult {
  const { ent, rng } = c;
  const log = new DayLog(day);
  const g = workstationOn(foothold, day);
  const dc = rng.pick(ent.dcs);
  const victims = rng.sample(staff(ent).filter((p) => p !== foothold), attempts);
  const successes = attempts >= 8 ? 2 : 1;
  const winners = new Set(rng.sample(victims.slice(2), successes).map((p) => p.user));
  let t = rng.uniform(window[0], window[1]) * HOUR;
  for (const v of victims) {
    attackerLogon(log, rng, t, v.user, g, dc, 'NTLM', winners.has(v.user));
    t += rng.intBetween(1, 4);
  }
  return { events: log.events, cover: log.cover, end: t, description: `${victims.length} accounts sprayed from ${g} against ${dc}; succeeded: ${[...winners].join(', ')}` };
}

/** (4) An admin at 02:00-04:00 on servers it uses by day from its own workstation, but over NTLM instead of Kerberos. */
export function adminOddHours(c: CampaignContext, day: number, logons: number, window: readonly [number, number] = [2, 2.6]): CampaignResult {
  const { ent, rng, history } = c;
  const log = new DayLog(day);
  // The admin with the most daytime server pairs in training: every pair used here is a known one.
  let best: { p: Person; ws: string; servers: string[] } | undefined;
  for (const p of ent.people.filter((q) => q.role === 'sysadmin')) {
    const ws = workstationOn(p, day);
    const servers = kerberosServers(ent).filter((s) => history.triples.has(`${p.user}|${ws}|${s}`));
    if (!best || servers.length > best.servers.length) best = { p, ws, servers };
  }
  if (!best || best.servers.length === 0) return { events: [], end: 0, description: 'skipped: no admin with server pairs in training' };
  const picks = rng.sample(best.servers, logons);
  while (picks.length < logons) picks.push(rng.pick(best.servers));
  let t = rng.uniform(window[0], window[1]) * HOUR;
  for (const s of picks) {
    attackerLogon(log, rng, t, best.p.user, best.ws, s, 'NTLM');
    t += rng.uniform(4, 15) * MINUTE;
  }
  return { events: log.events, cover: log.cover, end: t, description: `${best.p.user} from ${best.ws} at night over NTLM to ${picks.join(', ')} (Kerberos by day)` };
}

/** (5a) Forged service tickets: Kerberos network logons to a user's usual servers with no TGS that day before them. */
export function silverTicket(c: CampaignContext, idx: DayIndex, logons: number): CampaignResult {
  const { ent, rng, history } = c;
  const log = new DayLog(idx.day);
  const candidates: { p: Person; ws: string; servers: string[]; on: number; off: number }[] = [];
  for (const p of staff(ent)) {
    const ws = workstationOn(p, idx.day);
    const on = idx.firstLogon.get(p.user);
    const off = idx.lastLogoff.get(p.user);
    if (on === undefined || off === undefined || off - on < 4 * HOUR) continue;
    const servers = kerberosServers(ent).filter((s) => history.triples.has(`${p.user}|${ws}|${s}`) && (idx.firstTgs.get(`${p.user}|${ws}|${s}`) ?? Infinity) > on + 3 * HOUR);
    if (servers.length > 0) candidates.push({ p, ws, servers, on, off });
  }
  if (candidates.length === 0) return { events: [], end: 0, description: 'skipped: no user with an untouched known server' };
  const v = rng.pick(candidates);
  let t = v.on + rng.uniform(1, 2) * HOUR;
  const picks = rng.sample(v.servers, logons);
  while (picks.length < logons) picks.push(rng.pick(v.servers));
  for (const s of picks) {
    attackerLogon(log, rng, t, v.p.user, v.ws, s, 'Kerberos');
    t += rng.uniform(5, 20) * MINUTE;
  }
  return { events: log.events, cover: log.cover, end: t, description: `${v.p.user} Kerberos logons from ${v.ws} to ${picks.join(', ')} without a service ticket request` };
}

/** (5b) Password guessing at a user's own workstation during lunch: many failures, then a logon. */
export function bruteForceLogon(c: CampaignContext, idx: DayIndex, fails: number): CampaignResult {
  const { ent, rng, history } = c;
  const log = new DayLog(idx.day);
  const candidates = staff(ent).filter((p) => {
    const ws = workstationOn(p, idx.day);
    const on = idx.firstLogon.get(p.user);
    const off = idx.lastLogoff.get(p.user);
    return on !== undefined && off !== undefined && on < p.lunchHour * HOUR && off > p.lunchHour * HOUR + 2 * HOUR && history.triples.has(`${p.user}|${ws}|${ws}`);
  });
  if (candidates.length === 0) return { events: [], end: 0, description: 'skipped: no user at work over lunch' };
  const v = rng.pick(candidates);
  const ws = workstationOn(v, idx.day);
  let t = v.lunchHour * HOUR + rng.uniform(5, 15) * MINUTE;
  for (let i = 0; i < fails; i++) {
    log.logon(t, v.user, ws, ws, 'Negotiate', 'Interactive', false);
    t += rng.intBetween(4, 15);
  }
  // mapped onto the workstation's account as every successful interactive logon is (benign.ts), a cover record
  log.covering(() => log.authMap(t, v.user, ws));
  log.logon(t, v.user, ws, ws, 'Negotiate', 'Interactive');
  return { events: log.events, cover: log.cover, end: t, description: `${fails} failed interactive logons of ${v.user} at ${ws} over lunch, then a success` };
}
