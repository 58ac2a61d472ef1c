// Enrich test helpers: an ECS events index as the content pack maps it, bulk loading, reading every document back
// with its _version, and cleaning a job's checkpoints. Documents and the model come from ecs-/model-fixture.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Enricher, type EnrichStats } from '../../src/enrich/enricher.js';
import { createEnrichScoring } from '../../src/enrich/scoring.js';
import { createOpenSearchClient } from '../../src/opensearch/client.js';
import { OpenSearchConfigSchema } from '../../src/opensearch/config.js';
import type { ScoringService } from '../../src/service/scoring-service.js';
import { ModelSwitch } from '../../src/service/model-switch.js';
import { REPO_ROOT } from './env.js';

/** Index settings and mappings as the content pack installs them for ECS auth events (ECS + anomaly fields). */
const templateProperties = (name: string): Record<string, unknown> =>
  (JSON.parse(readFileSync(join(REPO_ROOT, 'pipelines', 'templates', name), 'utf8')) as { template: { mappings: { properties: Record<string, unknown> } } }).template.mappings.properties;

export function ecsIndexBody(shards = 2): Record<string, unknown> {
  const properties = { ...templateProperties('seqsentry-ecs-auth.json'), ...templateProperties('seqsentry-anomaly-fields.json') };
  return { settings: { number_of_shards: shards, number_of_replicas: 0 }, mappings: { properties } };
}

/**
 * An index of the user's own events (not ECS: Zeek's JSON, say) as the content pack's seqsentry-events template makes
 * it: the anomaly fields mapped, everything else left to dynamic mapping (an ISO `ts` becomes a date).
 */
export function eventsIndexBody(shards = 2): Record<string, unknown> {
  return { settings: { number_of_shards: shards, number_of_replicas: 0 }, mappings: { properties: templateProperties('seqsentry-anomaly-fields.json') } };
}

export async function os(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const ndjson = typeof body === 'string';
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': ndjson ? 'application/x-ndjson' : 'application/json' },
    body: body === undefined ? undefined : ndjson ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(120_000),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

/** Creates `index` and bulk-loads `docs` with ids `<prefix><n>`; refreshes so a search sees them. */
export async function loadIndex(url: string, index: string, docs: Array<Record<string, unknown>>, idPrefix = 'd'): Promise<void> {
  await os(url, 'DELETE', `/${index}`);
  const created = await os(url, 'PUT', `/${index}`, ecsIndexBody());
  if (created.status !== 200) throw new Error(`create ${index}: ${JSON.stringify(created.json)}`);
  for (let i = 0; i < docs.length; i += 5000) {
    const lines = docs.slice(i, i + 5000).flatMap((d, j) => [JSON.stringify({ index: { _index: index, _id: `${idPrefix}${i + j}` } }), JSON.stringify(d)]);
    const res = await os(url, 'POST', '/_bulk', lines.join('\n') + '\n');
    if (res.json?.errors) throw new Error(`bulk into ${index}: ${JSON.stringify(res.json.items.find((x: any) => x.index.error))}`);
  }
  await os(url, 'POST', `/${index}/_refresh`);
}

/** Every document of `index` with _version and _source (up to 10k), by id. */
export async function allDocs(url: string, index: string): Promise<Map<string, { version: number; source: any }>> {
  await os(url, 'POST', `/${index}/_refresh`);
  const res = await os(url, 'POST', `/${index}/_search`, { size: 10_000, version: true, query: { match_all: {} } });
  return new Map((res.json.hits.hits as any[]).map((h) => [h._id as string, { version: h._version as number, source: h._source }]));
}

/** Deletes the job's checkpoints so a test starts clean. */
export async function dropCheckpoints(url: string, job: string): Promise<void> {
  await os(url, 'POST', `/.seqsentry-state/_delete_by_query?refresh=true&ignore_unavailable=true`, { query: { term: { job } } });
}

export interface EnrichRun {
  pattern: string;
  job: string;
  pageSize: number;
  /** Events per ONNX call. */
  batchSize: number;
  sliceMax?: number;
  sliceIds?: number[];
  /** The window's start (default 2026-01-01: the ECS fixture's days). */
  since?: string;
  /** Full explanations (and anomaly.raw) from this anomaly_score (default: the sidecar's default, 0.99). */
  explainAbove?: number;
  /** The daily alert budget's rate; null: off; unset: the bundle's acceptance rate. */
  budget?: number | null;
  /** The pattern whose scored events refill the budget before the run (the command passes its --index); unset: none. */
  budgetFrom?: string;
}

/**
 * One in-process enrich run to completion (no --follow), as `seqsentry enrich` wires it, over events since
 * `run.since` (default 2026-01-01); `wrap` may stand between the enricher and its scoring service (a test's race).
 */
export async function runEnrich(url: string, modelDir: string, run: EnrichRun, wrap: (service: ScoringService) => ScoringService = (s) => s): Promise<EnrichStats> {
  const client = createOpenSearchClient(OpenSearchConfigSchema.parse({ url }));
  const scoring = await createEnrichScoring(client, modelDir, run.batchSize, { ...(run.explainAbove !== undefined ? { explainAbove: run.explainAbove } : {}), ...(run.budget !== undefined ? { budget: run.budget } : {}), ...(run.budgetFrom !== undefined ? { budgetFrom: run.budgetFrom } : {}) });
  try {
    const models = new ModelSwitch();
    models.switchTo(wrap(scoring.service));
    return await new Enricher(client, models, {
      pattern: run.pattern, since: run.since ?? '2026-01-01T00:00:00Z', job: run.job, sliceMax: run.sliceMax ?? 1, sliceIds: run.sliceIds ?? [0], follow: false,
      pageSize: run.pageSize, keepAlive: '1m', pollMs: 1000, backoff: { baseMs: 50, capMs: 1000, attempts: 5 },
    }).run(new AbortController().signal);
  } finally {
    await scoring.close();
    await client.close();
  }
}
