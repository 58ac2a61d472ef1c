// Writes scores back in `_bulk`, each item guarded by the _seq_no/_primary_term the event was read with: the whole
// document (the read _source plus the anomaly fields) with an `index` action where the event came with its source and
// its index allows it (write-path.ts), else a partial `update` of anomaly_score and anomaly.* only. Per-item outcomes
// are all accounted for: applied, already scored by someone else, gone, or failed with a reason; none is dropped silently.
import type { Client } from '@opensearch-project/opensearch';
import { z } from 'zod';
import { OpenSearchError } from '../core/errors.js';
import type { AnomalyFields } from '../service/anomaly-fields.js';
import { logger } from '../util/log.js';
import { bulkBody, type BulkItem as Item } from './bulk-body.js';
import { call, type RetryObserver } from './os-call.js';
import { backoffDelay, sleep, type BackoffPolicy } from './retry.js';
import { wholeDocument } from './whole-document.js';
import { WritePaths } from './write-path.js';

export interface ScoredUpdate {
  index: string;
  id: string;
  seqNo: number;
  primaryTerm: number;
  fields: AnomalyFields;
  /** The event's _source as read at seqNo: given, the writer may write the whole document back instead of a partial update. */
  source?: Record<string, unknown>;
}

export interface ItemFailure {
  index: string;
  id: string;
  status: number;
  reason: string;
}

export interface WriteOutcome {
  /** Updates applied by this call. */
  updated: number;
  /** Of those, written as whole documents (`index` actions) rather than partial updates. */
  indexed: number;
  /** Of those, updates that recorded anomaly.error (unreadable events) rather than a score. */
  updatedErrors: number;
  /** Events another writer scored first (found on re-reading a version conflict): not written again. */
  alreadyScored: number;
  /** Events deleted since they were read. */
  gone: number;
  /** Updates that could not be applied, with OpenSearch's reason. */
  failed: ItemFailure[];
  /** Items sent again after a per-item 429 or a version conflict. */
  itemRetries: number;
}

export interface WriterOptions {
  backoff: BackoffPolicy;
  onRetry?: RetryObserver;
  /** Write events that carry their source as whole documents where their index allows it (default: partial updates only). */
  wholeDocuments?: boolean;
  /** Characters of whole documents in one bulk request at most (default MAX_WHOLE_CHARS). */
  maxWholeChars?: number;
}

/**
 * Characters of whole documents in one bulk request at most. A page of partial updates stays small whatever the
 * events hold; whole documents carry them, and a page of 10,000 large events (Windows XML, long messages) would pass
 * OpenSearch's http.max_content_length (100 MB), so a page goes in several requests past this (at most 3 bytes a
 * character in UTF-8: 24 MB). A document larger than it alone goes as a partial update.
 */
export const MAX_WHOLE_CHARS = 8 * 1024 * 1024;
/** What a partial update is counted as against that budget (its anomaly fields: a few hundred bytes). */
const PARTIAL_CHARS = 1024;

/** `items` in order, in parts whose whole documents fit `maxChars` together. */
function* parts(items: Item[], maxChars: number): Generator<Item[]> {
  let part: Item[] = [];
  let chars = 0;
  for (const item of items) {
    const size = item.whole?.length ?? PARTIAL_CHARS;
    if (part.length > 0 && chars + size > maxChars) {
      yield part;
      part = [];
      chars = 0;
    }
    part.push(item);
    chars += size;
  }
  if (part.length > 0) yield part;
}

const BulkSchema = z.object({
  errors: z.boolean(),
  items: z.array(
    z.record(
      z.string(),
      z.object({ _index: z.string().optional(), _id: z.string().optional(), status: z.number(), error: z.object({ type: z.string().optional(), reason: z.string().nullish() }).passthrough().optional() }).passthrough(),
    ),
  ),
});

