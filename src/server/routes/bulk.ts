// POST /_bulk, /{index}/_bulk: score index/create documents, add the anomaly fields and ids, forward to OpenSearch in parts that fit.
import { anomalyError, anomalyPending, type AnomalyFields } from '../../service/anomaly-fields.js';
import type { ScoreRequest, ScoringService } from '../../service/scoring-service.js';
import type { ForwardResponse, OpenSearchHttp } from '../../opensearch/http.js';
import { logger } from '../../util/log.js';
import { withAnomalyFields } from '../anomaly-json.js';
import { actionWithId, duplicateCreateAnswer, generatedId, isDuplicateCreate } from '../bulk-ids.js';
import { answerItems, forwardInParts, type ForwardItem } from '../bulk-forward.js';
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
  /** Give index/create items without _id a fingerprint id (bulk-ids.ts), so retries overwrite. */
  deterministicIds: boolean;
  /** Largest request forwarded; bigger bulks go in parts (bulk.max_forward_bytes). */
  maxForwardBytes: number;
  /** Its events count into the daily budget's window (budget.counted_routes); else they are judged by it only. */
  budgetCounted: boolean;
  /** Items in one bulk at most (bulk.max_items). */
  maxItems: number;
  /** An `index` item naming its `_id` may replace a stored document (bulk.overwrite); else it goes as a `create`. */
  overwrite: boolean;
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

/** What of OpenSearch's bulk answer the proxy reads to line it up with the items (bulk-forward.ts answerItems). */
const NEEDED = ['took', 'errors', 'items.*.status', 'items.*.error', 'items.*._index', 'items.*._id', 'items.*.result'];

/** Whether the shipper's filter_path lets a top-level key of the bulk answer through. */
type Asked = (key: 'took' | 'errors' | 'items') => boolean;

/**
 * The query string forwarded, and which top-level keys of the answer the shipper asked for. A shipper's filter_path
 * (`errors`, `-items`) could leave OpenSearch's answer without the items the proxy must line up with its refusals,
 * its parts and its failed writes: it is forwarded widened to those (its own includes kept, its excludes dropped,
 * since OpenSearch applies excludes first), and an answer the proxy builds keeps only the keys the shipper's filter
 * let through. An answer passed through untouched carries the widened filter's fields: more, never less.
 */
export function forwardedQuery(search: string): { search: string; asked: Asked } {
  const params = new URLSearchParams(search);
  const filter = params.get('filter_path');
  if (filter === null) return { search, asked: () => true };
  const entries = filter.split(',').map((f) => f.trim()).filter((f) => f !== '');
  const includes = entries.filter((f) => !f.startsWith('-'));
  const excludes = entries.filter((f) => f.startsWith('-')).map((f) => f.slice(1));
  const first = (f: string) => f.split('.')[0];
  const asked = (key: string) => !excludes.some((f) => f === key) && (includes.length === 0 || includes.some((f) => first(f) === key || first(f) === '*' || first(f) === '**'));
  params.set('filter_path', [...new Set([...includes, ...NEEDED])].join(','));
  return { search: `?${params.toString()}`, asked };
}

/**
 * Scores the documents; when the scorer itself fails, every document goes out marked anomaly.pending instead (none
 * is lost, and enrich scores them later: a transient failure must not become a permanent anomaly.error).
 */
async function scoreDocs(items: BulkItem[], ctx: BulkRouteContext): Promise<AnomalyFields[]> {
  const requests = items.map(toRequest);
  try {
    return await ctx.scoring.score(requests, { retractable: true, counted: ctx.budgetCounted });
  } catch (err) {
    const reason = `scorer failure: ${(err as Error).message}`;
    log.warn({ err, documents: items.length }, 'forwarding documents unscored');
    return items.map(() => anomalyPending(reason, ctx.scoring.scorer.modelId, new Date().toISOString()));
  }
}

/** A bulk answer for items none of which may be forwarded: each refused, nothing sent to OpenSearch. */
function allRefused(refused: Map<BulkItem, Refusal>, asked: Asked): Reply {
  return answer([...refused].map(([it, refusal]) => refusedItem(it, refusal)), 0, asked);
}

/** A bulk answer the proxy builds, with the keys the shipper's filter_path asked for (forwardedQuery). */
function answer(items: Array<Record<string, unknown>>, took: number, asked: Asked): Reply {
  const body = {
    ...(asked('took') ? { took } : {}),
    ...(asked('errors') ? { errors: items.some((m) => itemStatus(m) >= 300) } : {}),
    ...(asked('items') ? { items } : {}),
  };
  return { status: 200, body: JSON.stringify(body), contentType: 'application/json; charset=UTF-8' };
}

