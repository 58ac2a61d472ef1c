// The four quiet campaign classes, each new in one respect only, so a rarity rule on (user, host) pairs
// cannot see them and a model must know the entity's habits: (6) a user's own servers at night over the
// protocol it never uses, (7) a staff account on servers only another role uses, by day, (8) slow lateral
// movement to new hosts spread over both test days, (9) a service account training never saw.
import { DayLog } from './auth-event.js';
import { attackerLogon, type CampaignContext, type CampaignResult, type DayIndex } from './campaigns.js';
import { workstationOn, type Enterprise, type Person } from './enterprise.js';
import type { Rng } from './prng.js';

const HOUR = 3600;
const MINUTE = 60;
type Window = readonly [number, number];
interface Candidate {
  p: Person;
  ws: string;
  servers: string[];
  ntlm: boolean;
}

/** One network logon as the client would make it: NTLM outright, or a service ticket then Kerberos. */
function reach(log: DayLog, rng: Rng, t: number, user: string, src: string, dst: string, ntlm: boolean): void {
  if (ntlm) {
    attackerLogon(log, rng, t, user, src, dst, 'NTLM');
  } else {
    log.tgs(t, user, src, dst);
    attackerLogon(log, rng, t + rng.intBetween(1, 3), user, src, dst, 'Kerberos');
  }
}

const ntlmOnly = (ent: Enterprise, host: string) => ent.hosts.get(host)?.ntlmOnly === true;
const unused = (c: CampaignContext) => (p: Person) => !c.used?.has(p.user);
const claim = (c: CampaignContext, p: Person) => c.used?.add(p.user);

/** `n` picks from `xs`, distinct while they last, then repeats. */
function picks<T>(rng: Rng, xs: readonly T[], n: number): T[] {
  const out = rng.sample(xs, n);
  while (out.length < n) out.push(rng.pick(xs));
  return out;
}

/**
 * (6) A day worker's own usual servers at night, over the protocol it never used in training. Where every
 * such user has used both (many NTLM-only servers), the protocol is new for each user/server pair instead.
 */
export function nightUnusualProtocol(c: CampaignContext, day: number, logons: number, window: Window = [1, 4.5]): CampaignResult {
  const { ent, rng, history } = c;
  const log = new DayLog(day);
  const byUser: Candidate[] = [];
  const byPair: Candidate[] = [];
  for (const p of ent.people.filter(unused(c))) {
    if (p.shift) continue; // night is their day
    const ntlm = !p.ntlm; // the unusual protocol: NTLM for Kerberos users, Kerberos for NTLM clients
    const proto = ntlm ? 'NTLM' : 'Kerberos';
    const ws = workstationOn(p, day);
    // Own servers reached from this workstation; Kerberos needs a server that takes it.
    const own = ent.servers.filter((s) => history.triples.has(`${p.user}|${ws}|${s}`) && (ntlm || !ntlmOnly(ent, s)));
    const fresh = own.filter((s) => !history.pairAuth.has(`${p.user}|${ws}|${s}|${proto}`));
    if (own.length > 0 && history.userAuth.get(p.user)?.has(proto) === false) byUser.push({ p, ws, servers: own, ntlm });
    else if (fresh.length > 0) byPair.push({ p, ws, servers: fresh, ntlm });
  }
  const candidates = byUser.length > 0 ? byUser : byPair;
  if (candidates.length === 0) return { events: [], end: 0, description: 'skipped: no day worker with known servers over one protocol' };
  const v = rng.pick(candidates);
  claim(c, v.p);
  let t = rng.uniform(window[0], window[1]) * HOUR;
  const dsts = picks(rng, v.servers, logons);
  for (const s of dsts) {
    reach(log, rng, t, v.p.user, v.ws, s, v.ntlm);
    t += rng.uniform(4, 15) * MINUTE;
  }
  const proto = v.ntlm ? 'NTLM' : 'Kerberos';
  const scope = byUser.length > 0 ? 'never used by this user in training' : 'never used on these pairs in training';
  return { events: log.events, cover: log.cover, end: t, description: `${v.p.user} from ${v.ws} at night over ${proto} (${scope}) to its own ${dsts.join(', ')}` };
}

/** Servers that in training only people of a privileged role logged on to (at least one of them). */
function roleOnlyServers(c: CampaignContext): string[] {
  const { ent, history } = c;
  const role = new Map(ent.people.map((p) => [p.user, p.role]));
  // Restricted servers first; ordinary ones qualify too when, by chance, only privileged people used them.
  const pool = [...ent.restricted.sysadmin, ...ent.restricted.developer, ...ent.servers];
  return pool.filter((s) => {
    const people = [...(history.dstUsers.get(s) ?? [])].filter((u) => role.has(u));
    return people.length > 0 && people.every((u) => role.get(u) === 'sysadmin' || role.get(u) === 'developer');
  });
}

