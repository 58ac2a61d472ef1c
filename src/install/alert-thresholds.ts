// The monitors' thresholds, from the bundle's calibration and an acceptance rate (expected alerts per day), never
// hand-set: anomaly_score is an event's rank among held-out normal events, so on normal traffic a share 1 - s of
// events scores above s, and a share 1 - threshold is marked anomalous.
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { loadBundle } from '../model/bundle.js';
import { rawRequest, type OpenSearchClient } from '../opensearch/client.js';
import { pick } from './plan.js';

export const AlertingConfigSchema = z
  .object({
    /** Alerts a day each monitor may raise on normal traffic: the admin's acceptance rate. */
    alerts_per_day: z.number().positive(),
    /** Scored events a day; measured from the event indices over the last week when not given. */
    events_per_day: z.number().positive().optional(),
  })
  .strict();
export type AlertingConfig = z.infer<typeof AlertingConfigSchema>;

export interface Calibration {
  /** The bundle's anomaly threshold: events at or above it are anomalous (anomaly.is_anomaly). */
  threshold: number;
  /** Held-out normal events the calibration ranks against: the finest score resolution is 1 / n. */
  n: number;
}

/** What a bucket-level monitor file says about its timing: runs every `scheduleMinutes`, looks back `lookbackMinutes`. */
export interface MonitorTiming {
  scheduleMinutes: number;
  lookbackMinutes: number;
}

export interface Volumes {
  eventsPerDay: number;
  /** Distinct entities per monitored kind (user; host = source and destination hosts). */
  entities: { user: number; host: number };
}

const DAY_MINUTES = 24 * 60;

/** P(X >= n) for X ~ Poisson(mu). */
export function poissonTail(mu: number, n: number): number {
  let term = Math.exp(-mu);
  let below = 0;
  for (let k = 0; k < n; k++) {
    below += term;
    term *= mu / (k + 1);
  }
  return Math.max(0, 1 - below);
}

/**
 * The score above which normal traffic gives `alertsPerDay` single-event alerts: 1 - rate / events, not below the
 * bundle's anomaly threshold and not finer than its calibration resolves (1 - 1 / (n + 1)).
 */
export function veryHighScore(cal: Calibration, alertsPerDay: number, eventsPerDay: number): number {
  const s = 1 - alertsPerDay / eventsPerDay;
  const bounded = Math.min(Math.max(s, cal.threshold), 1 - 1 / (cal.n + 1));
  return Math.ceil(bounded * 1e6) / 1e6;
}

/**
 * The least N of anomalous events per entity and lookback such that normal traffic raises at most `alertsPerDay`
 * alerts: events spread evenly over the entities (a rate of eventsPerDay / entities), each anomalous with probability
 * 1 - threshold, so an entity's anomalous count in the lookback is Poisson; the monitor checks every entity at every
 * run. N is at least 2: one anomalous event is the single-event monitor's business. Risk is the decayed sum of
 * anomalous scores, so N events at the threshold make a risk of N * threshold.
 */
export function entityThresholds(cal: Calibration, alertsPerDay: number, eventsPerDay: number, entities: number, timing: MonitorTiming): { anomalous: number; risk: number } {
  const k = Math.max(1, entities);
  const mu = (eventsPerDay / k) * (timing.lookbackMinutes / DAY_MINUTES) * (1 - cal.threshold);
  const checksPerDay = (DAY_MINUTES / timing.scheduleMinutes) * k;
  let n = 2;
  while (checksPerDay * poissonTail(mu, n) > alertsPerDay && n < 10_000) n += 1;
  return { anomalous: n, risk: Math.round(n * cal.threshold * 1000) / 1000 };
}

/** Reads the schedule (MINUTES) and the `{{period_end}}||-<N>m` lookback of a bucket-level monitor file. */
export function monitorTiming(body: unknown, file: string): MonitorTiming {
  const interval = pick(body, 'schedule.period.interval');
  const unit = pick(body, 'schedule.period.unit');
  if (typeof interval !== 'number' || unit !== 'MINUTES') throw new ConfigError(file, 'schedule.period must be {interval: <number>, unit: "MINUTES"}');
  const text = JSON.stringify(pick(body, 'inputs.0.search.query.query'));
  const m = /\{\{period_end\}\}\|\|-(\d+)m"/.exec(text);
  if (!m) throw new ConfigError(file, 'the query needs a range from "{{period_end}}||-<N>m"');
  return { scheduleMinutes: interval, lookbackMinutes: Number(m[1]) };
}