export async function handleBulk(req: BulkRequest, ctx: BulkRouteContext): Promise<Reply> {
  const { text, badLines } = decodeBulkBody(req.body);
  const parsed = parseBulk(text, req.pathIndex, ctx.maxItems);
  const refused = new Map<BulkItem, Refusal>();
  // No item is larger than the request that carries it: in a request within the limit none needs measuring.
  const measure = req.body.length > ctx.maxForwardBytes;
  for (const it of parsed) {
    const bad = badLines.has(it.actionLine) ? it.actionLine : it.source && badLines.has(it.source.line) ? it.source.line : 0;
    if (bad > 0) {
      refused.set(it, { status: 400, type: 'mapper_parsing_exception', reason: `_bulk:${bad}: the line is not valid UTF-8; nothing of this item was written` });
      continue;
    }
    if (it.invalid !== undefined) {
      refused.set(it, { status: 400, type: 'mapper_parsing_exception', reason: it.invalid });
      continue;
    }
    // Refused early, before scoring: it would not fit even without its anomaly fields.
    if (measure && Buffer.byteLength(it.actionText) + (it.source ? Buffer.byteLength(it.source.text) + 2 : 1) > ctx.maxForwardBytes) {
      refused.set(it, tooLargeRefusal(it, ctx.maxForwardBytes));
      continue;
    }
    const reason = ctx.refusal(it);
    if (reason !== null) refused.set(it, policyRefusal(reason));
  }
  if (refused.size > 0) {
    log.warn({ refused: refused.size, first: refused.values().next().value?.reason }, 'bulk items refused');
  }
  const query = forwardedQuery(req.search);
  if (refused.size === parsed.length) return allRefused(refused, query.asked);
  const items = parsed.filter((it) => !refused.has(it));
  const targets = items.filter(scorable);
  const fields = await scoreDocs(targets, ctx);
  const byItem = new Map<BulkItem, AnomalyFields>();
  targets.forEach((it, i) => byItem.set(it, fields[i]!));
  const scored = fields.filter((f) => f.anomaly_score !== undefined).length;
  ctx.metrics.eventsScored.inc({ route: ROUTE }, scored);
  ctx.metrics.eventsUnscored.inc({ route: ROUTE }, fields.length - scored);

  const ids = new Map<BulkItem, string>();
  if (ctx.deterministicIds) {
    for (const it of items) {
      const id = generatedId(it);
      if (id !== null) ids.set(it, id);
    }
  }
  // A shipper adds events; replacing a stored one (an `index` of an _id that exists) is an update, which the proxy
  // allows only with bulk.overwrite: without it such an item goes as a `create`, and OpenSearch refuses it with 409
  // where the document exists. Items without _id (ids generated from their bytes) still overwrite their own copy.
  const asCreate = new Set<BulkItem>(ctx.overwrite ? [] : items.filter((it) => it.action === 'index' && !ids.has(it) && it.meta._id !== undefined && it.meta._id !== null));
  const forwardItems: ForwardItem[] = items.map((it) => ({
    item: it,
    render: () => {
      const action = ids.has(it) ? actionWithId(it, ids.get(it)!) : asCreate.has(it) ? JSON.stringify({ create: it.meta }) : it.actionText;
      if (!it.source) return `${action}\n`;
      const f = byItem.get(it);
      return `${action}\n${f ? withAnomalyFields(it.source.text, it.source.doc, f) : it.source.text}\n`;
    },
  }));
  const started = process.hrtime.bigint();
  // Scored events whose write failed leave the history: the shipper sends them again (or drops them), and a
  // retry must see the history a clean first attempt would have seen, not one that already holds them.
  const forgetScored = (failed: readonly BulkItem[]) => {
    const scoredItems = failed.filter((it) => byItem.get(it)?.anomaly_score !== undefined);
    ctx.scoring.forget(scoredItems.map(toRequest), scoredItems.map((it) => byItem.get(it)));
  };
  const outcome = await forwardInParts(forwardItems, {
    opensearch: ctx.opensearch, path: req.path + query.search, maxBytes: ctx.maxForwardBytes,
    headers: { ...req.headers, 'content-type': 'application/x-ndjson' },
    // the shipper's bytes and the anomaly fields, compact below the explain threshold (~250 bytes)
    sizeHint: req.body.length + 256 * targets.length,
  });
  ctx.metrics.forwardSeconds.observe(undefined, Number(process.hrtime.bigint() - started) / 1e9);
  for (const it of outcome.tooLarge) refused.set(it, tooLargeRefusal(it, ctx.maxForwardBytes));
  if (outcome.kind !== 'answered') {
    forgetScored(targets);
    if (outcome.part > 0) log.warn({ written_parts: outcome.part }, 'a later part of a split bulk failed; the parts before it were written');
    if (outcome.kind === 'status') {
      // OpenSearch's answer, status and body untouched: the shipper retries or logs it as it would OpenSearch's.
      const res = outcome.response;
      return { status: res.status, body: res.body, contentType: res.contentType ?? 'application/json; charset=UTF-8' };
    }
    const err = outcome.error;
    // Never acknowledge what was not written; never claim nothing was written when OpenSearch may have written it.
    const reason = outcome.part === 0 && err.notSent
      ? `bulk not forwarded, nothing written: ${err.message}`
      : `bulk forwarded${outcome.part > 0 ? ` in parts, ${outcome.part} of them written,` : ''} but not answered: OpenSearch may have written some or all of it; ${ctx.deterministicIds ? 'a retry overwrites those documents (bulk.deterministic_ids)' : 'a retry may duplicate documents without _id (bulk.deterministic_ids is off)'}: ${err.message}`;
    throw new HttpError(err.httpStatus, err.httpStatus === 504 ? 'timeout_exception' : 'connect_exception', reason, 'upstream', {}, ctx.closeOnUpstreamFailure);
  }
  forgetScored(outcome.tooLarge);
  // No item failed: none to forget, no create can be a duplicate, so OpenSearch's whole answer goes back untouched
  // without parsing it (its ~100 bytes per item were the proxy's second JSON.parse of every document).
  if (outcome.only && outcome.clean && refused.size === 0 && asCreate.size === 0) {
    return passThrough(outcome.only);
  }
  const sent = items.filter((it) => !refused.has(it));
  const { answers, took } = answerItems(outcome);
  if (answers === null) {
    if (outcome.only && refused.size === 0 && asCreate.size === 0) return passThrough(outcome.only);
    // Written, but the answer cannot be lined up with the items: an error, which the shipper retries idempotently.
    throw new HttpError(502, 'bad_gateway_exception', 'OpenSearch took the bulk but its answer does not list one item per action; some or all of it may be written', 'upstream');
  }
  const answerOf = new Map<BulkItem, Record<string, unknown>>();
  let duplicates = 0;
  sent.forEach((it, i) => {
    const answer = answers[i]!;
    if (ids.has(it) && isDuplicateCreate(it, answer)) {
      duplicates += 1;
      answerOf.set(it, duplicateCreateAnswer(answer));
    } else if (asCreate.has(it)) answerOf.set(it, asIndexAnswer(answer));
    else answerOf.set(it, answer);
  });
  const failed = sent.filter((it) => itemStatus(answerOf.get(it)!) >= 300);
  forgetScored(failed);
  if (failed.length > 0) {
    // OpenSearch refused them (a mapping conflict with the anomaly fields, a write block, a full disk): the shipper
    // sees the items' errors, the operator this line and the counter
    const byStatus = new Map<number, number>();
    for (const it of failed) {
      const status = itemStatus(answerOf.get(it)!);
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    }
    for (const [status, n] of byStatus) ctx.metrics.itemsFailed.inc({ status: String(status) }, n);
    const first = Object.values(answerOf.get(failed[0]!)!)[0] as { _index?: unknown; status?: unknown; error?: { type?: unknown; reason?: unknown } };
    log.warn({ failed: failed.length, of: sent.length, first: { index: first._index, status: first.status, type: first.error?.type, reason: String(first.error?.reason ?? '').slice(0, 300) } }, 'OpenSearch did not write some bulk items');
  }
  if (duplicates > 0) log.info({ duplicates }, 'creates of documents already written (same index and bytes) answered as noop');
  // OpenSearch's answer untouched when it is the whole answer: per-item errors stay visible as they were.
  if (outcome.only && refused.size === 0 && duplicates === 0 && asCreate.size === 0) {
    return passThrough(outcome.only);
  }
  return answer(parsed.map((it) => (refused.has(it) ? refusedItem(it, refused.get(it)!) : answerOf.get(it)!)), took, query.asked);
}

