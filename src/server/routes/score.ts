// POST /v1/score: one event, a list of events, or records for a named adapter; answers scores and explanations.
import { z } from 'zod';
import type { ScoreRequest, ScoringService } from '../../service/scoring-service.js';
import { scopeTooLong } from '../../service/bounded-values.js';
import { HttpError, json, type Reply } from '../http-errors.js';
import type { IndexRefusal } from '../bulk-policy.js';
import type { ServerMetrics } from '../metrics.js';
import { membersOver } from '../record-bounds.js';

const Record_ = z.union([z.string(), z.record(z.string(), z.unknown())]);
const Batch = z
  .object({
    /** Adapter name the records are in; must be the served model's. */
    format: z.string().optional(),
    /** History scope (an index name); the configured default scope otherwise. */
    scope: z.string().optional(),
    records: z.array(Record_).optional(),
    events: z.array(z.record(z.string(), z.unknown())).optional(),
  })
  .strict()
  .refine((b) => (b.records === undefined) !== (b.events === undefined), { message: 'send either "records" or "events", not both' });

export interface ScoreRouteContext {
  scoring: ScoringService;
  metrics: ServerMetrics;
  defaultScope: string;
  /** history.max_scope_bytes: a longer `scope` is refused. */
  maxScopeBytes: number;
  /** limits.record_keys: a larger record is refused. */
  maxRecordKeys: number;
  /** Why a request may not name this scope (hidden, a pattern, not an allowed index), or null. */
  scopeRefusal: IndexRefusal;
  /** Its events count into the daily budget's window (budget.counted_routes); else they are judged by it only. */
  budgetCounted: boolean;
}

function badRequest(reason: string): HttpError {
  return new HttpError(400, 'illegal_argument_exception', reason, 'bad_request');
}

/** The request's records and scope: a bare event object, a JSON array of events, or {format?, scope?, records|events}. */
function recordsOf(body: unknown, served: string): { records: Array<string | Record<string, unknown>>; scope?: string } {
  if (Array.isArray(body)) {
    const bad = body.findIndex((e) => e === null || typeof e !== 'object' || Array.isArray(e));
    if (bad >= 0) throw badRequest(`[${bad}]: each event must be a JSON object`);
    return { records: body as Array<Record<string, unknown>> };
  }
  if (body === null || typeof body !== 'object') throw badRequest('expected a JSON object or array');
  const obj = body as Record<string, unknown>;
  if (!Array.isArray(obj.records) && !Array.isArray(obj.events)) return { records: [obj] }; // one bare event
  const parsed = Batch.safeParse(obj);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.code === 'unrecognized_keys' ? issue.keys.join(', ') : (issue?.path ?? []).join('.');
    throw badRequest(`${key ? `${key}: ` : ''}${issue?.message ?? 'invalid request'}`);
  }
  const b = parsed.data;
  if (b.format !== undefined && b.format !== served) throw badRequest(`format "${b.format}": the served model reads ${served} records`);
  return { records: b.records ?? b.events ?? [], ...(b.scope !== undefined ? { scope: b.scope } : {}) };
}

export async function handleScore(raw: Buffer, ctx: ScoreRouteContext): Promise<Reply> {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new HttpError(400, 'parse_exception', `request body is not JSON: ${(err as Error).message}`, 'bad_request');
  }
  const { scoring } = ctx;
  const { records, scope = ctx.defaultScope } = recordsOf(body, scoring.adapter.name);
  if (scopeTooLong(scope, ctx.maxScopeBytes)) {
    throw badRequest(`scope: ${Buffer.byteLength(scope)} bytes, longer than history.max_scope_bytes (${ctx.maxScopeBytes})`);
  }
  // The scope is where the entity's history is read: a caller may name what a shipper may write, nothing hidden.
  const refused = scope === ctx.defaultScope ? null : ctx.scopeRefusal(scope);
  if (refused) throw new HttpError(403, 'security_exception', `scope: ${refused}`, 'auth');
  const big = records.findIndex((r) => membersOver(r, ctx.maxRecordKeys));
  if (big >= 0) throw badRequest(`[${big}]: more than ${ctx.maxRecordKeys} keys and array elements (limits.record_keys)`);
  const requests: ScoreRequest[] = records.map((record, i) => ({ record, scope, source: { file: 'request', line: i + 1 } }));
  const started = process.hrtime.bigint();
  let results;
  try {
    results = await scoring.score(requests, { counted: ctx.budgetCounted });
  } catch (err) {
    throw new HttpError(500, 'scorer_exception', `scoring failed: ${(err as Error).message}`, 'scorer');
  }
  const scored = results.filter((r) => r.anomaly_score !== undefined).length;
  ctx.metrics.eventsScored.inc({ route: '/v1/score' }, scored);
  ctx.metrics.eventsUnscored.inc({ route: '/v1/score' }, results.length - scored);
  return json(200, {
    model: scoring.scorer.modelId,
    threshold: scoring.scorer.threshold,
    scope,
    took_ms: Number(process.hrtime.bigint() - started) / 1e6,
    results,
  });
}
