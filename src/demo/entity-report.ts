// The demo's closing view, read back from OpenSearch: the riskiest users and hosts in seqsentry-entities with what
// explains them, who each filled alert monitor would fire for over the test days (run by src/install/monitor-run.ts:
// the Alerting plugin is not on the local node), and for every red-team user and host whether it was caught.
import { z } from 'zod';
import { ENTITIES_INDEX } from '../aggregate/aggregate-options.js';
import { OpenSearchError } from '../core/errors.js';
import { replayBucketMonitor, runDocMonitor, type Firing } from '../install/monitor-run.js';
import type { FilledMonitor } from '../install/installer.js';
import { rawRequest, type OpenSearchClient } from '../opensearch/client.js';

export interface TimeRange {
  fromMs: number;
  toMs: number;
}

/** The entity kinds of seqsentry-entities as the monitors group them: users, and hosts as source or destination. */
export const ENTITY_GROUPS = Object.freeze({ user: ['user'], host: ['src_host', 'dst_host'] } as const);
export type EntityGroup = keyof typeof ENTITY_GROUPS;

export interface RiskyEntity {
  value: string;
  /** Highest risk over its windows, and that window's explanation. */
  risk: number;
  notableWindows: number;
  anomalous: number;
  maxScore: number;
  explain: Array<{ field: string; value: string; events: number }>;
  reason?: string;
}

const TermsAnswer = z.object({
  aggregations: z.object({
    e: z.object({
      buckets: z.array(z.object({
        key: z.string(),
        risk: z.object({ value: z.number().nullable() }),
        notable: z.object({ doc_count: z.number() }),
        anomalous: z.object({ value: z.number().nullable() }),
        max_score: z.object({ value: z.number().nullable() }),
        peak: z.object({ hits: z.object({ hits: z.array(z.object({ _source: z.object({ explain: z.array(z.object({ field: z.string(), value: z.string(), events: z.number() })).default([]), top_events: z.array(z.object({ reason: z.string().optional() })).default([]) }) })) }) }),
      })),
    }),
  }),
});

function windowFilter(kinds: readonly string[], range: TimeRange): unknown {
  return { bool: { filter: [{ terms: { 'entity.kind': kinds } }, { range: { 'window.start': { gte: range.fromMs, lte: range.toMs, format: 'epoch_millis' } } }] } };
}

/** The `size` entities of a group with the highest risk in the range, each with the explanation of its riskiest window. */
export async function riskiestEntities(client: OpenSearchClient, group: EntityGroup, range: TimeRange, size: number): Promise<RiskyEntity[]> {
  const res = await rawRequest(client, 'POST', `/${ENTITIES_INDEX}/_search`, {
    size: 0,
    query: windowFilter(ENTITY_GROUPS[group], range),
    aggs: {
      e: {
        terms: { field: 'entity.value', size, order: { risk: 'desc' } },
        aggs: {
          risk: { max: { field: 'risk' } },
          notable: { filter: { term: { notable: true } } },
          anomalous: { sum: { field: 'anomalous' } },
          max_score: { max: { field: 'max_score' } },
          peak: { top_hits: { size: 1, sort: [{ risk: 'desc' }], _source: ['explain', 'top_events.reason'] } },
        },
      },
    },
  });
  const parsed = TermsAnswer.safeParse(res.body);
  if (!parsed.success) throw new OpenSearchError(`riskiest ${group}s: POST /${ENTITIES_INDEX}/_search`, `unexpected answer: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`, res.status, ENTITIES_INDEX);
  return parsed.data.aggregations.e.buckets.map((b) => {
    const peak = b.peak.hits.hits[0]?._source;
    const reason = peak?.top_events.find((t) => t.reason)?.reason;
    return { value: b.key, risk: b.risk.value ?? 0, notableWindows: b.notable.doc_count, anomalous: b.anomalous.value ?? 0, maxScore: b.max_score.value ?? 0, explain: peak?.explain ?? [], ...(reason ? { reason } : {}) };
  });
}

