// POST /_bulk, /{index}/_bulk: score index/create documents, add the anomaly fields, forward to OpenSearch as is.
import { anomalyError, type AnomalyFields } from '../../service/anomaly-fields.js';
import type { ScoreRequest, ScoringService } from '../../service/scoring-service.js';
import { OpenSearchUnreachableError, type OpenSearchHttp } from '../../opensearch/http.js';
import { logger } from '../../util/log.js';
import { withAnomalyFields } from '../anomaly-json.js';
import { decodeBulkBody, parseBulk, type BulkItem } from '../bulk-ndjson.js';
import { policyRefusal, refusedItem, type BulkRefusal, type Refusal } from '../bulk-policy.js';
import { HttpError, type Reply } from '../http-errors.js';
import type { ServerMetrics } from '../metrics.js';

export interface BulkRouteContext {
  scoring: ScoringService;
  opensearch: OpenSearchHttp;
  metrics: ServerMetrics;
  /** Close the connection rather than answer 502/504 when OpenSearch cannot take the bulk. */
  closeOnUpstreamFailure: boolean;
  /** Why an item may not be forwarded (least privilege, bulk-policy.ts), or null when it may. */
  refusal: BulkRefusal;
}

export interface BulkRequest {
  body: Buffer;
  /** Path as received (still URL-encoded), e.g. `/logs/_bulk`. */
  path: string;
  /** Query string as received, with its `?`, passed through (`?refresh=`, `?pipeline=`...). */
  search: string;
  /** The index in the path, decoded; the default for actions without _index. */
  pathIndex: string | undefined;
  /** Request headers forwarded to OpenSearch. */
  headers: Record<string, string>;
}

const log = logger.child({ component: 'bulk-proxy' });
const ROUTE = '/_bulk';

const scorable = (it: BulkItem): boolean => (it.action === 'index' || it.action === 'create') && it.index !== undefined && it.source !== undefined;

const toRequest = (it: BulkItem): ScoreRequest => ({ record: it.source!.doc, scope: it.index!, source: { file: '_bulk', line: it.source!.line } });

/** Scores the documents; when the scorer itself fails, every document gets anomaly.error instead (none is lost). */
async function scoreDocs(items: BulkItem[], ctx: BulkRouteContext): Promise<AnomalyFields[]> {
  const requests = items.map(toRequest);
  try {
    return await ctx.scoring.score(requests);
  } catch (err) {
    const reason = `scorer failure: ${(err as Error).message}`;
    log.warn({ err, documents: items.length }, 'forwarding documents unscored');
    return items.map(() => anomalyError(reason, ctx.scoring.scorer.modelId, new Date().toISOString()));
  }
}

/** A bulk answer for items none of which may be forwarded: each refused, nothing sent to OpenSearch. */
function allRefused(refused: Map<BulkItem, Refusal>): Reply {
  const items = [...refused].map(([it, refusal]) => refusedItem(it, refusal));
  return { status: 200, body: JSON.stringify({ took: 0, errors: true, items }), contentType: 'application/json; charset=UTF-8' };
}

/**
 * Puts the refused items back at their places among OpenSearch's answers, so the shipper sees one item per action
 * in the order it sent them. An answer that is not a bulk response (an error status) is returned as is.
 */
function mergeRefused(all: readonly BulkItem[], refused: Map<BulkItem, Refusal>, res: { status: number; body: Buffer | string }): string | null {
  if (res.status !== 200) return null;
  let parsed: { items?: unknown[]; errors?: boolean } & Record<string, unknown>;
  try {
    parsed = JSON.parse(res.body.toString()) as typeof parsed;
  } catch {
    return null;
  }
  if (!Array.isArray(parsed.items) || parsed.items.length !== all.length - refused.size) return null;
  const answered = parsed.items[Symbol.iterator]();
  const items = all.map((it) => (refused.has(it) ? refusedItem(it, refused.get(it)!) : answered.next().value));
  return JSON.stringify({ ...parsed, errors: true, items });
}

