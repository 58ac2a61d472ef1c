// Places the red-team campaigns in the test days: by default today's five classes within a budget (at most
// 0.1% of test events), shrinking or dropping the loudest first so the time- and order-only ones (4, 5)
// survive on small data; or a profile's explicit mix (campaign-mix.ts) as given. Either way it tags each
// event with its class and instance and moves any red event whose (time, user, src, dst) label would also
// match a benign event.
import { labelKey, type AuthEvent, type CampaignId, type DayLog } from './auth-event.js';
import { runMix, type CampaignRun } from './campaign-mix.js';
import {
  adminOddHours, bruteForceLogon, indexDay, passTheHash, passwordSpray, silverTicket, stolenCredentials,
  type CampaignContext, type DayIndex, type TrainHistory,
} from './campaigns.js';
import { isWeekday, type Enterprise } from './enterprise.js';
import type { Rng } from './prng.js';
import { parseProfile, type EnterpriseProfile } from './profile.js';

/** Largest red-team share of test events the default mix uses (the profile's `maxRedFraction` default). */
export const MAX_RED_FRACTION = 0.001;

export interface CampaignPlan {
  stolenHops: number;
  pthTargets: number;
  sprayAttempts: number;
  oddHoursLogons: number;
  silverLogons: number;
  bruteFails: number;
}

export interface CampaignReport {
  id: CampaignId;
  instance: string;
  day: number;
  events: number;
  first_time: number;
  last_time: number;
  description: string;
}

const FULL_PLAN: CampaignPlan = { stolenHops: 3, pthTargets: 3, sprayAttempts: 12, oddHoursLogons: 4, silverLogons: 2, bruteFails: 5 };

/** Labelled events of a plan (the cover records, logoffs and an AuthMap, are not counted: they are not labelled). */
export function planSize(p: CampaignPlan): number {
  return (p.stolenHops > 0 ? 1 + 2 * p.stolenHops : 0) + p.pthTargets + p.sprayAttempts + p.oddHoursLogons + p.silverLogons + (p.bruteFails > 0 ? p.bruteFails + 1 : 0);
}

/** Shrink steps in order: loud, easy campaigns give way before the subtle ones the evaluation needs. */
const SHRINK: ((p: CampaignPlan) => void)[] = [
  (p) => (p.sprayAttempts = 10), (p) => (p.sprayAttempts = 8), (p) => (p.sprayAttempts = 6),
  (p) => (p.stolenHops = 2), (p) => (p.pthTargets = 2), (p) => (p.oddHoursLogons = 3), (p) => (p.bruteFails = 3),
  (p) => (p.sprayAttempts = 0), (p) => (p.pthTargets = 0), (p) => (p.stolenHops = 0), (p) => (p.bruteFails = 0),
  (p) => (p.silverLogons = 1), (p) => (p.oddHoursLogons = 2), (p) => (p.oddHoursLogons = 1), (p) => (p.silverLogons = 0), (p) => (p.oddHoursLogons = 0),
];

/** The largest plan of at most `budget` events. */
export function planCampaigns(budget: number): CampaignPlan {
  const plan = { ...FULL_PLAN };
  for (const step of SHRINK) {
    if (planSize(plan) <= budget) break;
    step(plan);
  }
  return plan;
}

/**
 * Adds the campaigns' events to the test-day logs (benign events already in them) and reports each
 * campaign. `testLogs` must be the test days in order.
 */
