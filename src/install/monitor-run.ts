// Runs a filled alert monitor (as install fills it from pipelines/monitors/) against OpenSearch without the Alerting
// plugin: a bucket-level monitor's search with `{{period_end}}` substituted, its trigger evaluated by OpenSearch's own
// Painless as a `bucket_selector` with the trigger's `buckets_path` and script; a per-document monitor's Lucene query
// as a `query_string`. What the monitor would alert on, for the demo and the tests.
import { z } from 'zod';
import { ConfigError, OpenSearchError } from '../core/errors.js';
import { rawRequest, type OpenSearchClient } from '../opensearch/client.js';
import { monitorTiming } from './alert-thresholds.js';

export type MonitorBody = Record<string, unknown>;

const BucketMonitorSchema = z.object({
  name: z.string(),
  monitor_type: z.literal('bucket_level_monitor'),
  inputs: z.array(z.object({ search: z.object({ indices: z.array(z.string()), query: z.record(z.string(), z.unknown()) }) })).min(1),
  triggers: z.array(z.object({
    bucket_level_trigger: z.object({
      name: z.string(),
      condition: z.object({ buckets_path: z.record(z.string(), z.string()), parent_bucket_path: z.string(), script: z.record(z.string(), z.unknown()) }),
    }),
  })).min(1),
});

const DocMonitorSchema = z.object({
  name: z.string(),
  monitor_type: z.literal('doc_level_monitor'),
  inputs: z.array(z.object({ doc_level_input: z.object({ indices: z.array(z.string()), queries: z.array(z.object({ id: z.string(), query: z.string() })).min(1) }) })).min(1),
});

const BucketsAnswer = z.object({
  aggregations: z.record(z.string(), z.object({ buckets: z.array(z.object({ key: z.record(z.string(), z.unknown()) }).passthrough()), after_key: z.record(z.string(), z.unknown()).optional() })),
});

function parse<T>(schema: z.ZodType<T>, monitor: MonitorBody, what: string): T {
  const parsed = schema.safeParse(monitor);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`monitor ${String(monitor.name ?? '?')} ${issue?.path.join('.') ?? ''}`, `not a filled ${what}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

export function isBucketMonitor(monitor: MonitorBody): boolean {
  return monitor.monitor_type === 'bucket_level_monitor';
}

/**
 * The bucket-level monitor's search as Alerting would send it at `periodEndMs` (`{{period_end}}` substituted, epoch
 * ms); with `withTrigger`, its first trigger added under the parent aggregation as a bucket_selector, so only the
 * buckets the trigger fires for come back.
 */
export function bucketMonitorSearch(monitor: MonitorBody, periodEndMs: number, withTrigger: boolean): { indices: string[]; body: Record<string, any>; parent: string } {
  const m = parse(BucketMonitorSchema, monitor, 'bucket-level monitor');
  const search = m.inputs[0]!.search;
  const body = JSON.parse(JSON.stringify(search.query).replaceAll('{{period_end}}', String(periodEndMs))) as Record<string, any>;
  const { condition } = m.triggers[0]!.bucket_level_trigger;
  const agg = body.aggregations?.[condition.parent_bucket_path];
  if (!agg) throw new ConfigError(`monitor ${m.name}`, `the trigger's parent_bucket_path "${condition.parent_bucket_path}" names no aggregation of the query`);
  if (withTrigger) agg.aggregations = { ...agg.aggregations, trigger: { bucket_selector: { buckets_path: condition.buckets_path, script: condition.script } } };
  return { indices: search.indices, body, parent: condition.parent_bucket_path };
}

/** One bucket of a bucket-level monitor: its key (the composite's single source, e.g. host.name) and its metrics. */
export interface MonitorBucket {
  key: string;
  values: Record<string, number>;
}

/**
 * The buckets a bucket-level monitor's query returns at `periodEndMs`, every page of its composite aggregation;
 * with `withTrigger` only those its trigger fires for. `index` replaces the monitor's indices (tests).
 */
