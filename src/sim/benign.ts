// One person's working day as auth events: interactive logon with TGT/AuthMap at the workstation, group
// policy from the DC, service tickets before first use of each server, network sessions with logoffs,
// lunch dip, screen unlocks, end-of-day logoff; plus the benign oddities that keep rarity rules honest
// (typos, first-time servers, colleague's shares, lab machines, help-desk sweeps, late evenings).
import type { DayLog } from './auth-event.js';
import { isWeekday, workstationOn, type Enterprise, type Person } from './enterprise.js';
import type { Rng } from './prng.js';

const HOUR = 3600;
const TICKET_LIFETIME = 10 * HOUR;

/** Per person and day: which service tickets are cached, so TGS appears only before a first use. */
class Session {
  private tickets = new Map<string, number>();
  constructor(readonly ent: Enterprise, readonly p: Person, readonly log: DayLog, readonly rng: Rng) {}

  /** One visit of `server` from `src` at time t (seconds since midnight). */
  access(t: number, src: string, server: string, logonType = 'Network'): void {
    const { log, rng, p } = this;
    if (this.ent.hosts.get(server)?.ntlmOnly || p.ntlm) {
      if (rng.chance(0.02)) {
        log.logon(t, p.user, src, server, 'NTLM', logonType, false);
        t += rng.intBetween(3, 20);
      }
      log.logon(t, p.user, src, server, 'NTLM', logonType);
    } else {
      this.ticket(t, src, server);
      log.logon(t + rng.int(2), p.user, src, server, 'Kerberos', logonType);
    }
    const held = logonType === 'Network' ? (rng.chance(0.6) ? rng.int(3) : rng.intBetween(5, 600)) : rng.intBetween(120, 2400);
    log.logoff(t + 1 + held, p.user, server, logonType);
  }

  ticket(t: number, src: string, server: string): void {
    const key = `${src}>${server}`;
    const expires = this.tickets.get(key);
    if (expires !== undefined && expires > t) return;
    if (this.rng.chance(0.004)) this.log.tgs(t - 1, this.p.user, src, server, false);
    this.log.tgs(t, this.p.user, src, server);
    this.tickets.set(key, t + TICKET_LIFETIME);
  }

  /** Interactive logon at `host`: optional typo, TGT, ticket for the host, AuthMap, the logon itself. */
  interactiveLogon(t: number, host: string): void {
    const { log, rng, p } = this;
    if (rng.chance(0.04)) {
      log.logon(t - rng.intBetween(4, 25), p.user, host, host, 'Negotiate', 'Interactive', false);
    }
    log.tgt(t, p.user, host);
    if (!p.ntlm) this.ticket(t, host, host);
    log.authMap(t + 1, p.user, host);
    log.logon(t + 1, p.user, host, host, 'Negotiate', 'Interactive');
    // Group policy and logon scripts come from the DC right after logon; an NTLM client asks no ticket.
    const g = t + rng.intBetween(3, 30);
    if (!p.ntlm) this.ticket(g, host, p.dc);
    log.networkSession(g, p.user, host, p.dc, p.ntlm ? 'NTLM' : 'Kerberos', rng.int(3));
  }

  unlock(t: number, host: string): void {
    this.log.logon(t, this.p.user, host, host, 'Negotiate', 'Unlock');
  }

  pickServer(): string {
    return this.p.servers[this.rng.weightedIndex(this.p.weights)] as string;
  }
}

/** Appends one person's events for `day` to `log`. */
export function personDay(ent: Enterprise, p: Person, day: number, log: DayLog, rng: Rng): void {
  const s = new Session(ent, p, log, rng);
  if (p.shift) return shiftDay(s, day);
  if (!isWeekday(day)) {
    if (p.weekendWorker && rng.chance(0.5)) {
      const start = rng.uniform(9.5, 15) * HOUR;
      workBlock(s, workstationOn(p, day), start, start + rng.uniform(0.7, 3.5) * HOUR, p.rate * 0.6, false);
    }
    return;
  }
  if (rng.chance(0.04)) return; // leave, sick day, travel
  if (!worksToday(s)) return;
  const ws = p.laptop && rng.chance(0.12) ? p.laptop : workstationOn(p, day);
  const start = (p.startHour + rng.normal() * 0.3) * HOUR;
  const end = start + (p.workHours + rng.normal() * 0.5) * HOUR;
  workBlock(s, ws, start, end, p.rate, true);
  if (p.lateWorker && rng.chance(0.3)) {
    const late = rng.uniform(19.5, 22.5) * HOUR;
    workBlock(s, ws, late, Math.min(late + rng.uniform(0.3, 1.5) * HOUR, 23.8 * HOUR), p.rate * 0.5, false);
  }
}

