// A profile's explicit campaign mix: one frozen registry row per campaign class (its default size, day
// and how to run one instance), and the loop that runs every requested instance on its test day.
import type { CampaignId, DayLog } from './auth-event.js';
import {
  adminOddHours, bruteForceLogon, passTheHash, passwordSpray, silverTicket, stolenCredentials,
  type CampaignContext, type CampaignResult, type DayIndex,
} from './campaigns.js';
import { crossRoleAccess, newServiceAccount, nightUnusualProtocol, slowLateral } from './campaigns-stealthy.js';
import type { Person } from './enterprise.js';
import { CAMPAIGN_CLASSES, type CampaignSpec, type EnterpriseProfile } from './profile.js';

const HOUR = 3600;

export interface TestDay {
  log: DayLog;
  idx: DayIndex;
}

/** One instance's events on one day, before they are merged into that day's log. */
export interface CampaignRun {
  id: CampaignId;
  instance: string;
  day: DayLog;
  result: CampaignResult;
}

interface Instance {
  ctx: CampaignContext;
  day: TestDay;
  days: readonly TestDay[];
  events: number;
  hours: readonly [number, number] | undefined;
  /** 0-based instance number within its class. */
  n: number;
}

interface ClassRunner {
  /** Events per instance when the spec gives none. */
  events: number;
  /** Test-day index when the spec gives none. */
  day: number;
  run(i: Instance): { day: TestDay; result: CampaignResult }[];
}

/** A staff member not yet used by another instance, claimed for this one. */
function foothold(ctx: CampaignContext): Person {
  const free = ctx.ent.people.filter((p) => p.role === 'staff' && !ctx.used?.has(p.user));
  const p = ctx.rng.pick(free.length > 0 ? free : ctx.ent.people);
  ctx.used?.add(p.user);
  return p;
}

const on = (i: Instance, result: CampaignResult) => [{ day: i.day, result }];

export const CAMPAIGN_RUNNERS: Readonly<Record<CampaignId, ClassRunner>> = Object.freeze({
  'stolen-credentials': { events: 7, day: 0, run: (i) => on(i, stolenCredentials(i.ctx, i.day.log.day, foothold(i.ctx), Math.max(1, Math.round((i.events - 1) / 2)), i.hours)) },
  'pass-the-hash': {
    events: 3,
    day: 0,
    run: (i) => on(i, passTheHash(i.ctx, i.day.log.day, foothold(i.ctx), i.events, i.ctx.rng.uniform(...(i.hours ?? [11, 14])) * HOUR, '')),
  },
  'password-spray': { events: 12, day: 1, run: (i) => on(i, passwordSpray(i.ctx, i.day.log.day, foothold(i.ctx), i.events, i.hours)) },
  'admin-odd-hours': { events: 4, day: 1, run: (i) => on(i, adminOddHours(i.ctx, i.day.log.day, i.events, i.hours)) },
  // Alternates its two shapes; both are tied to the victim's own session, so `hours` does not apply.
  'order-anomaly': {
    events: 3,
    day: 0,
    run: (i) => on(i, i.n % 2 === 0 ? silverTicket(i.ctx, i.day.idx, i.events) : bruteForceLogon(i.ctx, i.day.idx, Math.max(1, i.events - 1))),
  },
  'night-unusual-protocol': { events: 4, day: 1, run: (i) => on(i, nightUnusualProtocol(i.ctx, i.day.log.day, i.events, i.hours)) },
  'cross-role-access': { events: 3, day: 0, run: (i) => on(i, crossRoleAccess(i.ctx, i.day.idx, i.events, i.hours)) },
  // Spans every test day by design; `days` does not apply.
  'slow-lateral': {
    events: 5,
    day: 0,
    run: (i) => slowLateral(i.ctx, i.days.map((d) => d.idx), i.events, i.hours).map((result, k) => ({ day: i.days[k] as TestDay, result })),
  },
  'new-service-account': { events: 6, day: 0, run: (i) => on(i, newServiceAccount(i.ctx, i.day.log.day, i.events, i.n, i.hours)) },
});

/** Runs every instance the mix asks for, classes in registry order, so the same mix gives the same files. */
export function runMix(ctx: CampaignContext, mix: NonNullable<EnterpriseProfile['campaigns']>, days: readonly TestDay[]): CampaignRun[] {
  const runs: CampaignRun[] = [];
  for (const id of CAMPAIGN_CLASSES) {
    const spec: CampaignSpec | undefined = mix[id];
    if (!spec) continue;
    const runner = CAMPAIGN_RUNNERS[id];
    const dayChoices = spec.days ?? [runner.day];
    for (let n = 0; n < spec.instances; n++) {
      const day = days[Math.min(days.length - 1, dayChoices[n % dayChoices.length] as number)] as TestDay;
      const parts = runner.run({ ctx, day, days, events: spec.events ?? runner.events, hours: spec.hours, n });
      for (const p of parts) runs.push({ id, instance: `${id}#${n + 1}`, day: p.day.log, result: p.result });
    }
  }
  return runs;
}
