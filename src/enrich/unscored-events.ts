// Reads unscored events page by page: a point in time (PIT) over the index pattern, walked with search_after
// in the order of eventSort(), the next page fetched while the caller works on the current one. Pages end between
// two event times.
import type { Client } from '@opensearch-project/opensearch';
import { z } from 'zod';
import { OpenSearchError } from '../core/errors.js';
import { logger } from '../util/log.js';
import { call, reasonOf, type RetryObserver } from './os-call.js';
import { pageBody, type SortValues } from './query.js';
import type { BackoffPolicy } from './retry.js';

export interface EventHit {
  index: string;
  id: string;
  seqNo: number;
  primaryTerm: number;
  sort: SortValues;
  source: Record<string, unknown>;
}

export interface EventPage {
  hits: EventHit[];
  /** Sort values of the page's last hit: where the next page (or a restart) continues. */
  last: SortValues;
  /** Unscored events in the window when the walk began (first page only). */
  total?: number;
}

export interface ReaderOptions {
  pattern: string;
  /** Concrete indices of the pattern left out of the walk (`nonDateIndices`: their time field is not a date). */
  exclude?: readonly string[];
  sinceMath: string;
  /** The event time field (query.ts timeFieldOf): the walk's order and window. */
  timeField: string;
  pageSize: number;
  /** PIT keep-alive, renewed by every page request. */
  keepAlive: string;
  backoff: BackoffPolicy;
  onRetry?: RetryObserver;
  /** Another query than the unscored events (train --from-index); the order and paging stay the same. */
  query?: Record<string, unknown>;
}

const HitSchema = z.object({
  _index: z.string(),
  _id: z.string(),
  _seq_no: z.number().int(),
  _primary_term: z.number().int(),
  sort: z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])),
  // An object is all the walk needs to know of a source (the adapter reads its fields and names what is wrong):
  // z.record would visit every field of every event of every page.
  _source: z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { message: 'expected an object' }),
});

const PageSchema = z.object({
  pit_id: z.string().optional(),
  _shards: z.object({ failed: z.number().optional(), failures: z.array(z.unknown()).optional() }).passthrough().optional(),
  hits: z.object({
    total: z.object({ value: z.number() }).passthrough().optional(),
    hits: z.array(HitSchema),
  }),
});

const PitSchema = z.object({ pit_id: z.string() });

/** A PIT that is gone (expired, or its node restarted) answers 404 with search_context_missing_exception. */
function pitLost(err: unknown): boolean {
  return err instanceof OpenSearchError && err.status === 404 && /search_context_missing|No search context/i.test(err.message);
}

/** Hits of one time a page is extended to at most, before it is cut inside the time anyway. */
const MAX_TIE_HITS = 100_000;

/**
 * Where the hits of the last time begin (0: all hits are of one time). The hits from there on are left to the next
 * page, so that events of one time are scored together, in canonical order, not split by where a page ends (the
 * scorer orders within a call only).
 */
function lastTimeStarts(hits: EventHit[]): number {
  const time = hits.at(-1)?.sort[0];
  let end = hits.length;
  while (end > 0 && hits[end - 1]!.sort[0] === time) end -= 1;
  return end;
}

export class UnscoredEventReader {
  private pitId: string | null = null;

  constructor(private readonly client: Client, private readonly options: ReaderOptions) {}

  /** A new PIT, or null when a wildcard pattern matches no index yet (nothing to read, not an error). */
  private async openPit(): Promise<string | null> {
    const { pattern, exclude = [], keepAlive, backoff, onRetry } = this.options;
    const target = [pattern, ...exclude.map((index) => `-${index}`)].map(encodeURIComponent).join(',');
    const res = await call(
      this.client,
      { operation: 'create point in time', method: 'POST', path: `/${target}/_search/point_in_time`, querystring: { keep_alive: keepAlive }, index: pattern, ignore: [400, 404] },
      backoff,
      onRetry,
    );
    if (res.status === 404) {
      // A name without a wildcard is not matched by an exclusion: OpenSearch looks for an index named "-name". That
      // index was left out, so there is nothing to read.
      const reason = reasonOf(res.body, 'not found');
      if (exclude.some((index) => reason.includes(`[-${index}]`))) return null;
      throw new OpenSearchError('create point in time', reason, 404, pattern);
    }
    if (res.status === 400) {
      // OpenSearch 2.19 answers a pattern matching no index with 400 "invalid id: [null]" (also when every index it
      // matches is left out).
      const reason = reasonOf(res.body, 'bad request');
      if ((pattern.includes('*') || exclude.length > 0) && /invalid id: \[null\]/.test(reason)) {
        logger.info({ index: pattern }, 'no index matches the pattern yet');
        return null;
      }
      throw new OpenSearchError('create point in time', reason, 400, pattern);
    }
    const parsed = PitSchema.safeParse(res.body);
    if (!parsed.success) throw new OpenSearchError('create point in time', `unexpected answer: ${parsed.error.issues[0]?.message ?? ''}`, res.status, pattern);
    return parsed.data.pit_id;
  }

