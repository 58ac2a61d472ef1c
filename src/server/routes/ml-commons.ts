// POST /v1/ml/score: the ML Commons connector's call from the `seqsentry-score` ingest pipeline, one document per call.
//
// What arrives is the connector's request_body (pipelines/ml/seqsentry-sidecar.connector.json) after ML Commons
// substituted its parameters:  { "index": "<_index>", "doc": <the ingest document> }.
// ml_inference passes every input as a string; a JSON object string is substituted raw (so `doc` is normally an
// object), but a template that quotes it, or a document that is not JSON, gives a string: both are accepted.
// `doc` is the ingest document's source *and* metadata (input_map "$"): the metadata keys are removed before scoring
// so the record matches what the proxy and the enrich loop score.
//
// The answer is read by the pipeline's output_map {"anomaly_score": "anomaly_score", "anomaly": "anomaly"} out of
// ML Commons' wrapper (inference_results[0].output[0].dataAsMap). `anomaly_score` is always present, null when the
// event could not be scored: ml_inference fails a document whose response lacks an output_map field.
import { z } from 'zod';
import type { AnomalyDetails } from '../../service/anomaly-fields.js';
import type { ScoringService } from '../../service/scoring-service.js';
import type { IndexRefusal } from '../bulk-policy.js';
import type { ServerMetrics } from '../metrics.js';
import { membersOver } from '../record-bounds.js';

/** Metadata keys ml_inference puts next to the source (IngestDocument.Metadata). */
const INGEST_METADATA = ['_index', '_id', '_routing', '_version', '_version_type', '_if_seq_no', '_if_primary_term'] as const;

const BodySchema = z.object({
  index: z.string().optional(),
  doc: z.union([z.record(z.string(), z.unknown()), z.string()]),
});

export interface MlCommonsContext {
  scoring: ScoringService;
  metrics: ServerMetrics;
  /** History scope when the call names no index. */
  defaultScope: string;
  /** limits.record_keys: a larger document is refused. */
  maxRecordKeys: number;
  /** Why the call may not name this index (hidden, a pattern, not an allowed one), or null. */
  scopeRefusal: IndexRefusal;
  /** Its events count into the daily budget's window (budget.counted_routes); else they are judged by it only. */
  budgetCounted: boolean;
}

export interface MlScoreResponse {
  anomaly_score: number | null;
  anomaly: AnomalyDetails;
}

/** An unsubstituted `${parameters.x}` means the pipeline did not map that input. */
const unset = (v: string | undefined): boolean => v === undefined || v === '' || v.startsWith('${');

/** The record to score and the index it is written to, from the connector body. */
export function parseMlBody(body: unknown, maxRecordKeys = Number.POSITIVE_INFINITY): { record: string | Record<string, unknown>; index: string | undefined } | { error: string } {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return { error: 'request body is not JSON' };
    }
  }
  const parsed = BodySchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { error: `request body: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}; expected {"index": "...", "doc": {...}}` };
  }
  let doc: string | Record<string, unknown> = parsed.data.doc;
  if (typeof doc === 'string') {
    try {
      const inner: unknown = JSON.parse(doc);
      if (inner !== null && typeof inner === 'object' && !Array.isArray(inner)) doc = inner as Record<string, unknown>;
    } catch {
      // Not JSON: a text record (syslog line) for text adapters; the adapter decides.
    }
  }
  let metaIndex: string | undefined;
  if (typeof doc === 'object' && membersOver(doc, maxRecordKeys)) return { error: `doc: more than ${maxRecordKeys} keys and array elements (limits.record_keys)` };
  if (typeof doc === 'object') {
    const source: Record<string, unknown> = { ...doc };
    if (typeof source._index === 'string') metaIndex = source._index;
    for (const key of INGEST_METADATA) delete source[key];
    doc = source;
  }
  const index = unset(parsed.data.index) ? metaIndex : parsed.data.index;
  return { record: doc, index };
}

export async function handleMlCommons(body: unknown, ctx: MlCommonsContext): Promise<{ status: number; body: unknown }> {
  const parsed = parseMlBody(body, ctx.maxRecordKeys);
  if ('error' in parsed) return { status: 400, body: { error: parsed.error } };
  const scope = parsed.index ?? ctx.defaultScope;
  const refused = scope === ctx.defaultScope ? null : ctx.scopeRefusal(scope);
  if (refused) return { status: 403, body: { error: `index: ${refused}` } };
  let results;
  try {
    results = await ctx.scoring.score([{ record: parsed.record, scope, source: { file: `ml_inference:${scope}`, line: 1 } }], { counted: ctx.budgetCounted });
  } catch (err) {
    // A scorer failure is transient: fail the call so the pipeline's failure path runs and enrich retries the event,
    // instead of marking it as scored with an error.
    return { status: 503, body: { error: `scoring failed: ${(err as Error).message}` } };
  }
  const fields = results[0];
  if (!fields) return { status: 500, body: { error: 'scoring returned no result' } };
  ctx.metrics[fields.anomaly_score !== undefined ? 'eventsScored' : 'eventsUnscored'].inc({ route: '/v1/ml/score' }, 1);
  const response: MlScoreResponse = { anomaly_score: fields.anomaly_score ?? null, anomaly: fields.anomaly };
  return { status: 200, body: response };
}