export async function runBucketMonitor(client: OpenSearchClient, monitor: MonitorBody, periodEndMs: number, opts: { withTrigger: boolean; index?: string }): Promise<MonitorBucket[]> {
  const { indices, body, parent } = bucketMonitorSearch(monitor, periodEndMs, opts.withTrigger);
  const target = opts.index ?? indices.join(',');
  const out: MonitorBucket[] = [];
  for (;;) {
    const res = await rawRequest(client, 'POST', `/${target}/_search`, body);
    const parsed = BucketsAnswer.safeParse(res.body);
    const agg = parsed.success ? parsed.data.aggregations[parent] : undefined;
    if (!agg) throw new OpenSearchError(`monitor ${String(monitor.name)}: POST /${target}/_search`, `the answer has no aggregation "${parent}"`, res.status, target);
    for (const b of agg.buckets) {
      const values: Record<string, number> = {};
      for (const [name, v] of Object.entries(b)) {
        const value = (v as { value?: unknown } | null)?.value;
        if (typeof value === 'number') values[name] = value;
      }
      out.push({ key: String(Object.values(b.key)[0]), values });
    }
    if (!agg.after_key || agg.buckets.length === 0) return out;
    body.aggregations[parent].composite.after = agg.after_key;
  }
}

/** Per entity, when a bucket-level monitor fired for it over a replayed schedule. */
export interface Firing {
  key: string;
  /** period_end of each run that fired for it, epoch ms. */
  runs: number[];
  /** The bucket's metrics at its first firing run. */
  first: Record<string, number>;
}

/**
 * Replays a bucket-level monitor's schedule over [fromMs, toMs]: a run at every multiple of its interval, each
 * evaluated as Alerting would at that period_end. Answers who it fired for, in order of first firing.
 */
export async function replayBucketMonitor(client: OpenSearchClient, monitor: MonitorBody, fromMs: number, toMs: number, opts: { index?: string; concurrency?: number } = {}): Promise<{ runs: number; firings: Firing[] }> {
  const { scheduleMinutes } = monitorTiming(monitor, `monitor ${String(monitor.name)}`);
  const step = scheduleMinutes * 60_000;
  const ends: number[] = [];
  for (let t = Math.ceil(fromMs / step) * step; t <= toMs; t += step) ends.push(t);
  const results: MonitorBucket[][] = new Array(ends.length);
  let next = 0;
  const worker = async () => {
    while (next < ends.length) {
      const i = next++;
      results[i] = await runBucketMonitor(client, monitor, ends[i]!, { withTrigger: true, ...(opts.index ? { index: opts.index } : {}) });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker));
  const firings = new Map<string, Firing>();
  ends.forEach((end, i) => {
    for (const b of results[i]!) {
      const f = firings.get(b.key) ?? { key: b.key, runs: [], first: b.values };
      f.runs.push(end);
      firings.set(b.key, f);
    }
  });
  return { runs: ends.length, firings: [...firings.values()] };
}

/**
 * A per-document monitor's first query on its indices (or `index`) within an optional time range: the documents it
 * would alert on, highest score first, with the `_source` fields asked for.
 */
export async function runDocMonitor(
  client: OpenSearchClient,
  monitor: MonitorBody,
  opts: { index?: string; range?: { field: string; fromMs: number; toMs: number }; source?: string[]; size?: number } = {},
): Promise<{ total: number; query: string; hits: Array<{ _index: string; _id: string; _source: Record<string, unknown> }> }> {
  const m = parse(DocMonitorSchema, monitor, 'per-document monitor');
  const input = m.inputs[0]!.doc_level_input;
  const query = input.queries[0]!.query;
  const target = opts.index ?? input.indices.join(',');
  const filter = opts.range ? [{ range: { [opts.range.field]: { gte: opts.range.fromMs, lte: opts.range.toMs, format: 'epoch_millis' } } }] : [];
  const res = await rawRequest(client, 'POST', `/${target}/_search`, {
    size: opts.size ?? 1000,
    track_total_hits: true,
    query: { bool: { must: [{ query_string: { query } }], filter } },
    sort: [{ anomaly_score: { order: 'desc', unmapped_type: 'float' } }],
    ...(opts.source ? { _source: opts.source } : {}),
  });
  const body = z.object({ hits: z.object({ total: z.object({ value: z.number() }), hits: z.array(z.object({ _index: z.string(), _id: z.string(), _source: z.record(z.string(), z.unknown()).default({}) })) }) }).safeParse(res.body);
  if (!body.success) throw new OpenSearchError(`monitor ${m.name}: POST /${target}/_search`, `unexpected answer: ${body.error.issues[0]?.message}`, res.status, target);
  return { total: body.data.hits.total.value, query, hits: body.data.hits.hits };
}