  private async closePit(): Promise<void> {
    const pitId = this.pitId;
    this.pitId = null;
    if (!pitId) return;
    try {
      await call(this.client, { operation: 'delete point in time', method: 'DELETE', path: '/_search/point_in_time', body: { pit_id: [pitId] }, ignore: [404] }, { ...this.options.backoff, attempts: 2 });
    } catch (err) {
      // It expires on its own after keep_alive; worth a line, not a failed run.
      logger.warn({ err: (err as Error).message }, 'could not delete the point in time; it expires after keep_alive');
    }
  }

  private async fetch(after: SortValues | null, trackTotal: boolean): Promise<{ hits: EventHit[]; total?: number }> {
    const { pattern, sinceMath, timeField, pageSize, keepAlive, backoff, onRetry, query } = this.options;
    for (let reopened = 0; ; reopened++) {
      this.pitId ??= await this.openPit();
      if (this.pitId === null) return { hits: [] };
      try {
        const res = await call(
          this.client,
          { operation: query ? 'search the events of the window' : 'search unscored events', method: 'POST', path: '/_search', body: pageBody({ pitId: this.pitId, keepAlive, sinceMath, timeField, size: pageSize, searchAfter: after, trackTotal, ...(query ? { query } : {}) }), index: pattern },
          backoff,
          onRetry,
        );
        const parsed = PageSchema.safeParse(res.body);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new OpenSearchError('search unscored events', `unexpected answer at ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`, res.status, pattern);
        }
        const page = parsed.data;
        // A page missing shards would silently skip their events: refuse it rather than checkpoint past them.
        if ((page._shards?.failed ?? 0) > 0) throw new OpenSearchError('search unscored events', `${page._shards?.failed} shard(s) failed: ${JSON.stringify(page._shards?.failures?.[0] ?? {})}`, res.status, pattern);
        // OpenSearch may hand back a new PIT id; the latest one is the one to use.
        if (page.pit_id) this.pitId = page.pit_id;
        const hits = page.hits.hits.map((h) => ({ index: h._index, id: h._id, seqNo: h._seq_no, primaryTerm: h._primary_term, sort: h.sort, source: h._source }));
        return { hits, ...(page.hits.total ? { total: page.hits.total.value } : {}) };
      } catch (err) {
        if (!pitLost(err) || reopened >= 2) throw err;
        // search_after values stay valid across PITs, so a fresh PIT continues where this one stopped.
        logger.warn({ index: pattern }, 'point in time lost, opening a new one and continuing from the last page');
        this.pitId = null;
      }
    }
  }

  /**
   * Pages after `start` (null: from the beginning), until a short page or until `signal` aborts. One page is
   * fetched ahead; the PIT is deleted when the walk ends, however it ends. A page ends between two event times: its
   * trailing events of its last time come again at the head of the next page, and a page that is all one time is
   * extended with the following pages until the time changes (up to MAX_TIE_HITS).
   */
  async *pages(start: SortValues | null, signal?: AbortSignal): AsyncGenerator<EventPage> {
    let pending: Promise<{ hits: EventHit[]; total?: number }> | null = this.fetch(start, true);
    // A time group longer than a page, gathered so far.
    let gathered: EventHit[] = [];
    let total: number | undefined;
    try {
      while (pending) {
        const page = await pending;
        pending = null;
        total ??= page.total;
        const full = page.hits.length === this.options.pageSize;
        const all = gathered.length ? gathered.concat(page.hits) : page.hits;
        gathered = [];
        if (all.length === 0) return;
        const cut = full ? lastTimeStarts(all) : all.length;
        if (cut === 0 && all.length < MAX_TIE_HITS && !signal?.aborted) {
          gathered = all;
          pending = this.fetch((page.hits.at(-1) as EventHit).sort, false);
          pending.catch(() => undefined);
          continue;
        }
        const hits = cut === 0 ? all : all.slice(0, cut);
        const lastHit = hits.at(-1) as EventHit;
        if (full && !signal?.aborted) {
          pending = this.fetch(lastHit.sort, false);
          // Marks the prefetch handled: if the caller stops early its failure must not crash the process.
          pending.catch(() => undefined);
        }
        yield { hits, last: lastHit.sort, ...(total !== undefined ? { total } : {}) };
        total = undefined;
        if (signal?.aborted) return;
      }
    } finally {
      // A prefetch still running would otherwise race the delete (and could reopen a PIT after it).
      if (pending) await pending.catch(() => undefined);
      await this.closePit();
    }
  }
}
