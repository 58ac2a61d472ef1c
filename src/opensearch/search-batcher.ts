// Coalesces the searches issued in one event-loop turn into `_msearch` requests of bounded size, with a bounded
// number in flight. A fresh sidecar meets every entity cold: one bulk of 2,000 logons asked OpenSearch for about
// 300 history searches at once, each on its own connection with its own 5 s deadline; on a busy node they queued
// behind each other past that deadline, were cancelled, retried, and queued again (the demo's node logged 626
// cancelled refill searches before a bulk forward timed out). One `_msearch` lets OpenSearch pace the searches
// itself (`max_concurrent_searches`), and the client holds a few connections instead of hundreds.
import { OpenSearchError } from '../core/errors.js';
import { failureReason, reasonOf, type OpenSearchClient } from './client.js';

/** Searches per `_msearch` request: a chunk must finish within one deadline on a loaded node. */
export const MAX_SEARCHES_PER_REQUEST = 32;
/** `_msearch` requests in flight at once; the rest wait their turn (the node's search pool has a few threads). */
export const MAX_REQUESTS_IN_FLIGHT = 2;

export interface BatchedSearch {
  /** Index pattern searched (`ignore_unavailable` and `allow_no_indices`: a missing index is no history, not an error). */
  index: string;
  body: Record<string, unknown>;
}

interface Pending extends BatchedSearch {
  resolve: (body: unknown) => void;
  reject: (err: Error) => void;
}

export interface SearchBatcherOptions {
  /** Deadline of one `_msearch` request. */
  timeoutMs: number;
  /** Names the searches in errors, e.g. `history search`. */
  operation: string;
  maxPerRequest?: number;
  maxInFlight?: number;
}

export class SearchBatcher {
  private queue: Pending[] = [];
  private scheduled = false;
  private inFlight = 0;

  constructor(
    private readonly client: OpenSearchClient,
    private readonly options: SearchBatcherOptions,
  ) {}

  /** One search's response body (`hits`, …); rejects with an OpenSearchError naming the index and OpenSearch's reason. */
  search(search: BatchedSearch): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...search, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  private pump(): void {
    const max = this.options.maxPerRequest ?? MAX_SEARCHES_PER_REQUEST;
    while (this.queue.length && this.inFlight < (this.options.maxInFlight ?? MAX_REQUESTS_IN_FLIGHT)) {
      const chunk = this.queue.splice(0, max);
      this.inFlight += 1;
      void this.send(chunk).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async send(chunk: Pending[]): Promise<void> {
    const body = chunk.flatMap((s) => [{ index: s.index, ignore_unavailable: true, allow_no_indices: true }, s.body]);
    let responses: unknown[];
    try {
      // maxRetries 0: each caller retries its own search (a retried chunk would repeat every search in it).
      const res = await this.client.msearch({ body } as never, { requestTimeout: this.options.timeoutMs, maxRetries: 0 });
      const parsed = (res.body as { responses?: unknown }).responses;
      if (!Array.isArray(parsed) || parsed.length !== chunk.length) throw new Error(`_msearch answered ${Array.isArray(parsed) ? parsed.length : 'no'} responses for ${chunk.length} searches`);
      responses = parsed;
    } catch (err) {
      const status = (err as { meta?: { statusCode?: number | null } }).meta?.statusCode ?? undefined;
      for (const s of chunk) s.reject(new OpenSearchError(this.options.operation, failureReason(err), status, s.index, { cause: err }));
      return;
    }
    chunk.forEach((s, i) => {
      const r = responses[i] as { error?: unknown; status?: number } | null;
      if (r && typeof r === 'object' && r.error === undefined) s.resolve(r);
      else s.reject(new OpenSearchError(this.options.operation, reasonOf(r), r?.status, s.index));
    });
  }
}
