// Counts for summary.json: events per day and split, per event type, per red-team campaign.
import type { Enterprise } from './enterprise.js';
import type { EnterpriseProfile } from './profile.js';
import type { CampaignReport } from './redteam.js';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export interface DaySummary {
  day: number;
  weekday: string;
  split: 'train' | 'test';
  events: number;
  red_team: number;
}

export interface SimulationSummary {
  seed: number;
  scale: number;
  profile: EnterpriseProfile;
  days: number;
  train_days: number;
  test_days: number;
  population: { users: number; service_accounts: number; workstations: number; servers: number; domain_controllers: number; labs: number; departments: string[]; roles: Record<string, number>; restricted_servers: number };
  files: { train: string; test: string; redteam: string; campaigns: string; summary: string };
  totals: { events: number; train: number; test: number; red_team: number; red_team_fraction_of_test: number };
  per_day: DaySummary[];
  /** Per class: its events and each instance part (an instance may have a part per day). */
  campaigns: { id: string; events: number; instances: number; parts: CampaignPart[] }[];
  event_types: Record<string, number>;
}

export class SummaryCounter {
  readonly perDay: DaySummary[] = [];
  private types = new Map<string, number>();

  /** `typeOf` names an event's type for `event_types` (authentication events: auth,logon,orientation,outcome). */
  addDay<E extends { campaign?: unknown }>(day: number, split: 'train' | 'test', events: readonly E[], typeOf: (e: E) => string): void {
    let red = 0;
    for (const e of events) {
      if (e.campaign) red++;
      const k = typeOf(e);
      this.types.set(k, (this.types.get(k) ?? 0) + 1);
    }
    this.perDay.push({ day, weekday: WEEKDAYS[day % 7] as string, split, events: events.length, red_team: red });
  }

  totals(): SimulationSummary['totals'] {
    const sum = (split: string, key: 'events' | 'red_team') => this.perDay.filter((d) => d.split === split).reduce((n, d) => n + d[key], 0);
    const train = sum('train', 'events');
    const test = sum('test', 'events');
    const red = sum('test', 'red_team');
    return { events: train + test, train, test, red_team: red, red_team_fraction_of_test: test > 0 ? red / test : 0 };
  }

  /** Event types by count, most frequent first (ties by name, for byte-stable output). */
  eventTypes(): Record<string, number> {
    const rows = [...this.types.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return Object.fromEntries(rows);
  }
}

/** A campaign instance's part on one day; web-login campaigns have their own class names. */
export type CampaignPart = Omit<CampaignReport, 'id'> & { id: string };

/** Counts of the enterprise's people and hosts, for summary.json. */
export function populationOf(ent: Enterprise): SimulationSummary['population'] {
  return {
    users: ent.people.length,
    service_accounts: ent.services.length,
    workstations: ent.workstations.length,
    servers: ent.servers.length,
    domain_controllers: ent.dcs.length,
    labs: ent.labs.length,
    departments: ent.departments,
    roles: countBy(ent.people.map((p) => p.role)),
    restricted_servers: ent.restricted.sysadmin.length + ent.restricted.developer.length,
  };
}

/** Counts per value, keys sorted, for byte-stable summaries. */
function countBy(xs: readonly string[]): Record<string, number> {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return Object.fromEntries([...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}

/** Groups campaign parts (order-anomaly has two) under their id, in first-seen order. */
export function groupCampaigns(reports: readonly CampaignPart[]): SimulationSummary['campaigns'] {
  const out: SimulationSummary['campaigns'] = [];
  for (const r of reports) {
    let g = out.find((c) => c.id === r.id);
    if (!g) out.push((g = { id: r.id, events: 0, instances: 0, parts: [] }));
    if (!g.parts.some((p) => p.instance === r.instance)) g.instances++;
    g.events += r.events;
    g.parts.push(r);
  }
  return out;
}