const MgetSchema = z.object({
  docs: z.array(
    z.object({
      _index: z.string(),
      _id: z.string(),
      found: z.boolean().optional(),
      _seq_no: z.number().optional(),
      _primary_term: z.number().optional(),
      _source: z.record(z.string(), z.unknown()).optional(),
      error: z.unknown().optional(),
    }).passthrough(),
  ),
});

/** Failed writes of one page logged one by one; the rest are counted, with their distinct reasons. */
const FAILURES_LOGGED = 10;

/**
 * The parts of a bulk answer the writer reads: per item its status and error, and a whole-request error. OpenSearch
 * otherwise answers about 200 bytes per item (_version, result, _shards, …) that would be parsed and dropped.
 */
export const BULK_FILTER_PATH = 'errors,error,items.*.status,items.*.error.type,items.*.error.reason';

function isScored(source: Record<string, unknown> | undefined): boolean {
  if (!source) return false;
  const anomaly = source.anomaly as Record<string, unknown> | undefined;
  return source.anomaly_score !== undefined || source['anomaly.error'] !== undefined || (anomaly !== undefined && anomaly.error !== undefined);
}

export class AnomalyWriter {
  private readonly paths: WritePaths | null;
  private readonly maxWholeChars: number;

  constructor(private readonly client: Client, private readonly options: WriterOptions) {
    this.paths = options.wholeDocuments ? new WritePaths(client, options.backoff, options.onRetry) : null;
    this.maxWholeChars = options.maxWholeChars ?? MAX_WHOLE_CHARS;
  }

  /** Each update as it is sent first: whole where it carries its source, its index allows it and the source round-trips. */
  private async items(updates: readonly ScoredUpdate[]): Promise<Item[]> {
    const withSource = this.paths ? updates.filter((u) => u.source !== undefined) : [];
    if (!this.paths || withSource.length === 0) return updates.map((u) => ({ u, whole: null }));
    const paths = await this.paths.of(withSource.map((u) => u.index));
    return updates.map((u) => {
      const whole = u.source !== undefined && paths.get(u.index)?.action === 'index' ? wholeDocument(u.source, u.fields) : null;
      return { u, whole: whole !== null && whole.length <= this.maxWholeChars ? whole : null };
    });
  }

  /** Applies every update or accounts for why not; throws only when a whole request fails for good. */
  async write(updates: readonly ScoredUpdate[]): Promise<WriteOutcome> {
    const outcome: WriteOutcome = { updated: 0, indexed: 0, updatedErrors: 0, alreadyScored: 0, gone: 0, failed: [], itemRetries: 0 };
    const { backoff, onRetry } = this.options;
    let todo = await this.items(updates);
    for (let attempt = 0; todo.length > 0; attempt++) {
      const again: Item[] = [];
      const conflicts: ScoredUpdate[] = [];
      for (const part of parts(todo, this.maxWholeChars)) await this.send(part, outcome, again, conflicts);
      // The event changed since it was read, so its read source is stale: it goes again as a partial update, which
      // merges into whatever is stored then.
      if (conflicts.length > 0) again.push(...(await this.reread(conflicts, outcome)).map((u) => ({ u, whole: null })));
      todo = again;
      if (todo.length === 0) break;
      if (attempt + 1 >= backoff.attempts) {
        for (const { u } of todo) outcome.failed.push({ index: u.index, id: u.id, status: 429, reason: `still refused or conflicting after ${backoff.attempts} bulk attempts` });
        break;
      }
      outcome.itemRetries += todo.length;
      const delay = backoffDelay(backoff, attempt);
      onRetry?.('bulk update items', 429, delay, attempt + 1);
      logger.warn({ items: todo.length, attempt: attempt + 1, delay_ms: Math.round(delay) }, 'bulk items refused or conflicting, retrying them');
      await sleep(delay);
    }
    // Bounded: a page of events an index refuses alike (a strict mapping) is one reason, not thousands of lines.
    for (const f of outcome.failed.slice(0, FAILURES_LOGGED)) logger.error({ index: f.index, id: f.id, status: f.status, reason: f.reason }, 'could not write anomaly fields');
    if (outcome.failed.length > FAILURES_LOGGED) {
      const reasons = [...new Set(outcome.failed.slice(FAILURES_LOGGED).map((f) => f.reason))].slice(0, 3);
      logger.error({ more: outcome.failed.length - FAILURES_LOGGED, reasons }, 'could not write anomaly fields of more events of this page (not listed one by one)');
    }
    return outcome;
  }