/**
 * Events a day and entities per kind, measured over the last 7 days: scored events in the event indices, distinct
 * users and hosts in seqsentry-entities (entities with anomalous windows: fewer than all, which makes N larger, the
 * safe side).
 */
export async function measureVolumes(client: OpenSearchClient, indexPatterns: readonly string[], entitiesIndex: string): Promise<{ eventsPerDay: number | null; entities: Volumes['entities'] }> {
  const week = { range: { '@timestamp': { gte: 'now-7d' } } };
  let eventsPerDay: number | null = null;
  if (indexPatterns.length > 0) {
    const res = await rawRequest(client, 'POST', `/${indexPatterns.map(encodeURIComponent).join(',')}/_count`, { query: { bool: { filter: [week, { exists: { field: 'anomaly_score' } }] } } }, { querystring: { ignore_unavailable: 'true', allow_no_indices: 'true' } });
    const count = Number(pick(res.body, 'count') ?? 0);
    eventsPerDay = count > 0 ? count / 7 : null;
  }
  const distinct = async (kinds: string[]): Promise<number> => {
    const res = await rawRequest(client, 'POST', `/${entitiesIndex}/_search`, {
      size: 0,
      query: { bool: { filter: [{ terms: { 'entity.kind': kinds } }, { range: { 'window.start': { gte: 'now-7d' } } }] } },
      aggs: { n: { cardinality: { field: 'entity.value' } } },
    }, { accept: [404] });
    return res.status === 404 ? 0 : Number(pick(res.body, 'aggregations.n.value') ?? 0);
  };
  return { eventsPerDay, entities: { user: await distinct(['user']), host: await distinct(['src_host', 'dst_host']) } };
}

export interface ThresholdInputs {
  /** The bundle directory whose calibration sizes the thresholds. */
  modelDir?: string;
  alerting: AlertingConfig;
  indexPatterns: readonly string[];
}

/**
 * Placeholder values per monitor entry (`thresholds` of its manifest entry): `very_high_score` for single events,
 * `anomalous_threshold` and `risk_threshold` for an entity kind. Or why monitors cannot be sized here.
 */
export async function thresholdVars(
  client: OpenSearchClient,
  monitors: ReadonlyArray<{ id: string; thresholds: 'user' | 'host' | 'event'; file: string; body: unknown }>,
  inputs: ThresholdInputs,
  entitiesIndex: string,
): Promise<{ vars: Map<string, Record<string, unknown>>; summary: string } | { skip: string }> {
  if (!inputs.modelDir) return { skip: 'no --model-dir: thresholds come from the bundle\'s calibration' };
  const { bundle } = await loadBundle(inputs.modelDir);
  const cal: Calibration = { threshold: bundle.threshold, n: bundle.calibration.n };
  const measured = await measureVolumes(client, inputs.indexPatterns, entitiesIndex);
  const eventsPerDay = inputs.alerting.events_per_day ?? measured.eventsPerDay;
  if (!eventsPerDay) return { skip: `no scored events in ${inputs.indexPatterns.join(',') || '(no --index-pattern)'} over the last 7 days to size thresholds: give --events-per-day` };
  const rate = inputs.alerting.alerts_per_day;
  const vars = new Map<string, Record<string, unknown>>();
  for (const m of monitors) {
    if (m.thresholds === 'event') {
      vars.set(m.id, { very_high_score: veryHighScore(cal, rate, eventsPerDay) });
    } else {
      const t = entityThresholds(cal, rate, eventsPerDay, measured.entities[m.thresholds], monitorTiming(m.body, m.file));
      vars.set(m.id, { anomalous_threshold: t.anomalous, risk_threshold: t.risk });
    }
  }
  const unknown = measured.entities.user === 0 || measured.entities.host === 0
    ? ' (an entity kind without notables in seqsentry-entities is sized as one entity holding every event, the strictest N: install again once aggregate has run)'
    : '';
  const summary = `${rate} alerts/day per monitor, ${Math.round(eventsPerDay)} events/day${inputs.alerting.events_per_day ? '' : ' (measured)'}, ${measured.entities.user} users, ${measured.entities.host} hosts with notables in the last 7 days, bundle threshold ${cal.threshold}${unknown}`;
  return { vars, summary };
}
