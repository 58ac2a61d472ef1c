// Sends the searches asked for in one turn of the event loop as `_msearch` requests instead of one request each.
//
// A cold sidecar refills every new entity's history with two or three searches (history-loader.ts), and the first
// bulks of 1,000 documents bring hundreds of new entities at once: one HTTP request per search was the proxy's
// largest cost outside scoring (README, "Where the proxy's time goes"). Each search keeps its own answer or its own
// error (msearch answers per search), so one entity's failure stays its own; only a request that gets no answer at
// all fails every search in it.
import { OpenSearchError } from '../core/errors.js';
import { failureReason, reasonOf, type OpenSearchClient } from './client.js';

/** One search of `index` (`ignore_unavailable`, `allow_no_indices`); resolves with its response body. */
export type Search = (index: string, body: Record<string, unknown>) => Promise<unknown>;

export interface MultiSearchOptions {
  /** Deadline of one `_msearch` request, hence of every search in it. */
  timeoutMs: number;
  /** Searches per request at most: bounds one answer's size and what one lost request fails. */
  maxPerRequest?: number;
  /** The operation errors name, e.g. `history search`. */
  operation: string;
}

interface Queued {
  index: string;
  body: Record<string, unknown>;
  resolve(body: unknown): void;
  reject(err: Error): void;
}

/** Searches per `_msearch` by default: 200 (the first bulk of 1,000 logons of 2,000 users asks for about 1,600). */
export const DEFAULT_SEARCHES_PER_REQUEST = 200;

export function createMultiSearch(client: OpenSearchClient, options: MultiSearchOptions): Search {
  const max = options.maxPerRequest ?? DEFAULT_SEARCHES_PER_REQUEST;
  let queued: Queued[] = [];

  const fail = (q: Queued, reason: string, status?: number, cause?: unknown) =>
    q.reject(new OpenSearchError(options.operation, reason, status, q.index, cause === undefined ? undefined : { cause }));

  const send = async (group: Queued[]): Promise<void> => {
    const lines = group.flatMap((q) => [{ index: q.index, ignore_unavailable: true, allow_no_indices: true }, q.body]);
    let raw: unknown;
    try {
      // retries are the caller's, per search (the scoring service retries each entity)
      raw = (await client.msearch({ body: lines }, { requestTimeout: options.timeoutMs, maxRetries: 0 })).body;
    } catch (err) {
      const status = (err as { meta?: { statusCode?: number | null } }).meta?.statusCode ?? undefined;
      for (const q of group) fail(q, failureReason(err), status, err);
      return;
    }
    const responses = (raw as { responses?: unknown } | null)?.responses;
    if (!Array.isArray(responses) || responses.length !== group.length) {
      for (const q of group) fail(q, `unexpected _msearch response: ${Array.isArray(responses) ? `${responses.length} answers for ${group.length} searches` : 'no responses'}`);
      return;
    }
    group.forEach((q, i) => {
      const answer = responses[i] as { error?: unknown; status?: unknown } | null;
      if (answer && typeof answer === 'object' && answer.error !== undefined) fail(q, reasonOf(answer), typeof answer.status === 'number' ? answer.status : undefined);
      else q.resolve(answer);
    });
  };

  const flush = () => {
    const all = queued;
    queued = [];
    for (let i = 0; i < all.length; i += max) {
      const group = all.slice(i, i + max);
      send(group).catch((err: unknown) => group.forEach((q) => fail(q, (err as Error).message, undefined, err)));
    }
  };

  return (index, body) =>
    new Promise((resolve, reject) => {
      // The searches of one refill pass are all asked for before the first await: one microtask gathers them.
      if (queued.length === 0) queueMicrotask(flush);
      queued.push({ index, body, resolve, reject });
    });
}