  /** One bulk request of `part`; each item is counted in `outcome`, or queued in `again` (429) or `conflicts` (409). */
  private async send(part: Item[], outcome: WriteOutcome, again: Item[], conflicts: ScoredUpdate[]): Promise<void> {
    const { backoff, onRetry } = this.options;
    const res = await call(this.client, { operation: 'bulk update', method: 'POST', path: '/_bulk', querystring: { filter_path: BULK_FILTER_PATH }, ndjson: bulkBody(part) }, backoff, onRetry);
    const parsed = BulkSchema.safeParse(res.body);
    if (!parsed.success || parsed.data.items.length !== part.length) {
      throw new OpenSearchError('bulk update', `unexpected answer (${parsed.success ? `${parsed.data.items.length} items for ${part.length} actions` : parsed.error.issues[0]?.message})`, res.status);
    }
    parsed.data.items.forEach((entry, i) => {
      const sent = part[i] as Item;
      const u = sent.u;
      const item = entry.update ?? entry.index ?? Object.values(entry)[0];
      const status = item?.status ?? 0;
      if (status >= 200 && status < 300) {
        outcome.updated += 1;
        if (sent.whole !== null) outcome.indexed += 1;
        if (u.fields.anomaly_score === undefined) outcome.updatedErrors += 1;
      }
      // Refused for back-pressure: the same item again (a changed event would now answer 409).
      else if (status === 429) again.push(sent);
      // An `index` action on a deleted event answers 409 (no document at that seq_no), not 404: the re-read tells.
      else if (status === 409) conflicts.push(u);
      else if (status === 404 && item?.error?.type === 'document_missing_exception') outcome.gone += 1;
      else outcome.failed.push({ index: u.index, id: u.id, status, reason: `${item?.error?.type ?? 'error'}: ${item?.error?.reason ?? 'no reason given'}` });
    });
  }

  /**
   * A version conflict means the event changed since it was read. Re-read it (realtime): scored meanwhile →
   * leave it; otherwise write the same fields again under the new seq_no/primary_term.
   */
  private async reread(conflicts: ScoredUpdate[], outcome: WriteOutcome): Promise<ScoredUpdate[]> {
    const res = await call(
      this.client,
      {
        operation: 're-read conflicting events',
        method: 'POST',
        path: '/_mget',
        body: { docs: conflicts.map((u) => ({ _index: u.index, _id: u.id, _source: ['anomaly_score', 'anomaly.error', 'anomaly'] })) },
      },
      this.options.backoff,
      this.options.onRetry,
    );
    const parsed = MgetSchema.safeParse(res.body);
    if (!parsed.success || parsed.data.docs.length !== conflicts.length) throw new OpenSearchError('re-read conflicting events', 'unexpected _mget answer', res.status);
    const retry: ScoredUpdate[] = [];
    parsed.data.docs.forEach((doc, i) => {
      const u = conflicts[i] as ScoredUpdate;
      if (doc.error !== undefined) outcome.failed.push({ index: u.index, id: u.id, status: 0, reason: `re-read failed: ${JSON.stringify(doc.error)}` });
      else if (!doc.found) outcome.gone += 1;
      else if (isScored(doc._source)) outcome.alreadyScored += 1;
      else if (doc._seq_no === undefined || doc._primary_term === undefined) outcome.failed.push({ index: u.index, id: u.id, status: 409, reason: 're-read gave no _seq_no' });
      else retry.push({ index: u.index, id: u.id, fields: u.fields, seqNo: doc._seq_no, primaryTerm: doc._primary_term });
    });
    return retry;
  }
}