export function injectRedTeam(ent: Enterprise, testLogs: DayLog[], history: TrainHistory, rng: Rng, profile: EnterpriseProfile = parseProfile({})): CampaignReport[] {
  const weekdays = testLogs.filter((l) => isWeekday(l.day));
  const first = (weekdays[0] ?? testLogs[0]) as DayLog | undefined;
  if (!first) return [];
  const second = weekdays[1] ?? (testLogs.length > 1 && testLogs[1] !== first ? (testLogs[1] as DayLog) : first);
  const ctx: CampaignContext = { ent, history, rng };
  const idxFirst = indexDay(first);
  const idxSecond = second === first ? idxFirst : indexDay(second);
  const days = second === first ? [{ log: first, idx: idxFirst }] : [{ log: first, idx: idxFirst }, { log: second, idx: idxSecond }];
  const runs = profile.campaigns
    ? runMix({ ...ctx, used: new Set() }, profile.campaigns, days)
    : defaultMix(ctx, testLogs, first, second, idxFirst, idxSecond, profile.maxRedFraction);

  const usedKeys = new Map<DayLog, Set<string>>([[first, idxFirst.keys], [second, idxSecond.keys]]);
  const reports: CampaignReport[] = [];
  for (const { id, instance, day, result } of runs) {
    if (result.events.length === 0) continue;
    const keys = usedKeys.get(day) as Set<string>;
    // cover records first, unlabelled: a red event whose label key they share moves on, as past a benign one
    for (const e of result.cover ?? []) {
      keys.add(labelKey(e));
      day.events.push(e);
    }
    for (const e of result.events) {
      e.campaign = id;
      e.instance = instance;
      makeLabelUnique(e, keys, day.start);
      day.events.push(e);
    }
    const times = result.events.map((e) => e.time);
    reports.push({ id, instance, day: day.day, events: result.events.length, first_time: Math.min(...times), last_time: Math.max(...times), description: result.description });
  }
  return reports;
}

/** Today's five classes on the first two test weekdays, shrunk to `maxFraction` of the test events. */
function defaultMix(ctx: CampaignContext, testLogs: DayLog[], first: DayLog, second: DayLog, idxFirst: DayIndex, idxSecond: DayIndex, maxFraction: number): CampaignRun[] {
  const { ent, rng } = ctx;
  const benign = testLogs.reduce((n, l) => n + l.events.length, 0);
  const plan = planCampaigns(Math.floor(benign * maxFraction));
  const staff = ent.people.filter((p) => p.role === 'staff');
  const [foothold, sprayHost] = rng.sample(staff, 2);

  const runs: Omit<CampaignRun, 'instance'>[] = [];
  let chainEnd = rng.uniform(11, 14) * 3600;
  let stolenUser = '';
  if (plan.stolenHops > 0 && foothold) {
    const r = stolenCredentials(ctx, first.day, foothold, plan.stolenHops);
    runs.push({ id: 'stolen-credentials', day: first, result: r });
    chainEnd = r.end;
    stolenUser = r.events[0]?.srcUser ?? '';
  }
  if (plan.pthTargets > 0 && foothold) runs.push({ id: 'pass-the-hash', day: first, result: passTheHash(ctx, first.day, foothold, plan.pthTargets, chainEnd, stolenUser) });
  if (plan.silverLogons > 0) runs.push({ id: 'order-anomaly', day: first, result: silverTicket(ctx, idxFirst, plan.silverLogons) });
  if (plan.sprayAttempts > 0 && sprayHost) runs.push({ id: 'password-spray', day: second, result: passwordSpray(ctx, second.day, sprayHost, plan.sprayAttempts) });
  if (plan.oddHoursLogons > 0) runs.push({ id: 'admin-odd-hours', day: second, result: adminOddHours(ctx, second.day, plan.oddHoursLogons) });
  if (plan.bruteFails > 0) runs.push({ id: 'order-anomaly', day: second, result: bruteForceLogon(ctx, idxSecond, plan.bruteFails) });
  // Instance ids count each class's runs (order-anomaly has two).
  const seen = new Map<CampaignId, number>();
  return runs.map((r) => {
    const n = (seen.get(r.id) ?? 0) + 1;
    seen.set(r.id, n);
    return { ...r, instance: `${r.id}#${n}` };
  });
}

/**
 * Moves `e` forward a second at a time until no other event shares its label key (at the end of its day, back from
 * where it was), then claims the key.
 */
function makeLabelUnique(e: AuthEvent, keys: Set<string>, dayStart: number): void {
  const original = e.time;
  while (keys.has(labelKey(e)) && e.time < dayStart + 86399) e.time += 1;
  // at the day's last second (a record clamped there, its cover record beside it): back from where it was instead
  if (keys.has(labelKey(e))) e.time = original;
  while (keys.has(labelKey(e))) {
    if (e.time <= dayStart) throw new RangeError(`red-team event at ${original} cannot be made unique within its day`);
    e.time -= 1;
  }
  keys.add(labelKey(e));
}