export async function handleBulk(req: BulkRequest, ctx: BulkRouteContext): Promise<Reply> {
  const { text, badLines } = decodeBulkBody(req.body);
  const parsed = parseBulk(text, req.pathIndex);
  const refused = new Map<BulkItem, Refusal>();
  for (const it of parsed) {
    const bad = badLines.has(it.actionLine) ? it.actionLine : it.source && badLines.has(it.source.line) ? it.source.line : 0;
    if (bad > 0) {
      refused.set(it, { status: 400, type: 'mapper_parsing_exception', reason: `_bulk:${bad}: the line is not valid UTF-8; nothing of this item was written` });
      continue;
    }
    const reason = ctx.refusal(it);
    if (reason !== null) refused.set(it, policyRefusal(reason));
  }
  if (refused.size > 0) {
    log.warn({ refused: refused.size, first: refused.values().next().value?.reason }, 'bulk items refused');
  }
  if (refused.size === parsed.length) return allRefused(refused);
  const items = parsed.filter((it) => !refused.has(it));
  const targets = items.filter(scorable);
  const fields = await scoreDocs(targets, ctx);
  const byItem = new Map<BulkItem, AnomalyFields>();
  targets.forEach((it, i) => byItem.set(it, fields[i]!));
  const scored = fields.filter((f) => f.anomaly_score !== undefined).length;
  ctx.metrics.eventsScored.inc({ route: ROUTE }, scored);
  ctx.metrics.eventsUnscored.inc({ route: ROUTE }, fields.length - scored);

  const lines: string[] = [];
  for (const it of items) {
    lines.push(it.actionText);
    if (!it.source) continue;
    const f = byItem.get(it);
    lines.push(f ? withAnomalyFields(it.source.text, it.source.doc, f) : it.source.text);
  }
  const started = process.hrtime.bigint();
  // Scored events whose write failed leave the history: the shipper sends them again (or drops them), and a
  // retry must see the history a clean first attempt would have seen, not one that already holds them.
  const forgetScored = (failed: readonly BulkItem[]) =>
    ctx.scoring.forget(failed.filter((it) => byItem.get(it)?.anomaly_score !== undefined).map(toRequest));
  try {
    const res = await ctx.opensearch.request({
      method: 'POST',
      path: req.path + req.search,
      headers: { ...req.headers, 'content-type': 'application/x-ndjson' },
      body: lines.join('\n') + '\n',
    });
    ctx.metrics.forwardSeconds.observe(undefined, Number(process.hrtime.bigint() - started) / 1e9);
    if (res.status >= 300) forgetScored(targets);
    else forgetScored(failedItems(items, res.body));
    // OpenSearch's answer, status and body untouched (refused items merged in): per-item errors stay visible.
    const merged = refused.size > 0 ? mergeRefused(parsed, refused, res) : null;
    return { status: res.status, body: merged ?? res.body, contentType: res.contentType ?? 'application/json; charset=UTF-8' };
  } catch (err) {
    if (!(err instanceof OpenSearchUnreachableError)) throw err;
    forgetScored(targets);
    // Never acknowledge what was not written: the shipper gets an error status and retries.
    throw new HttpError(err.httpStatus, err.httpStatus === 504 ? 'timeout_exception' : 'connect_exception', `bulk not forwarded, nothing written: ${err.message}`, 'upstream', {}, ctx.closeOnUpstreamFailure);
  }
}

/** The forwarded items OpenSearch answered with a failure status in a 200 bulk response (none if it has no items). */
function failedItems(forwarded: readonly BulkItem[], body: Buffer): BulkItem[] {
  let items: unknown;
  try {
    items = (JSON.parse(body.toString()) as { items?: unknown }).items;
  } catch {
    return [];
  }
  if (!Array.isArray(items) || items.length !== forwarded.length) return [];
  return forwarded.filter((_, i) => {
    const answer = items[i] as Record<string, { status?: unknown }> | undefined;
    const status = answer ? Object.values(answer)[0]?.status : undefined;
    return typeof status === 'number' && status >= 300;
  });
}
