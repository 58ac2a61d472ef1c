// Deterministic synthetic ECS authentication documents: ~30 users with regular habits, plus out-of-habit events.
import { writeFileSync } from 'node:fs';
import { Rng } from '../../src/sim/prng.js';

export interface EcsFixtureOptions {
  users?: number;
  days?: number;
  /** Logons per user per working day. */
  perDay?: number;
  seed?: number;
  /** First day, UTC midnight, epoch ms. */
  startMs?: number;
}

export type EcsDoc = Record<string, unknown>;

const DAY_MS = 86_400_000;
export const FIXTURE_START_MS = Date.UTC(2026, 0, 5); // a Monday
const SERVERS = ['fs01', 'fs02', 'mail01', 'web01', 'db01', 'app01', 'app02', 'print01'];

export const userName = (u: number): string => `user${String(u).padStart(2, '0')}`;
export const workstation = (u: number): string => `ws-${String(u).padStart(3, '0')}`;
const workstationIp = (u: number): string => `10.1.${Math.floor(u / 200)}.${(u % 200) + 10}`;

/** One ECS logon document with nested ECS objects, as a shipper would send it. */
export function ecsLogon(p: {
  timeMs: number; user: string; srcHost: string; srcIp: string; dstHost: string;
  action?: string; outcome?: string; logonType?: string; authPackage?: string;
}): EcsDoc {
  return {
    '@timestamp': new Date(p.timeMs).toISOString(),
    user: { name: p.user, domain: 'CORP' },
    source: { ip: p.srcIp, domain: p.srcHost },
    host: { name: p.dstHost },
    event: { action: p.action ?? 'logged-in', outcome: p.outcome ?? 'success', category: ['authentication'] },
    winlog: { logon: { type: p.logonType ?? 'Network' }, event_data: { AuthenticationPackageName: p.authPackage ?? 'Kerberos' } },
  };
}

/** User u's habits: usual servers (most used first) and the hour their day starts. */
export function habitsOf(u: number, seed = 11): { usual: string[]; startHour: number } {
  const r = new Rng(seed).fork(`user${u}`);
  const first = r.int(SERVERS.length);
  const usual = [SERVERS[first]!, SERVERS[(first + 1 + r.int(3)) % SERVERS.length]!, SERVERS[(first + 4) % SERVERS.length]!];
  return { usual, startHour: 8 + r.int(2) };
}

/**
 * Working-day logons in time order: each user logs on from their own workstation to two or three usual
 * servers between 08:00 and 18:00, Kerberos, mostly successful.
 */
export function ecsDocs(options: EcsFixtureOptions = {}): EcsDoc[] {
  const { users = 30, days = 5, perDay = 12, seed = 11, startMs = FIXTURE_START_MS } = options;
  const rng = new Rng(seed);
  const habits = Array.from({ length: users }, (_, u) => habitsOf(u, seed));
  const docs: Array<{ t: number; doc: EcsDoc }> = [];
  for (let d = 0; d < days; d++) {
    const day = rng.fork(`day${d}`);
    for (let u = 0; u < users; u++) {
      const h = habits[u]!;
      for (let i = 0; i < perDay; i++) {
        const t = startMs + d * DAY_MS + (h.startHour * 3600 + day.int(9 * 3600)) * 1000 + day.int(1000);
        const interactive = i === 0;
        docs.push({
          t,
          doc: ecsLogon({
            timeMs: t, user: userName(u), srcHost: workstation(u), srcIp: workstationIp(u),
            dstHost: interactive ? workstation(u) : h.usual[day.weightedIndex([6, 3, 1])]!,
            logonType: interactive ? 'Interactive' : 'Network',
            outcome: day.chance(0.03) ? 'failure' : 'success',
          }),
        });
      }
    }
  }
  docs.sort((a, b) => a.t - b.t);
  return docs.map((d) => d.doc);
}

/** A logon far outside user `u`'s habits: foreign workstation, unusual server, NTLM, 3 a.m. */
export function outOfHabitLogon(u: number, dayMs: number = FIXTURE_START_MS + 7 * DAY_MS): EcsDoc {
  return ecsLogon({
    timeMs: dayMs + 3 * 3600_000, user: userName(u), srcHost: 'kiosk-77', srcIp: '192.168.99.7', dstHost: 'dc01',
    logonType: 'RemoteInteractive', authPackage: 'NTLM', action: 'logged-in-special',
  });
}

/** A usual logon of user `u` (their own workstation to their first usual server at 10:00). */
export function habitualLogon(u: number, dayMs: number = FIXTURE_START_MS + 7 * DAY_MS): EcsDoc {
  return ecsLogon({
    timeMs: dayMs + 10 * 3600_000, user: userName(u), srcHost: workstation(u), srcIp: workstationIp(u), dstHost: habitsOf(u).usual[0]!,
  });
}

export function writeNdjson(file: string, docs: readonly EcsDoc[]): void {
  writeFileSync(file, docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
}
