// The one scoring path behind the proxy, the ML Commons endpoint and the enrich loop: adapter → history → scorer,
// with concurrent requests micro-batched into shared ONNX calls.
import type { Adapter } from '../adapters/adapter.js';
import { AdapterError } from '../core/errors.js';
import type { CanonicalEvent, SourceRef } from '../core/event.js';
import type { Scorer, ScoreResult } from '../scorer/scorer.js';
import { anomalyError, anomalyFields, anomalyPending, type AnomalyFields } from './anomaly-fields.js';
import { boundValue, DEFAULT_MAX_SCOPE_BYTES, DEFAULT_MAX_VALUE_BYTES } from './bounded-values.js';

/** The pause before each retry of one entity's history load (ms): three attempts in all. */
export const REFILL_RETRY_DELAYS_MS = [50, 250];

/** Loads an entity's latest events strictly before `before` (seconds), oldest first: a cold-start refill. */
export type HistoryLoader = (scope: string, entityValue: string, before: number, limit: number) => Promise<CanonicalEvent[]>;

export interface ScoreRequest {
  /** A raw record for the adapter (JSON object or text line). */
  record: string | Record<string, unknown>;
  /** History scope, e.g. the target index. */
  scope: string;
  source: SourceRef;
}

export interface ScoringServiceOptions {
  /** Largest number of events in one ONNX call. */
  maxBatch: number;
  /** How long a request may wait for others to share its batch. */
  maxDelayMs: number;
  historyLoader?: HistoryLoader;
  /** Bound on each entity and field value kept or hashed, UTF-8 bytes; longer ones are fingerprinted (bounded-values.ts). */
  maxValueBytes?: number;
  /** Bound on a history scope, UTF-8 bytes; longer ones are fingerprinted. */
  maxScopeBytes?: number;
}

export interface BatchObserver {
  onBatch?(events: number, seconds: number): void;
  onError?(kind: string): void;
}

interface Pending {
  requests: ScoreRequest[];
  resolve: (out: AnomalyFields[]) => void;
  reject: (err: unknown) => void;
}

export class ScoringService {
  private queue: Pending[] = [];
  private queued = 0;
  private timer: NodeJS.Timeout | null = null;
  // Batches run one after another so history updates keep arrival order.
  private chain: Promise<void> = Promise.resolve();
  private inFlight = 0;

  constructor(
    readonly scorer: Scorer,
    readonly adapter: Adapter,
    private readonly options: ScoringServiceOptions,
    private readonly observer: BatchObserver = {},
  ) {}