/** Sparse users come in on a few weekdays only; the draw happens only for them, keeping others' streams. */
function worksToday(s: Session): boolean {
  return s.p.activeDays === undefined || s.rng.chance(s.p.activeDays / 5);
}

/**
 * A shift worker's weekday: the shift starts at any hour; a shift running past midnight ends in the next
 * day's first hours (each day is generated on its own, so the tail is replayed from the shift's plan).
 */
function shiftDay(s: Session, day: number): void {
  const { p, rng } = s;
  const carry = p.startHour + p.workHours - 24;
  if (carry > 0.25 && day > 0 && isWeekday(day - 1)) workBlock(s, workstationOn(p, day - 1), 0.05 * HOUR, carry * HOUR, p.rate, false);
  if (!isWeekday(day) || rng.chance(0.04) || !worksToday(s)) return;
  const start = Math.max(0.05, p.startHour + rng.normal() * 0.3) * HOUR;
  const end = Math.min(start + (p.workHours + rng.normal() * 0.5) * HOUR, 23.95 * HOUR);
  if (end > start + 0.25 * HOUR) workBlock(s, workstationOn(p, day), start, end, p.rate, true);
}

/** A logged-on stretch at `ws` from `start` to `end` (seconds since midnight) with server visits. */
function workBlock(s: Session, ws: string, start: number, end: number, rate: number, withLunch: boolean): void {
  const { p, rng, log, ent } = s;
  s.interactiveLogon(start, ws);
  const lunchStart = p.lunchHour * HOUR;
  const lunchEnd = lunchStart + p.lunchMinutes * 60;
  const inLunch = (t: number) => withLunch && t >= lunchStart && t < lunchEnd;
  // Mapped drives: the department file share is touched within a minute of logon.
  s.access(start + rng.intBetween(10, 60), ws, p.servers[0] as string);

  // Poisson visits, thinned during lunch (people do not stop completely: the dip, not a gap).
  for (let t = start + rng.exponential(rate / HOUR); t < end; t += rng.exponential(rate / HOUR)) {
    if (inLunch(t) && !rng.chance(0.15)) continue;
    if (p.role !== 'staff' && rng.chance(0.15)) {
      s.access(t, ws, s.pickServer(), 'RemoteInteractive');
    } else {
      s.access(t, ws, s.pickServer());
    }
  }
  if (withLunch && lunchEnd < end) s.unlock(lunchEnd + rng.intBetween(0, 300), ws);
  for (let i = rng.int(3); i > 0; i--) s.unlock(rng.uniform(start + 600, end), ws);
  // Kerberos renews the TGT a few times over a long session.
  for (let t = start + rng.uniform(3, 5) * HOUR; t < end; t += rng.uniform(3, 5) * HOUR) log.tgt(t, p.user, ws);

  if (withLunch) {
    // Benign rarity: a server never visited before, a colleague's share, a lab machine.
    if (rng.chance(0.08)) s.access(rng.uniform(start, end), ws, rng.pick(ent.servers));
    if (rng.chance(0.03)) s.access(rng.uniform(start, end), ws, rng.pick(ent.workstations));
    if (p.labs.length > 0 && rng.chance(0.25)) labVisit(s, rng.pick(p.labs), rng.uniform(start + HOUR, Math.max(start + HOUR, end - HOUR)));
    if (p.role === 'helpdesk') helpdeskSweep(s, ws, start, end);
  }
  log.logoff(end, p.user, ws, 'Interactive');
}

function labVisit(s: Session, lab: string, t: number): void {
  s.interactiveLogon(t, lab);
  const end = t + s.rng.uniform(0.3, 2) * HOUR;
  for (let u = t + 300; u < end; u += s.rng.exponential(2 / HOUR)) s.access(u, lab, s.pickServer());
  s.log.logoff(end, s.p.user, lab, 'Interactive');
}

/** Help-desk staff touch many workstations a day, most of them ones they never touched before. */
function helpdeskSweep(s: Session, ws: string, start: number, end: number): void {
  const targets = s.rng.sample(s.ent.workstations, s.rng.intBetween(4, 15));
  for (const target of targets) {
    const t = s.rng.uniform(start + 600, end - 600);
    s.access(t, ws, target, s.rng.chance(0.3) ? 'RemoteInteractive' : 'Network');
  }
}