/** Every entity of a group with at least one notable window in the range. */
export async function notableEntities(client: OpenSearchClient, group: EntityGroup, range: TimeRange): Promise<Set<string>> {
  const out = new Set<string>();
  let after: Record<string, unknown> | undefined;
  for (;;) {
    const res = await rawRequest(client, 'POST', `/${ENTITIES_INDEX}/_search`, {
      size: 0,
      query: { bool: { filter: [windowFilter(ENTITY_GROUPS[group], range), { term: { notable: true } }] } },
      aggs: { e: { composite: { size: 1000, sources: [{ v: { terms: { field: 'entity.value' } } }], ...(after ? { after } : {}) } } },
    });
    const agg = (res.body as { aggregations?: { e?: { buckets: Array<{ key: { v: string } }>; after_key?: Record<string, unknown> } } }).aggregations?.e;
    if (!agg) throw new OpenSearchError(`notable ${group}s: POST /${ENTITIES_INDEX}/_search`, 'the answer has no aggregation "e"', res.status, ENTITIES_INDEX);
    for (const b of agg.buckets) out.add(b.key.v);
    if (!agg.after_key || agg.buckets.length === 0) return out;
    after = agg.after_key;
  }
}

/** What one monitor would have alerted on over the range. */
export type MonitorOutcome =
  | { name: string; type: 'bucket'; group: EntityGroup; runs: number; firings: Firing[]; params: Record<string, unknown> }
  | { name: string; type: 'doc'; query: string; total: number; entities: Record<EntityGroup, Map<string, number>> };

/**
 * Runs every filled monitor over the range: a bucket-level one at each scheduled run (its period substituted, its
 * trigger evaluated by OpenSearch's Painless), a per-document one as its query over the events of the range.
 * `docEntityFields` names the events' fields of each group, to say whom a per-document alert is about.
 */
export async function evaluateMonitors(client: OpenSearchClient, monitors: readonly FilledMonitor[], range: TimeRange, docEntityFields: Record<EntityGroup, readonly string[]>): Promise<MonitorOutcome[]> {
  const out: MonitorOutcome[] = [];
  for (const { body: monitor, thresholds } of monitors) {
    const name = String(monitor.name);
    if (thresholds !== 'event') {
      // The lookback reaches back from each run: runs continue one lookback past the last event.
      const replay = await replayBucketMonitor(client, monitor, range.fromMs, range.toMs + 60 * 60_000);
      const group: EntityGroup = thresholds;
      const params = ((monitor as any).triggers?.[0]?.bucket_level_trigger?.condition?.script?.params ?? {}) as Record<string, unknown>;
      out.push({ name, type: 'bucket', group, runs: replay.runs, firings: replay.firings, params });
    } else {
      const fields = [...new Set(Object.values(docEntityFields).flat())];
      const run = await runDocMonitor(client, monitor, { range: { field: '@timestamp', ...range }, source: fields, size: 10_000 });
      const entities = { user: new Map<string, number>(), host: new Map<string, number>() } as Record<EntityGroup, Map<string, number>>;
      for (const h of run.hits) {
        for (const [group, paths] of Object.entries(docEntityFields) as [EntityGroup, readonly string[]][]) {
          const values = new Set(paths.map((p) => pickPath(h._source, p)).filter((v): v is string => typeof v === 'string'));
          for (const v of values) entities[group].set(v, (entities[group].get(v) ?? 0) + 1);
        }
      }
      out.push({ name, type: 'doc', query: run.query, total: run.total, entities });
    }
  }
  return out;
}

function pickPath(source: Record<string, unknown>, path: string): unknown {
  let cur: unknown = source;
  for (const k of path.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
  return cur;
}

/** The monitors that fired for an entity of a group, by name. */
export function monitorsFor(outcomes: readonly MonitorOutcome[], group: EntityGroup, value: string): string[] {
  return outcomes.flatMap((o) => {
    if (o.type === 'bucket') return o.group === group && o.firings.some((f) => f.key === value) ? [o.name] : [];
    return o.entities[group].has(value) ? [o.name] : [];
  });
}