  /** Scores the records of one request, in order; a record the adapter cannot read gets anomaly.error. */
  score(requests: ScoreRequest[]): Promise<AnomalyFields[]> {
    if (requests.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ requests, resolve, reject });
      this.queued += requests.length;
      // Natural batching: with nothing running a request goes at once; while a batch runs, requests gather
      // for the next one, which starts when it ends, when it is full, or after maxDelayMs at the latest.
      if (this.queued >= this.options.maxBatch || this.inFlight === 0) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.maxDelayMs);
    });
  }

  /**
   * Takes scored records back out of the history (their write failed and the sender will retry them), so that
   * the retry scores them with the context they had the first time. Records the adapter cannot read are skipped.
   */
  forget(requests: ScoreRequest[]): void {
    const events: CanonicalEvent[] = [];
    const scopes: string[] = [];
    for (const r of requests) {
      const item = this.parse(r);
      if (item instanceof AdapterError) continue;
      events.push(item);
      scopes.push(this.scopeOf(r));
    }
    this.scorer.forget(events, scopes);
  }

  /** Resolves when every queued and running batch has finished (graceful shutdown). */
  async drain(): Promise<void> {
    this.flush();
    while (this.inFlight > 0) await this.chain;
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.queued = 0;
    this.inFlight += 1;
    this.chain = this.chain.then(() => this.run(batch)).finally(() => {
      this.inFlight -= 1;
      if (this.inFlight === 0 && this.queue.length > 0) this.flush();
    });
  }

  private async run(batch: Pending[]): Promise<void> {
    const started = process.hrtime.bigint();
    const model = this.scorer.modelId;
    const scoredAt = new Date().toISOString();
    try {
      const parsed = batch.map((p) => p.requests.map((r) => this.parse(r)));
      const events: CanonicalEvent[] = [];
      const scopes: string[] = [];
      parsed.forEach((items, i) =>
        items.forEach((item, j) => {
          if (item instanceof AdapterError) return;
          events.push(item);
          scopes.push(this.scopeOf((batch[i] as Pending).requests[j]!));
        }),
      );
      // An entity whose history could not be loaded is not scored this time (without its history the score would
      // differ from every other path's); its events go out marked pending, and the other entities are scored.
      const failed = await this.refillHistory(events, scopes);
      // per event: why its entity's refill failed, or undefined (computed only when something failed)
      const why = failed.size ? events.map((ev, i) => failed.get(this.scorer.historyKey(ev, scopes[i]))) : null;
      const results = why
        ? await this.scoreInTimeOrder(events.filter((_, i) => why[i] === undefined), scopes.filter((_, i) => why[i] === undefined))
        : await this.scoreInTimeOrder(events, scopes);
      let k = 0;
      let e = 0;
      batch.forEach((p, i) => {
        p.resolve(
          (parsed[i] as Array<CanonicalEvent | AdapterError>).map((item) => {
            if (item instanceof AdapterError) {
              this.observer.onError?.('adapter');
              return anomalyError(item.message, model, scoredAt);
            }
            const reason = why?.[e++];
            if (reason !== undefined) {
              this.observer.onError?.('history');
              return anomalyPending(`history refill failed: ${reason}`, model, scoredAt);
            }
            return anomalyFields(results[k++]!, model, this.scorer.threshold, scoredAt);
          }),
        );
      });
      this.observer.onBatch?.(events.length, Number(process.hrtime.bigint() - started) / 1e9);
    } catch (err) {
      this.observer.onError?.('scorer');
      for (const p of batch) p.reject(err);
    }
  }

  /**
   * Feeds the scorer in event-time order (stable for equal times) so that a batch whose requests arrived out
   * of order builds the same history as an ordered stream; results come back in request order.
   */
  private async scoreInTimeOrder(events: CanonicalEvent[], scopes: string[]): Promise<ScoreResult[]> {
    const order = events.map((_, i) => i);
    order.sort((a, b) => (events[a] as CanonicalEvent).time - (events[b] as CanonicalEvent).time || a - b);
    if (order.every((v, i) => v === i)) return this.scorer.score(events, scopes);
    const sorted = await this.scorer.score(order.map((i) => events[i] as CanonicalEvent), order.map((i) => scopes[i] as string));
    const results = new Array<ScoreResult>(events.length);
    order.forEach((orig, k) => {
      results[orig] = sorted[k] as ScoreResult;
    });
    return results;
  }

  private scopeOf(r: ScoreRequest): string {
    return boundValue(r.scope, this.options.maxScopeBytes ?? DEFAULT_MAX_SCOPE_BYTES);
  }

  /** The adapter's event, its entity and field values bounded so that no key or hash grows with the input. */
  private parse(r: ScoreRequest): CanonicalEvent | AdapterError {
    try {
      const event = this.adapter.parse(r.record, r.source);
      if (!event) return new AdapterError(r.source.file, r.source.line, 'empty record');
      const max = this.options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
      for (const [k, v] of Object.entries(event.entities)) event.entities[k] = boundValue(v, max);
      event.fields = event.fields.map((v) => boundValue(v, max));
      return event;
    } catch (err) {
      if (err instanceof AdapterError) return err;
      return new AdapterError(r.source.file, r.source.line, (err as Error).message);
    }
  }

  /**
   * For entities this process has not seen, loads their latest events from the store first: each entity on its
   * own, retried; returns the history keys whose load still failed, with the reason. One entity's failure never
   * fails another's.
   */
  private async refillHistory(events: CanonicalEvent[], scopes: string[]): Promise<Map<string, string>> {
    const failed = new Map<string, string>();
    const loader = this.options.historyLoader;
    const { scorer } = this;
    if (!loader || scorer.context === 0) return failed;
    const seen = new Set<string>();
    const misses: Array<{ key: string; scope: string; entity: string; before: number }> = [];
    events.forEach((event, i) => {
      const key = scorer.historyKey(event, scopes[i]);
      if (seen.has(key)) return;
      seen.add(key);
      if (!scorer.history.has(key)) misses.push({ key, scope: scopes[i] ?? '', entity: event.entities[scorer.bundle.entity_key] ?? '?', before: event.time });
    });
    const load = async (m: (typeof misses)[number]): Promise<CanonicalEvent[]> => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await loader(m.scope, m.entity, m.before, scorer.context);
        } catch (err) {
          const delay = REFILL_RETRY_DELAYS_MS[attempt];
          if (delay === undefined) throw err;
          await new Promise((r) => setTimeout(r, delay));
        }
      }
    };
    const outcomes = await Promise.allSettled(misses.map(load));
    outcomes.forEach((o, i) => {
      const m = misses[i] as (typeof misses)[number];
      if (o.status === 'rejected') {
        failed.set(m.key, (o.reason as Error)?.message ?? String(o.reason));
        return;
      }
      if (scorer.history.has(m.key)) return;
      scorer.history.set(m.key, o.value.map((e) => Int32Array.from(scorer.encoder.encode(e))), o.value.map((e) => e.time));
    });
    return failed;
  }
}
