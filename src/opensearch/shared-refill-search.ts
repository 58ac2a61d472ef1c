// One search for many cold entities' refills. Each search costs OpenSearch about the same however little it finds
// (its parsing, and a query and a fetch phase per shard): two or three searches per cold entity were about a fifth of
// what a fresh enrich of 2,000 users cost the node, all before its first write (docs/benchmarks.md, bench/refill.mjs).
// The refills asked in one event-loop turn are
// grouped by index pattern and limit; one search answers for up to ENTITIES_PER_SEARCH of them, an aggregation each:
// its events before its time (the limit and BOUNDARY_READ more) and at its time (SAME_TIME_READ), newest first.
import { z } from 'zod';
import { OpenSearchError } from '../core/errors.js';
import type { OpenSearchClient } from './client.js';
import { SearchBatcher } from './search-batcher.js';

/** Cold entities of one index pattern refilled by one search at most. */
export const ENTITIES_PER_SEARCH = 32;
/** Hits a top_hits aggregation may return by default (OpenSearch's `index.max_inner_result_window`). */
export const INNER_RESULT_WINDOW = 100;
/** Events at the refill's own time the shared search reads. */
export const SAME_TIME_READ = 16;
/** Events the shared search reads past the limit, to see whether the time of the limit's oldest event goes on. */
export const BOUNDARY_READ = 8;

export const HitSchema = z
  .object({ _index: z.string().optional(), _id: z.string().optional(), sort: z.array(z.unknown()).optional(), _source: z.record(z.string(), z.unknown()).optional() })
  .passthrough();
export const SearchResponse = z.object({ hits: z.object({ hits: z.array(HitSchema) }) });
export type Hit = z.infer<typeof HitSchema>;

/**
 * The shared search's answer: per entity (`e0`, `e1`, …) its events before its time and at it. No aggregations
 * where no index matched (the pattern's first events): then no entity has a history.
 */
const SharedResponse = z.object({
  _shards: z.object({ total: z.number() }).passthrough().optional(),
  aggregations: z.record(z.string(), z.object({ before: z.object({ h: SearchResponse }), same: z.object({ h: SearchResponse }) })).optional(),
});

/** One entity's events before its time (up to limit + BOUNDARY_READ) and at it (up to SAME_TIME_READ), newest first. */
export interface SharedRead {
  before: Hit[];
  same: Hit[];
}

/** Thrown where a shared search fails: its entities are then read by searches of their own. */
export class SharedSearchFailed extends Error {}

export interface SharedSearchQueries {
  /** The query of one entity's documents. */
  entity: (value: string) => Record<string, unknown>;
  timeField: string;
  /** The refill's order, newest first. */
  sort: Array<Record<string, unknown>>;
}

interface Waiting {
  entity: string;
  at: string | number;
  resolve: (read: SharedRead) => void;
  reject: (err: Error) => void;
}

export class SharedRefillSearch {
  private readonly waiting = new Map<string, Waiting[]>();
  /** Each shared search answers for many entities: it goes in a request of its own, which must finish within its deadline. */
  private readonly batcher: SearchBatcher;

  constructor(client: OpenSearchClient, timeoutMs: number, private readonly queries: SharedSearchQueries) {
    this.batcher = new SearchBatcher(client, { timeoutMs, operation: 'history search', maxPerRequest: 1 });
  }

  /** One entity's read, in the shared search of the refills asked in this event-loop turn. */
  read(scope: string, entity: string, at: string | number, limit: number): Promise<SharedRead> {
    return new Promise((resolve, reject) => {
      const key = `${limit}\u0000${scope}`;
      const queue = this.waiting.get(key);
      if (queue) return void queue.push({ entity, at, resolve, reject });
      this.waiting.set(key, [{ entity, at, resolve, reject }]);
      setImmediate(() => {
        const reads = this.waiting.get(key) ?? [];
        this.waiting.delete(key);
        for (let i = 0; i < reads.length; i += ENTITIES_PER_SEARCH) void this.send(scope, limit, reads.slice(i, i + ENTITIES_PER_SEARCH));
      });
    });
  }

  private async send(scope: string, limit: number, reads: Waiting[]): Promise<void> {
    const { entity, timeField, sort } = this.queries;
    const aggs = Object.fromEntries(
      reads.map((r, i) => [
        `e${i}`,
        {
          filter: { bool: { filter: [entity(r.entity), { range: { [timeField]: { lte: r.at } } }] } },
          aggs: {
            before: { filter: { range: { [timeField]: { lt: r.at } } }, aggs: { h: { top_hits: { size: limit + BOUNDARY_READ, sort } } } },
            same: { filter: { range: { [timeField]: { gte: r.at, lte: r.at } } }, aggs: { h: { top_hits: { size: SAME_TIME_READ, sort } } } },
          },
        },
      ]),
    );
    const query = { bool: { should: reads.map((r) => entity(r.entity)), minimum_should_match: 1 } };
    try {
      const raw = await this.batcher.search({ index: scope, body: { size: 0, track_total_hits: false, query, aggs } });
      const parsed = SharedResponse.safeParse(raw);
      if (!parsed.success) throw new OpenSearchError('history search', `unexpected response: ${parsed.error.issues[0]?.message ?? ''}`, undefined, scope);
      const { aggregations, _shards } = parsed.data;
      reads.forEach((r, i) => {
        const got = aggregations?.[`e${i}`];
        if (got) r.resolve({ before: got.before.h.hits.hits, same: got.same.h.hits.hits });
        else if (!aggregations && _shards?.total === 0) r.resolve({ before: [], same: [] });
        else r.reject(new OpenSearchError('history search', `no aggregation e${i} in the response`, undefined, scope));
      });
    } catch (err) {
      // Whatever failed it (a query OpenSearch refuses: a lowered index.max_inner_result_window, a field it cannot
      // sort on; a shard failure; a timeout), its entities are read again each by searches of its own, so that one
      // entity's failure never fails another's.
      const failed = err instanceof OpenSearchError;
      for (const r of reads) r.reject(failed ? new SharedSearchFailed((err as Error).message) : (err as Error));
    }
  }
}
