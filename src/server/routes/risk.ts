// POST /v1/risk: one login from an authentication server, answered with a risk score in [0, 1] (the served model's
// anomaly_score). Two request shapes:
// - the login-risk services' own, exactly `{"userAgent","timestamp" (ns),"userID","location" (IP)}`, answered exactly
//   `{"riskScore": r}` so that an existing client can point at the sidecar unchanged;
// - any one login record the served adapter reads (weblogin: `outcome`, `app`, ECS names...), answered with the
//   score and the explanation as /v1/score gives it: the fields that made the login unusual (in full, with the value
//   the model expected, from explanation.full_above; the top field's name below it).
import { z } from 'zod';
import type { AnomalyFields } from '../../service/anomaly-fields.js';
import type { ScoringService } from '../../service/scoring-service.js';
import { HttpError, json, type Reply } from '../http-errors.js';
import type { ServerMetrics } from '../metrics.js';

/** A login is a few hundred bytes; the route reads at most this much whatever max_body_bytes allows. */
export const RISK_MAX_BODY_BYTES = 16 * 1024;
/** Limits of the login-risk shape's values (a real user agent is a few hundred characters). */
export const RISK_LIMITS = Object.freeze({ userID: 256, userAgent: 1024, location: 64, keys: 64 });

const SEED_KEYS = ['userAgent', 'timestamp', 'userID', 'location'] as const;

const SeedLogin = z
  .object({
    userAgent: z.string().max(RISK_LIMITS.userAgent),
    // nanoseconds since the epoch: beyond 2^53, so a number is not a safe integer (its sub-microsecond part is lost,
    // which a login's time does not need) and a digit string is as welcome
    timestamp: z.union([z.number().nonnegative().finite(), z.string().regex(/^\d{1,20}$/, 'expected nanoseconds since the epoch as digits')]),
    userID: z.string().min(1).max(RISK_LIMITS.userID),
    location: z.string().min(1).max(RISK_LIMITS.location),
  })
  .strict();

export interface RiskRouteContext {
  scoring: ScoringService;
  metrics: ServerMetrics;
  defaultScope: string;
  /** Its events count into the daily budget's window (budget.counted_routes); else they are judged by it only. */
  budgetCounted: boolean;
}

function badRequest(reason: string): HttpError {
  return new HttpError(400, 'illegal_argument_exception', reason, 'bad_request');
}

/** The body as one login record, and whether it is the login-risk shape (every key one of SEED_KEYS). */
function loginOf(raw: Buffer): { record: Record<string, unknown>; seed: boolean } {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new HttpError(400, 'parse_exception', `request body is not JSON: ${(err as Error).message}`, 'bad_request');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('expected one login as a JSON object');
  const keys = Object.keys(body);
  if (keys.length === 0) throw badRequest(`empty login: send ${SEED_KEYS.join(', ')} (or a login record the served adapter reads)`);
  if (keys.length > RISK_LIMITS.keys) throw badRequest(`${keys.length} keys: a login has at most ${RISK_LIMITS.keys}`);
  const seed = keys.every((k) => (SEED_KEYS as readonly string[]).includes(k));
  if (!seed) return { record: body as Record<string, unknown>, seed };
  const parsed = SeedLogin.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badRequest(`${(issue?.path ?? []).join('.') || '(body)'}: ${issue?.message ?? 'invalid login'}`);
  }
  return { record: parsed.data, seed };
}

/** What the scorer answered, as a reply: the score, or 400 for a login the adapter cannot read, 503 when it may retry. */
function replyOf(out: AnomalyFields, seed: boolean, scoring: ScoringService): Reply {
  const { anomaly } = out;
  if (out.anomaly_score === undefined) {
    if (anomaly.error !== undefined) throw badRequest(anomaly.error);
    throw new HttpError(503, 'unavailable_exception', `not scored, retry: ${anomaly.pending ?? 'unknown reason'}`, 'internal', { 'retry-after': '1' });
  }
  if (seed) return json(200, { riskScore: out.anomaly_score });
  return json(200, {
    riskScore: out.anomaly_score,
    isAnomaly: anomaly.is_anomaly,
    threshold: scoring.scorer.threshold,
    model: anomaly.model,
    ...(anomaly.reason !== undefined ? { reason: anomaly.reason } : {}),
    fields: anomaly.fields,
  });
}

export async function handleRisk(raw: Buffer, ctx: RiskRouteContext): Promise<Reply> {
  const { record, seed } = loginOf(raw);
  let results: AnomalyFields[];
  try {
    // now: the login is happening while its user waits on the answer, so it is not held for the reordering window
    results = await ctx.scoring.score([{ record, scope: ctx.defaultScope, source: { file: 'request', line: 1 }, now: true }], { counted: ctx.budgetCounted });
  } catch (err) {
    throw new HttpError(500, 'scorer_exception', `scoring failed: ${(err as Error).message}`, 'scorer');
  }
  const out = results[0] as AnomalyFields;
  const scored = out.anomaly_score !== undefined ? 1 : 0;
  ctx.metrics.eventsScored.inc({ route: '/v1/risk' }, scored);
  ctx.metrics.eventsUnscored.inc({ route: '/v1/risk' }, 1 - scored);
  return replyOf(out, seed, ctx.scoring);
}
