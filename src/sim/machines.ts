// Non-human background for one day: machine accounts (C123$@DOM1) fetching tickets and group policy from
// the DCs, SYSTEM service logons, ANONYMOUS LOGON probes over NTLM, and service accounts running their
// batch jobs and database connections around the clock. This is most of the weekend volume, as in LANL.
import { machineAccount, type DayLog } from './auth-event.js';
import { isWeekday, type Enterprise, type ServiceAccount } from './enterprise.js';
import type { Rng } from './prng.js';

const HOUR = 3600;
const DAY = 86400;

/** Appends the machine, anonymous and service-account events of `day` to `log`. */
export function backgroundDay(ent: Enterprise, day: number, log: DayLog, rng: Rng): void {
  const weekday = isWeekday(day);
  for (const host of ent.hosts.values()) {
    const r = rng.fork(`machine:${host.name}`);
    const server = host.role !== 'workstation' && host.role !== 'lab';
    // Workstations switched off at night only talk to the DC during office hours on weekdays.
    let on = 0;
    let off = DAY;
    if (!host.alwaysOn && !server) {
      if (!weekday) continue;
      on = r.uniform(6.5, 9) * HOUR;
      off = r.uniform(17, 19.5) * HOUR;
    }
    // Now and then the DC locator fails over to another DC for the day.
    const dc = r.chance(0.05) ? r.pick(ent.dcs) : host.dc;
    machineDay(host.name, dc, server, on, off, log, r);
  }
  anonymousProbes(ent, weekday, log, rng.fork('anonymous'));
  for (const svc of ent.services) serviceDay(svc, log, rng.fork(`service:${svc.user}`));
}

function machineDay(host: string, dc: string, server: boolean, on: number, off: number, log: DayLog, r: Rng): void {
  const acct = machineAccount(host);
  const boot = on > 0;
  if (boot || r.chance(0.3)) {
    log.logon(on + r.int(60), acct, host, host, 'Negotiate', 'Service', true, `SYSTEM@${host}`);
  }
  // Group policy refresh every 90 ± 30 minutes; servers also renew more often.
  const every = server ? 45 * 60 : 90 * 60;
  let lastTgt = -Infinity;
  for (let t = on + r.uniform(0, every); t < off; t += every + r.uniform(-0.33, 0.33) * every) {
    if (t - lastTgt > 10 * HOUR) {
      log.tgt(t - 1, acct, host);
      lastTgt = t;
    }
    if (r.chance(0.4)) log.tgs(t, acct, host, dc);
    log.networkSession(t, acct, host, dc, 'Kerberos', r.int(2));
    // Machine accounts keep other servers' sessions alive too (file shares, print spoolers).
    if (server && r.chance(0.2)) log.logoff(t + r.int(30), acct, host, 'Network');
  }
  if (server) {
    for (let t = r.uniform(0, HOUR); t < DAY; t += r.uniform(0.5, 1.5) * HOUR) {
      log.logon(t, acct, host, host, 'Negotiate', 'Service', true, `SYSTEM@${host}`);
      log.logoff(t + r.intBetween(1, 120), acct, host, 'Service', `SYSTEM@${host}`);
    }
  }
}

/** NULL-session probes from old clients to the DCs and file servers: LANL's `ANONYMOUS LOGON@C586`. */
function anonymousProbes(ent: Enterprise, weekday: boolean, log: DayLog, r: Rng): void {
  const targets = [...ent.dcs, ...ent.servers.filter((s) => ent.hosts.get(s)?.role === 'file')];
  for (const target of targets) {
    const anon = `ANONYMOUS LOGON@${target}`;
    const clients = ent.legacyClients;
    for (let t = r.exponential(1 / HOUR); t < DAY; t += r.exponential(1 / HOUR)) {
      const office = weekday && t > 8 * HOUR && t < 18 * HOUR;
      if (!office && !r.chance(0.25)) continue;
      const src = r.pick(clients);
      log.logon(t, anon, src, target, 'NTLM', 'Network');
      log.logoff(t + r.int(2), anon, target, 'Network');
    }
  }
}

function serviceDay(svc: ServiceAccount, log: DayLog, r: Rng): void {
  const { user, host } = svc;
  // Hourly scheduled task on its own server.
  const minute = r.uniform(0, 55) * 60;
  for (let h = 0; h < 24; h++) {
    const t = h * HOUR + minute + r.int(30);
    log.logon(t, user, host, host, 'Negotiate', 'Batch');
    log.logoff(t + r.intBetween(5, 240), user, host, 'Batch');
  }
  const tickets = new Map<string, number>();
  const connect = (t: number, target: string) => {
    if ((tickets.get(target) ?? -Infinity) < t) {
      log.tgs(t, user, host, target);
      tickets.set(target, t + 10 * HOUR);
    }
    log.networkSession(t + 1, user, host, target, 'Kerberos', r.int(5));
  };
  if (svc.periodMinutes > 0) {
    const period = svc.periodMinutes * 60;
    for (const target of svc.targets) {
      for (let t = r.uniform(0, period); t < DAY; t += period + r.int(20)) connect(t, target);
    }
  }
  if (svc.nightly) {
    let t = r.uniform(1, 1.5) * HOUR;
    for (const target of svc.targets) {
      connect(t, target);
      t += r.uniform(2, 8) * 60;
    }
  }
}
