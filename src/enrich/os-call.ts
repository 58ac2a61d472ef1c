// One OpenSearch request for the enricher, retried with backoff on back-pressure and connection loss, with
// failures turned into OpenSearchError naming the operation and index. The client itself comes from
// src/opensearch/client.ts; its own retries are switched off per request so this is the one retry layer.
import type { Client } from '@opensearch-project/opensearch';
import { OpenSearchError } from '../core/errors.js';
import { logger } from '../util/log.js';
import { backoffDelay, isRetryableStatus, sleep, type BackoffPolicy } from './retry.js';

export interface CallSpec {
  /** What the call is for, as it appears in errors and logs, e.g. "bulk update". */
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  path: string;
  querystring?: Record<string, string | number | boolean>;
  body?: unknown;
  /** A ready NDJSON body (for _bulk): text, or already encoded (bulk-body.ts). */
  ndjson?: string | Buffer;
  index?: string;
  /** Statuses returned as results instead of thrown (e.g. 404 on a GET that may miss). */
  ignore?: number[];
}

export interface CallResult {
  status: number;
  body: unknown;
}

/** Observes retries (metrics, tests). */
export type RetryObserver = (operation: string, status: number | undefined, delayMs: number, attempt: number) => void;

interface ClientErrorShape {
  name?: string;
  message?: string;
  meta?: { statusCode?: number; body?: unknown };
}

function statusOf(err: unknown): number | undefined {
  const e = err as ClientErrorShape;
  return typeof e?.meta?.statusCode === 'number' ? e.meta.statusCode : undefined;
}

/** Connection-level failures (reset, refused, timeout) carry no status and are worth another try. */
function isConnectionError(err: unknown): boolean {
  const name = (err as ClientErrorShape)?.name ?? '';
  return name === 'ConnectionError' || name === 'TimeoutError' || name === 'NoLivingConnectionsError';
}

export function reasonOf(body: unknown, fallback: string): string {
  const b = body as { error?: { type?: string; reason?: string; root_cause?: Array<{ type?: string; reason?: string }> } | string } | undefined;
  if (typeof b?.error === 'string') return b.error.slice(0, MAX_REASON);
  const e = b?.error;
  if (!e) return fallback;
  // "all shards failed" says nothing: the root cause (a query that does not parse, a date in a long field) does.
  const root = e.root_cause?.[0];
  const cause = root?.reason && root.reason !== e.reason ? ` (root cause: ${root.type ?? 'error'}: ${root.reason})` : '';
  return `${e.type ?? 'error'}: ${e.reason ?? root?.reason ?? fallback}${cause}`.slice(0, MAX_REASON);
}

/** What to say of a refusal whose answer names no reason (a HEAD answer has no body). */
function noReason(spec: CallSpec, status: number | undefined, message: string): string {
  if (status !== 401 && status !== 403) return message;
  const head = spec.method === 'HEAD' ? ' (a HEAD answer carries no reason)' : '';
  return `${status === 401 ? 'not authenticated' : 'the account lacks the permission'} for ${spec.method} ${spec.path}${head}`;
}

/** An OpenSearch reason quoted in an error, at most (a root cause may quote a whole query or document). */
const MAX_REASON = 600;

export async function call(client: Client, spec: CallSpec, policy: BackoffPolicy, onRetry?: RetryObserver, signal?: AbortSignal): Promise<CallResult> {
  for (let attempt = 0; ; attempt++) {
    let status: number | undefined;
    let failure: unknown;
    try {
      const res = await client.transport.request(
        {
          method: spec.method,
          path: spec.path,
          ...(spec.querystring ? { querystring: spec.querystring } : {}),
          ...(spec.ndjson !== undefined ? { bulkBody: spec.ndjson } : spec.body !== undefined ? { body: spec.body as Record<string, unknown> } : {}),
        },
        { maxRetries: 0, ...(spec.ignore ? { ignore: spec.ignore } : {}) },
      );
      return { status: res.statusCode ?? 200, body: res.body };
    } catch (err) {
      failure = err;
      status = statusOf(err);
      const retryable = isRetryableStatus(status) || (status === undefined && isConnectionError(err));
      if (!retryable || attempt + 1 >= policy.attempts || signal?.aborted) {
        const body = (err as ClientErrorShape).meta?.body;
        throw new OpenSearchError(spec.operation, reasonOf(body, noReason(spec, status, (err as Error).message)), status, spec.index, { cause: failure });
      }
    }
    const delay = backoffDelay(policy, attempt);
    onRetry?.(spec.operation, status, delay, attempt + 1);
    logger.warn({ operation: spec.operation, index: spec.index, status, attempt: attempt + 1, delay_ms: Math.round(delay) }, 'OpenSearch refused the request, retrying');
    await sleep(delay, signal);
  }
}

/**
 * Creates `index` from `body` (its settings and mappings) when it is missing; another process creating it meanwhile
 * is fine. With `migrate`, an existing index gets the mapping's fields it lacks (added in place; OpenSearch refuses
 * a changed type, which comes back as the error). `what` names the index in errors, e.g. "state index".
 */
export async function ensureIndex(client: Client, policy: BackoffPolicy, index: string, what: string, body: { settings?: unknown; mappings: unknown }, migrate = false): Promise<void> {
  const head = await call(client, { operation: `check ${what}`, method: 'HEAD', path: `/${index}`, ignore: [404], index }, policy);
  if (head.status !== 404) {
    if (migrate) await call(client, { operation: `update ${what} mapping`, method: 'PUT', path: `/${index}/_mapping`, body: body.mappings, index }, policy);
    return;
  }
  const res = await call(client, { operation: `create ${what}`, method: 'PUT', path: `/${index}`, body, ignore: [400], index }, policy);
  if (res.status === 400 && !/resource_already_exists_exception/.test(reasonOf(res.body, ''))) throw new OpenSearchError(`create ${what}`, reasonOf(res.body, 'bad request'), 400, index);
}