/** (7) A staff account at work logs on to servers only sysadmins or developers use, in office hours. */
export function crossRoleAccess(c: CampaignContext, idx: DayIndex, logons: number, window: Window = [9, 17]): CampaignResult {
  const { ent, rng } = c;
  const log = new DayLog(idx.day);
  const targets = roleOnlyServers(c);
  const candidates = ent.people.filter(unused(c)).filter((p) => {
    const on = idx.firstLogon.get(p.user);
    const off = idx.lastLogoff.get(p.user);
    return p.role === 'staff' && !p.shift && on !== undefined && off !== undefined && Math.min(off, window[1] * HOUR) - Math.max(on, window[0] * HOUR) > 2 * HOUR;
  });
  if (targets.length === 0 || candidates.length === 0) return { events: [], end: 0, description: 'skipped: no role-only server or no staff at work' };
  const v = rng.pick(candidates);
  claim(c, v);
  const ws = workstationOn(v, idx.day);
  const from = Math.max(idx.firstLogon.get(v.user) as number, window[0] * HOUR) + 30 * MINUTE;
  let t = rng.uniform(from, from + HOUR);
  const dsts = picks(rng, targets, logons);
  for (const s of dsts) {
    reach(log, rng, t, v.user, ws, s, v.ntlm === true || ntlmOnly(ent, s));
    t += rng.uniform(3, 20) * MINUTE;
  }
  return { events: log.events, cover: log.cover, end: t, description: `${v.user} (staff) from ${ws} to ${dsts.join(', ')}, servers only sysadmins/developers use` };
}

/**
 * (8) Slow lateral movement: the foothold user's own credentials, a handful of hops to hosts it never
 * touched, each hours after the last, in office hours, split over the test days. One result per day.
 */
export function slowLateral(c: CampaignContext, days: readonly DayIndex[], hops: number, window: Window = [9.5, 16.5]): CampaignResult[] {
  const { ent, rng, history } = c;
  const atWork = ent.people.filter(unused(c)).filter((p) => p.role === 'staff' && !p.shift && days.every((d) => d.firstLogon.has(p.user)));
  if (atWork.length === 0) return [{ events: [], end: 0, description: 'skipped: no staff at work on every test day' }];
  const f = rng.pick(atWork);
  claim(c, f);
  const fresh = [...ent.workstations, ...ent.servers].filter((h) => !history.userDst.has(`${f.user}|${h}`));
  const path = rng.sample(fresh, hops);
  let src = workstationOn(f, days[0]?.day ?? 0);
  const out: CampaignResult[] = [];
  let k = 0;
  for (const [i, d] of days.entries()) {
    const log = new DayLog(d.day);
    // Even slots over the window, each hop in the middle of its slot: hops land at least 0.6 slot apart.
    const n = Math.ceil((path.length - k) / (days.length - i));
    const slot = ((window[1] - window[0]) * HOUR) / Math.max(1, n);
    const hopped: string[] = [];
    for (let j = 0; j < n && k < path.length; j++, k++) {
      const dst = path[k] as string;
      reach(log, rng, window[0] * HOUR + slot * (j + rng.uniform(0.3, 0.7)), f.user, src, dst, f.ntlm === true || ntlmOnly(ent, dst));
      hopped.push(`${src} -> ${dst}`);
      src = dst;
    }
    out.push({ events: log.events, cover: log.cover, end: window[1] * HOUR, description: `${f.user}'s credentials, ${hopped.length} slow hops on day ${d.day}: ${hopped.join(', ')}` });
  }
  return out;
}

/** (9) An account training never saw runs a scheduled job from one server to one or two others. */
export function newServiceAccount(c: CampaignContext, day: number, runs: number, instance: number, window: Window = [1, 18]): CampaignResult {
  const { ent, rng, history } = c;
  const log = new DayLog(day);
  const spare = ent.spareAccounts.filter((u) => !history.users.has(u));
  const user = spare.length > 0 ? spare[instance % spare.length] : undefined;
  const hosts = ent.servers.filter((s) => !ntlmOnly(ent, s));
  if (user === undefined || hosts.length < 2) return { events: [], end: 0, description: 'skipped: no spare account or too few servers' };
  const host = rng.pick(hosts);
  const targets = rng.sample(hosts.filter((s) => s !== host), rng.intBetween(1, 2));
  const period = rng.pick([10, 15, 20, 30]) * MINUTE;
  let t = rng.uniform(window[0], window[1]) * HOUR;
  log.tgt(t - 2, user, host);
  const ticketed = new Set<string>();
  for (let i = 0; i < runs; i++, t += period + rng.int(20)) {
    const dst = targets[i % targets.length] as string;
    if (!ticketed.has(dst)) log.tgs(t, user, host, dst);
    ticketed.add(dst);
    log.logon(t + 1, user, host, dst, 'Kerberos', 'Network');
    log.logoff(t + 2 + rng.int(5), user, dst, 'Network');
  }
  return { events: log.events, cover: log.cover, end: t, description: `new account ${user} from ${host} to ${targets.join(', ')} every ${period / MINUTE} min, ${runs} runs` };
}
