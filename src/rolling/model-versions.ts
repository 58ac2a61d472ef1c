// The model version registry in `.seqsentry-state` (`model_version:<name>:<version>`): one document per bundle
// that rolling retraining wrote, with its training window, event counts, metrics, creation time and path, so an
// operator can see which version scored which events (`anomaly.model.version`) and how each did on the window
// after its own. `seqsentry models --list` prints it.
import type { Client } from '@opensearch-project/opensearch';
import { z } from 'zod';
import { STATE_INDEX, stateIndexBody } from '../enrich/checkpoints.js';
import { call, ensureIndex } from '../enrich/os-call.js';
import type { BackoffPolicy } from '../enrich/retry.js';

const Metric = z.number().nullable();

export const ModelVersionSchema = z.object({
  name: z.string(),
  version: z.string(),
  kind: z.string(),
  path: z.string(),
  sha256: z.string(),
  created_at: z.string(),
  window_start: z.string(),
  window_end: z.string(),
  /** The version whose weights this one started from; absent for the first window. */
  previous_version: z.string().optional(),
  event_counts: z.object({
    /** Events of the training window the model was given. */
    train: z.number().int(),
    /** Events the memory and fusion were fitted on: every window up to and including this one. */
    memory: z.number().int(),
    /** Events of the next window, scored by this version (0 when it is the latest). */
    scored: z.number().int(),
    /** Labelled anomalous events among them (when labels were given). */
    positives: z.number().int().nullable(),
  }),
  metrics: z.object({
    held_out_loss: z.number(),
    initial_loss: z.number(),
    train_seconds: z.number(),
    auc: Metric,
    ap: Metric,
  }),
});
export type ModelVersion = z.infer<typeof ModelVersionSchema>;

export class ModelVersionStore {
  constructor(private readonly client: Client, private readonly backoff: BackoffPolicy) {}

  /** Creates `.seqsentry-state`, or adds the fields this version's mapping has to an older one. */
  async ensureIndex(): Promise<void> {
    await ensureIndex(this.client, this.backoff, STATE_INDEX, 'state index', stateIndexBody(), true);
  }

  /** Writes (or rewrites) one version's entry. */
  async record(entry: ModelVersion): Promise<void> {
    const doc = ModelVersionSchema.parse(entry);
    await call(this.client, {
      operation: 'write model version', method: 'PUT', path: `/${STATE_INDEX}/_doc/${encodeURIComponent(`model_version:${doc.name}:${doc.version}`)}`,
      querystring: { refresh: 'true' }, body: { type: 'model_version', ...doc }, index: STATE_INDEX,
    }, this.backoff);
  }

  /** Every recorded version, oldest training window first. */
  async list(): Promise<ModelVersion[]> {
    const res = await call(this.client, {
      operation: 'read model versions', method: 'POST', path: `/${STATE_INDEX}/_search`, ignore: [404], index: STATE_INDEX,
      body: { size: 10_000, query: { term: { type: 'model_version' } }, sort: [{ window_start: { order: 'asc', unmapped_type: 'date' } }, { created_at: { order: 'asc', unmapped_type: 'date' } }] },
    }, this.backoff);
    if (res.status === 404) return [];
    const out: ModelVersion[] = [];
    for (const h of (res.body as { hits: { hits: { _id: string; _source: unknown }[] } }).hits.hits) {
      const parsed = ModelVersionSchema.safeParse(h._source);
      if (!parsed.success) {
        process.stderr.write(`${STATE_INDEX}/${h._id}: not a model version this seqsentry reads (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}); left out\n`);
        continue;
      }
      out.push(parsed.data);
    }
    return out;
  }
}

const fmt = (x: number | null, digits = 4) => (x === null ? '-' : x.toFixed(digits));

/** One line per version, for `seqsentry models --list`. */
export function formatVersions(versions: readonly ModelVersion[]): string {
  if (versions.length === 0) return 'no model versions recorded\n';
  const head = ['version', 'window (UTC)', 'train', 'memory', 'scored', 'held-out loss', 'AUC', 'AP', 'train s', 'path'];
  const rows = versions.map((v) => [
    v.version, `${v.window_start.slice(0, 16)} → ${v.window_end.slice(0, 16)}`, String(v.event_counts.train), String(v.event_counts.memory),
    String(v.event_counts.scored), fmt(v.metrics.held_out_loss), fmt(v.metrics.auc), fmt(v.metrics.ap), v.metrics.train_seconds.toFixed(1), v.path,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  return [head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd()).join('\n') + '\n';
}
