// One aggregation pass over a range of scored events: finds the entity fields the index holds, reads the analysts'
// suppressions, and runs the NotableAggregator. Called by `seqsentry aggregate` and by the schedules of `serve` and
// `enrich --follow`, so every caller aggregates the same way.
import type { Client } from '@opensearch-project/opensearch';
import type { Adapter } from '../adapters/adapter.js';
import { SeqSentryError } from '../core/errors.js';
import { call } from '../enrich/os-call.js';
import { timeFieldOf } from '../enrich/query.js';
import type { BackoffPolicy } from '../enrich/retry.js';
import { durationMs } from './duration.js';
import { AGGREGATE_DEFAULTS, type AggregateStats } from './aggregate-options.js';
import { entityForms, entityRule } from './entity-values.js';
import { NotableAggregator } from './notables.js';
import { SuppressionStore } from './suppressions.js';

/** The notables' shape: window, risk, notability. Defaults are those of `seqsentry aggregate`. */
export interface NotableSettings {
  windowMs: number;
  halfLifeMs: number;
  notableWindows: number;
  stretchMs: number;
  allWindows: boolean;
}

export const DEFAULT_NOTABLE_SETTINGS: NotableSettings = Object.freeze({
  windowMs: durationMs(AGGREGATE_DEFAULTS.window, 'window'),
  halfLifeMs: durationMs(AGGREGATE_DEFAULTS.halfLife, 'half-life'),
  notableWindows: AGGREGATE_DEFAULTS.notableWindows,
  stretchMs: durationMs(AGGREGATE_DEFAULTS.stretch, 'stretch'),
  allWindows: false,
});

export interface AggregationRun extends NotableSettings {
  pattern: string;
  adapter: Adapter;
  /** The bundle's context entity, for formats whose entities live in text (found by anomaly.entity). */
  entityKey?: string;
  sinceMs: number;
  untilMs: number;
  /**
   * Entity kind → fields in order (an event's entity is the first it holds); default: per kind the adapter's paths
   * that the indices map as aggregatable and the events of the range hold.
   */
  entities?: Record<string, readonly string[]>;
  backoff: Readonly<BackoffPolicy>;
}

export interface AggregationResult {
  stats: AggregateStats;
  entities: Record<string, readonly string[]>;
  suppressions: number;
}

/**
 * For each entity, its candidate fields that the indices map as aggregatable and that the events of the range hold,
 * in the adapter's order (a template may map fields no event has, such as destination.domain beside host.name; one
 * source may name the user in user.name, another in winlog.event_data.TargetUserName). A field that dynamic mapping
 * made text counts by its `.keyword` sub-field (Zeek's id.orig_h shipped without a template of its own).
 */
async function entityFields(client: Client, run: AggregationRun, timeField: string, given: Record<string, readonly string[]>, extra: readonly string[] = []): Promise<{ entities: Record<string, string[]>; present: Set<string> }> {
  const { pattern, backoff } = run;
  const candidates = Object.fromEntries(Object.entries(given).map(([kind, paths]) => [kind, paths.flatMap((p) => [p, `${p}.keyword`])]));
  const all = [...new Set([...Object.values(candidates).flat(), ...extra.flatMap((p) => [p, `${p}.keyword`])])];
  const caps = await call(client, { operation: 'field capabilities', method: 'GET', path: `/${encodeURIComponent(pattern)}/_field_caps`, querystring: { fields: all.join(','), ignore_unavailable: true, allow_no_indices: true }, index: pattern }, backoff);
  const mapped = (caps.body as { fields?: Record<string, Record<string, { aggregatable?: boolean }>> }).fields ?? {};
  const usable = all.filter((p) => Object.values(mapped[p] ?? {}).some((c) => c.aggregatable));
  if (usable.length === 0) return { entities: {}, present: new Set() };
  const res = await call(client, {
    operation: 'entity fields present', method: 'POST', path: `/${encodeURIComponent(pattern)}/_search`, index: pattern,
    body: {
      size: 0,
      query: { range: { [timeField]: { gte: run.sinceMs, lt: run.untilMs, format: 'epoch_millis' } } },
      aggs: { present: { filters: { filters: Object.fromEntries(usable.map((p) => [p, { exists: { field: p } }])) } } },
    },
  }, backoff);
  const counts = (res.body as { aggregations?: { present?: { buckets?: Record<string, { doc_count: number }> } } }).aggregations?.present?.buckets ?? {};
  const out: Record<string, string[]> = {};
  for (const [kind, paths] of Object.entries(candidates)) {
    const found = paths.filter((p) => (counts[p]?.doc_count ?? 0) > 0);
    if (found.length) out[kind] = found;
  }
  return { entities: out, present: new Set(usable.filter((p) => (counts[p]?.doc_count ?? 0) > 0)) };
}

/** Aggregates the scored events of [sinceMs, untilMs) into entity notables; idempotent (writes only what changed). */
export async function aggregateOnce(client: Client, run: AggregationRun): Promise<AggregationResult> {
  const { adapter } = run;
  const timeField = timeFieldOf(adapter);
  // Formats whose entities live inside text (LANL's message line) are found by the anomaly.entity SeqSentry writes.
  const candidates: Record<string, readonly string[]> = adapter.documentFields?.entityPaths ?? { [run.entityKey ?? adapter.entityKey]: ['anomaly.entity'] };
  // A format whose adapter derives its entities (Windows) is grouped by the values the model saw (entity-values.ts):
  // its stamp and folded fields are looked for too.
  const forms = entityForms(adapter);
  const entityKey = run.entityKey ?? adapter.entityKey;
  const extra = forms ? ['anomaly.entity', ...Object.values(adapter.documentFields?.foldedEntityPaths ?? {}).flat()] : [];
  const found = run.entities && !forms ? { entities: run.entities, present: new Set<string>() } : await entityFields(client, run, timeField, candidates, extra);
  const entities = run.entities ?? found.entities;
  if (Object.keys(entities).length === 0) throw new SeqSentryError(`aggregate: no entity field of ${Object.values(candidates).flat().join(', ')} is mapped as aggregatable in ${run.pattern}`);
  const rules = forms ? Object.fromEntries(Object.entries(entities).flatMap(([kind, fields]) => (forms[kind] ? [[kind, entityRule(adapter, kind, entityKey, forms[kind], fields, found.present)]] : []))) : undefined;
  // Suppressions in force now, whatever range is aggregated (an expired one no longer hides anything).
  const suppressions = await new SuppressionStore(client, run.backoff).list(new Date());
  const aggregator = new NotableAggregator(client, {
    pattern: run.pattern, timeField, entities, ...(rules ? { rules } : {}), sinceMs: run.sinceMs, untilMs: run.untilMs,
    windowMs: run.windowMs, halfLifeMs: run.halfLifeMs, notableWindows: run.notableWindows, stretchMs: run.stretchMs, allWindows: run.allWindows,
    suppressions, backoff: run.backoff,
  });
  return { stats: await aggregator.run(), entities, suppressions: suppressions.length };
}