/**
 * OpenSearch's answer to an `index` item sent as a `create`, under the shipper's action: its 409 where the document
 * exists says why the proxy did not replace it.
 */
function asIndexAnswer(answer: Record<string, unknown>): Record<string, unknown> {
  const result = (answer.create ?? Object.values(answer)[0]) as Record<string, unknown> & { status?: unknown; error?: Record<string, unknown> };
  if (result?.status === 409 && result.error) {
    return { index: { ...result, error: { ...result.error, reason: `${String(result.error.reason ?? 'document exists')}: the SeqSentry proxy lets a shipper add events, not replace stored ones (bulk.overwrite)` } } };
  }
  return { index: result };
}

/** The status of one bulk answer item (`{"index":{"status":201,...}}`), 0 when it has none. */
function itemStatus(answer: Record<string, unknown>): number {
  const status = (Object.values(answer)[0] as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : 0;
}

const tooLargeRefusal = (it: BulkItem, limit: number): Refusal => ({
  status: 413,
  type: 'content_too_long_exception',
  reason: `_bulk:${it.actionLine}: this item alone is larger than the largest request OpenSearch takes (bulk.max_forward_bytes = ${limit} bytes); it was not written`,
});

/** OpenSearch's own answer, returned to the shipper byte for byte. */
function passThrough(res: ForwardResponse): Reply {
  return { status: 200, body: res.body, contentType: res.contentType ?? 'application/json; charset=UTF-8' };
}
