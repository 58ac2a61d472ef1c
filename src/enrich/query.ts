// The enricher's search request: unscored events in the time window, in time order, one PIT page at a time.
import { UsageError } from '../core/errors.js';

/**
 * The default event time field: the adapter's own (its `documentFields.time`) where it has one, else `@timestamp`,
 * which shippers set (for LANL lines in `message`, the time the line was shipped).
 */
export const TIME_FIELD = '@timestamp';

/** Where the adapter's documents keep their time, for sorting and the window. */
export function timeFieldOf(adapter: { documentFields: { time: string } | null }): string {
  return adapter.documentFields?.time ?? TIME_FIELD;
}

/** Sort values of a hit, as OpenSearch returns them and takes them back in `search_after`. */
export type SortValues = Array<string | number | boolean | null>;

/**
 * `--since` as OpenSearch date math: `24h`, `7d`, `90m` become `now-24h` …; an ISO date or explicit date math
 * (`now-1d/d`) passes through after a sanity check.
 */
export function sinceToDateMath(since: string): string {
  const s = since.trim();
  if (/^\d+(ms|s|m|h|d|w|M|y)$/.test(s)) return `now-${s}`;
  if (/^now([+-]\d+(ms|s|m|h|d|w|M|y))*(\/(s|m|h|d|w|M|y))?$/.test(s)) return s;
  if (!Number.isNaN(Date.parse(s))) return s;
  throw new UsageError(`--since "${since}": expected a duration like 24h or 7d, date math like now-1d/d, or an ISO date`);
}

/**
 * Every hit sorts by time, then by concrete index and id so ties break the same way on every page and
 * every restart. Time first (not entity first) because the scorer's context is "the entity's previous
 * events": a time-ordered walk hands each entity's events over oldest first, exactly like inline scoring
 * of a stream ingested in time order, whatever field the adapter takes the entity from.
 * (OpenSearch 2.19 has no `_shard_doc` tiebreaker; `_id` is sortable there.)
 */
export function eventSort(timeField: string): Array<Record<string, unknown>> {
  // numeric_type: one index of the pattern mapping the time as date_nanos would sort in nanoseconds against the
  // others' milliseconds, after every one of them; OpenSearch converts both to milliseconds this way.
  return [{ [timeField]: { order: 'asc', unmapped_type: 'date', numeric_type: 'date' } }, { _index: { order: 'asc' } }, { _id: { order: 'asc' } }];
}

/** Unscored = neither a score nor a recorded scoring error; within the window. */
export function unscoredQuery(sinceMath: string, timeField: string): Record<string, unknown> {
  return {
    bool: {
      filter: [{ range: { [timeField]: { gte: sinceMath } } }],
      must_not: [{ exists: { field: 'anomaly_score' } }, { exists: { field: 'anomaly.error' } }],
    },
  };
}

export interface PageRequest {
  pitId: string;
  keepAlive: string;
  sinceMath: string;
  timeField: string;
  size: number;
  searchAfter: SortValues | null;
  /** Ask for the total (first page only: it costs a count). */
  trackTotal: boolean;
  /** The query; default: the unscored events since `sinceMath`. */
  query?: Record<string, unknown>;
}

/** The body of `POST /_search` for one page (no index in the path: the PIT names the indices). */
export function pageBody(p: PageRequest): Record<string, unknown> {
  return {
    size: p.size,
    pit: { id: p.pitId, keep_alive: p.keepAlive },
    query: p.query ?? unscoredQuery(p.sinceMath, p.timeField),
    sort: eventSort(p.timeField),
    // The hit's _seq_no/_primary_term guard the write-back: a document changed since this read is not overwritten.
    seq_no_primary_term: true,
    track_total_hits: p.trackTotal,
    ...(p.searchAfter ? { search_after: p.searchAfter } : {}),
  };
}

/**
 * Every event since `sinceMath`, scored or not (enrich catching up after a restart), less those a Lucene query
 * matches: `train --from-index` leaves out what the analysts' query (e.g. `tags:malicious OR labels.verdict:attack`)
 * marks as attacks, which a model must not learn as normal.
 */
export function windowQuery(sinceMath: string, timeField: string, excludeQuery?: string): Record<string, unknown> {
  return {
    bool: {
      filter: [{ range: { [timeField]: { gte: sinceMath } } }],
      ...(excludeQuery ? { must_not: [{ query_string: { query: excludeQuery } }] } : {}),
    },
  };
}
