// The one scoring path behind the proxy, the ML Commons endpoint and the enrich loop: adapter → history → scorer,
// with concurrent requests micro-batched into shared ONNX calls.
import { isNoEvent, type Adapter } from '../adapters/adapter.js';
import { AdapterError } from '../core/errors.js';
import type { CanonicalEvent, SourceRef } from '../core/event.js';
import { BUDGET_AHEAD_SECONDS, clockSeconds, type BudgetReceipt } from '../scorer/daily-budget.js';
import type { Scorer } from '../scorer/scorer.js';
import { FEATURIZERS } from '../kinds/featurizers.js';
import { MODEL_KINDS } from '../model/kinds.js';
import { anomalyError, anomalyFields, anomalyPending, DEFAULT_EXPLAIN_ABOVE, type AnomalyFields } from './anomaly-fields.js';
import { stampFor } from './entity-stamp.js';
import { currentRequest, handOver, type Senders } from './senders.js';
import { logger } from '../util/log.js';
import { boundValue, DEFAULT_MAX_SCOPE_BYTES, DEFAULT_MAX_VALUE_BYTES } from './bounded-values.js';
import { refillHistory, type HistoryLoader } from './history-refill.js';
import { dueHeld } from './reorder-window.js';

export interface ScoreRequest {
  /** A raw record for the adapter (JSON object or text line). */
  record: string | Record<string, unknown>;
  /** History scope, e.g. the target index. */
  scope: string;
  source: SourceRef;
  /**
   * Score without the reordering window (default false): for a caller that waits on the answer of an event that is
   * happening now (an authentication server asking /v1/risk about a login), so nothing earlier is still on its way.
   */
  now?: boolean;
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
  /**
   * The reordering window (ms; 0: none). An event is held until events at least this much later in event time
   * have arrived in its scope, or until it has waited this long, and held events are scored in canonical order:
   * a shipper's jitter within the window does not change scores. An event that still comes after a later event of
   * its entity was scored is scored at once, against the history it finds (counted as late).
   */
  reorderWindowMs?: number;
  /**
   * The clients requests come from (see senders.ts): with it, held events go as soon as every recent sender has
   * handed its requests in flight to the scorer. Without it (enrich, tests), only the window's time rules apply.
   */
  senders?: Senders;
  /** anomaly_score from which an event's explanation is written in full (anomaly-fields.ts); default DEFAULT_EXPLAIN_ABOVE. */
  explainAbove?: number;
}

export interface BatchObserver {
  onBatch?(events: number, seconds: number): void;
  onError?(kind: string): void;
  /** Events scored after a later event of their entity (beyond the reordering window). */
  onLate?(events: number): void;
}

/**
 * What scoring each answer's event did to the daily budget, by answer: a failed write hands the answers back to
 * forget(), which takes them out of the budget's window (the retry is then counted once). Weak, so an answer that is
 * dropped takes its receipt with it; never serialized, so nothing of it reaches a document or a reply.
 */
const RECEIPTS = new WeakMap<AnomalyFields, BudgetReceipt>();

/** One request's answers, filled in as its events are scored (they may be released in different batches). */
interface Pending {
  results: AnomalyFields[];
  /** The caller may hand the answers back to forget() (a write that failed): their budget receipts are kept. */
  retractable: boolean;
  /** Judged by the daily budget without being counted into its window (ScoreOptions.counted false). */
  uncounted: boolean;
  left: number;
  settled: boolean;
  resolve: (out: AnomalyFields[]) => void;
  reject: (err: unknown) => void;
}

/** One readable event waiting to be scored, and where its answer goes. */
interface Slot {
  event: CanonicalEvent;
  scope: string;
  /** Date.now() when it arrived. */
  arrived: number;
  pending: Pending;
  at: number;
  /** The client it came from, when known (senders.ts); always set, so every slot has one shape (no spread per event). */
  sender: string | undefined;
}

/** Events held for reordering at most; beyond this the oldest are released at once (memory stays bounded). */
const MAX_HELD = 200_000;

export class ScoringService {
  /** Events held by the reordering window, in arrival order. */
  private held: Slot[] = [];
  /** Per scope, the latest event time among held events (the window's event-time watermark). */
  private latest = new Map<string, number>();
  private releaseTimer: NodeJS.Timeout | null = null;
  /** Released events waiting for the next batch. */
  private queue: Slot[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** The flush at the end of the current turn of the event loop (release), when nothing is running. */
  private turnEnd: NodeJS.Immediate | null = null;
  // Batches run one after another so history updates keep arrival order.
  private chain: Promise<void> = Promise.resolve();
  private inFlight = 0;
  /** Events scored after a later event of their entity, since start. */
  lateEvents = 0;
  /** False once replaced by another bundle's service (stopHolding): events go at once, without the window. */
  private holding = true;
  /**
   * Why no record is scored here, when the bundle's unit joins several records (zeek-seq: a connection, by uid):
   * a record sent on its own is forwarded marked anomaly.pending with this reason, for enrich to score.
   */
  readonly scoredElsewhere: string | null;

  constructor(
    readonly scorer: Scorer,
    readonly adapter: Adapter,
    private readonly options: ScoringServiceOptions,
    private readonly observer: BatchObserver = {},
  ) {
    const featurizer = MODEL_KINDS[scorer.bundle.kind]?.featurizer;
    this.scoredElsewhere = featurizer ? (FEATURIZERS[featurizer]?.servedBy ?? `${scorer.bundle.kind} is scored by enrich`) : null;
  }

  /**
   * Scores the records of one request, answers in request order; a record the adapter cannot read gets anomaly.error.
   * `retractable`: the caller may hand the answers back to forget() when their write fails (the proxy). `counted`
   * false: the events are judged by the daily budget but not counted into its window (budget.counted_routes).
   */
  score(requests: ScoreRequest[], { retractable = false, counted = true }: { retractable?: boolean; counted?: boolean } = {}): Promise<AnomalyFields[]> {
    if (requests.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const request = currentRequest.getStore();
      const sender = request?.sender;
      const pending: Pending = { results: new Array(requests.length), left: 0, settled: false, retractable, uncounted: !counted, resolve, reject };
      const arrived = Date.now();
      requests.forEach((r, at) => {
        const item = this.parse(r);
        if (item instanceof AdapterError) {
          this.observer.onError?.('adapter');
          pending.results[at] = anomalyError(item.message, this.scorer.modelId, new Date(arrived).toISOString());
          return;
        }
        if (this.scoredElsewhere !== null) {
          pending.results[at] = anomalyPending(this.scoredElsewhere, this.scorer.modelId, new Date(arrived).toISOString());
          return;
        }
        pending.left += 1;
        const scope = this.scopeOf(r);
        const slot: Slot = { event: item, scope, arrived, pending, at, sender: sender || undefined };
        if (r.now) {
          this.queue.push(slot);
          return;
        }
        this.held.push(slot);
        if (!(item.time <= (this.latest.get(scope) ?? -Infinity))) this.latest.set(scope, item.time);
      });
      // Every event of the request is here now: other held events need not wait for it any longer.
      if (request) handOver(request);
      if (pending.left === 0) {
        pending.settled = true;
        resolve(pending.results);
        return;
      }
      this.release();
    });
  }

  /**
   * Moves the held events whose window has passed (all of them with no window, or with `all`) to the batch queue.
   * Natural batching: with nothing running a batch goes at the end of the event loop's current turn; while one runs,
   * events gather for the next, which starts when it ends, when it is full, or after maxDelayMs at the latest.
   */
  private release(all = false): void {
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    this.releaseTimer = null;
    const window = this.holding ? (this.options.reorderWindowMs ?? 0) : 0;
    if (window <= 0 || all || this.held.length > MAX_HELD || this.nobodyElseMaySend(window)) {
      this.queue = this.queue.concat(this.held); // not push(...): a spread of 200,000 arguments overflows the stack
      this.held = [];
      this.latest.clear();
    } else {
      const now = Date.now();
      const { due, keep } = dueHeld(this.held, this.latest, window, now);
      for (const slot of due) this.queue.push(slot);
      this.held = keep;
      if (keep.length) {
        const scopes = new Set(keep.map((s) => s.scope));
        for (const scope of [...this.latest.keys()]) if (!scopes.has(scope)) this.latest.delete(scope);
        // Held in arrival order: the first one is the next to reach the end of its wait.
        this.releaseTimer = setTimeout(() => this.release(), Math.max(1, (keep[0] as Slot).arrived + window - now));
      } else {
        this.latest.clear();
      }
    }
    if (this.queue.length === 0) return;
    if (this.queue.length >= this.options.maxBatch) this.flush();
    // Nothing running: the batch goes at the end of this turn of the event loop rather than now, so the requests read
    // in the same turn (16 clients' logins that came together) share its ONNX call; going now sent the first alone
    // and the rest in a second call after it: 1,230 calls for 6,000 logins from 16 clients, 700-800 this way.
    else if (this.inFlight === 0) this.turnEnd ??= setImmediate(() => this.flush());
    else this.timer ??= setTimeout(() => this.flush(), this.options.maxDelayMs);
  }

  /** Every recent sender has handed its requests in flight to the scorer: none can send what would come first. */
  private nobodyElseMaySend(window: number): boolean {
    const { senders } = this.options;
    if (!senders || this.held.some((slot) => slot.sender === undefined)) return false;
    return !senders.othersMaySend(window);
  }

  /**
   * Takes scored records back out of the history (their write failed and the sender will retry them), so that
   * the retry scores them with the context they had the first time; with their answers (`answers[i]` for
   * `requests[i]`), out of the daily budget's window too, so that the retry is counted and flagged once. Records the
   * adapter cannot read are skipped.
   */
  forget(requests: ScoreRequest[], answers?: readonly (AnomalyFields | undefined)[]): void {
    const events: CanonicalEvent[] = [];
    const scopes: string[] = [];
    const receipts: (BudgetReceipt | undefined)[] = [];
    requests.forEach((r, i) => {
      const answer = answers?.[i];
      if (answer) {
        receipts.push(RECEIPTS.get(answer));
        RECEIPTS.delete(answer); // taken back once, however often it is handed back
      }
      const item = this.parse(r);
      if (item instanceof AdapterError) return;
      events.push(item);
      scopes.push(this.scopeOf(r));
    });
    this.scorer.forget(events, scopes, receipts);
  }

  /**
   * For a service another bundle's has replaced (model-switch.ts): it gets no new requests, so nothing can come to
   * fill its reordering window, and the senders it would wait for are now waiting on the new service: held events
   * go now, and those of requests still arriving go at once (else both services would wait out the window).
   */
  stopHolding(): void {
    this.holding = false;
    this.release(true);
  }

  /** Resolves when every held, queued and running event has been scored (graceful shutdown). */
  async drain(): Promise<void> {
    this.release(true);
    this.flush();
    while (this.inFlight > 0) await this.chain;
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.turnEnd) clearImmediate(this.turnEnd);
    this.turnEnd = null;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.inFlight += 1;
    this.chain = this.chain.then(() => this.run(batch)).finally(() => {
      this.inFlight -= 1;
      if (this.inFlight === 0 && this.queue.length > 0) this.flush();
    });
  }

  private async run(batch: Slot[]): Promise<void> {
    const started = process.hrtime.bigint();
    const model = this.scorer.modelId;
    const scoredAt = new Date().toISOString();
    const deliver = (slot: Slot, fields: AnomalyFields) => {
      const p = slot.pending;
      if (p.settled) return;
      p.results[slot.at] = fields;
      if (--p.left === 0) {
        p.settled = true;
        p.resolve(p.results);
      }
    };
    try {
      const events = batch.map((s) => s.event);
      const scopes = batch.map((s) => s.scope);
      // An entity whose history could not be loaded is not scored this time (without its history the score would
      // differ from every other path's); its events go out marked pending, and the other entities are scored.
      const failed = await refillHistory(this.scorer, this.options.historyLoader, events, scopes);
      // per event: why its entity's refill failed, or undefined (computed only when something failed)
      const why = failed.size ? events.map((ev, i) => failed.get(this.scorer.historyKey(ev, scopes[i]))) : null;
      const kept = why ? batch.filter((_, i) => why[i] === undefined) : batch;
      this.countLate(kept);
      const explainAbove = this.options.explainAbove ?? DEFAULT_EXPLAIN_ABOVE;
      // The scorer builds the full explanation only where it will be written.
      const uncounted = kept.some((s) => s.pending.uncounted) ? kept.map((s) => s.pending.uncounted) : undefined;
      const results = await this.scorer.score(kept.map((s) => s.event), kept.map((s) => s.scope), undefined, explainAbove, kept.some((s) => s.pending.retractable), uncounted);
      const key = this.scorer.bundle.entity_key;
      kept.forEach((slot, k) => {
        const result = results[k]!;
        const fields = anomalyFields(result, model, this.scorer.threshold, scoredAt, stampFor(this.adapter, key, slot.event), explainAbove);
        if (result.budget && slot.pending.retractable) RECEIPTS.set(fields, result.budget);
        deliver(slot, fields);
      });
      if (why) {
        let pending = 0;
        batch.forEach((slot, i) => {
          if (why[i] === undefined) return;
          this.observer.onError?.('history');
          deliver(slot, anomalyPending(`history refill failed: ${why[i]}`, model, scoredAt));
          pending += 1;
        });
        // stored unscored until enrich scores them: one line per batch says so, with the first reason
        logger.warn({ pending, entities: failed.size, first: [...failed.values()][0] }, 'history refill failed: events passed on unscored, marked anomaly.pending (enrich scores them)');
      }
      this.observer.onBatch?.(events.length, Number(process.hrtime.bigint() - started) / 1e9);
    } catch (err) {
      this.observer.onError?.('scorer');
      for (const slot of batch) {
        if (slot.pending.settled) continue;
        slot.pending.settled = true;
        slot.pending.reject(err);
      }
    }
  }

  /** Counts the events about to be scored after a later event of their entity (their context misses it). */
  private countLate(slots: readonly Slot[]): void {
    let late = 0;
    // An entity's event stamped far past the clock (a wrong clock, a bad parse) is no later event: the entity's real
    // ones that follow it are not late (they would be counted for as long as it stays in the history)
    const latest = clockSeconds() + BUDGET_AHEAD_SECONDS;
    for (const s of slots) {
      const last = this.scorer.history.lastTime(this.scorer.historyKey(s.event, s.scope));
      if (last !== undefined && last > s.event.time && last <= latest) late += 1;
    }
    if (late === 0) return;
    this.lateEvents += late;
    this.observer.onLate?.(late);
  }

  private scopeOf(r: ScoreRequest): string {
    return boundValue(r.scope, this.options.maxScopeBytes ?? DEFAULT_MAX_SCOPE_BYTES);
  }

  /** The adapter's event, its entity and field values bounded so that no key or hash grows with the input. */
  private parse(r: ScoreRequest): CanonicalEvent | AdapterError {
    try {
      const event = this.adapter.parse(r.record, r.source);
      if (!event) return new AdapterError(r.source.file, r.source.line, 'empty record');
      // A document of no event (not an authentication) is never scorable: it gets anomaly.error with the reason.
      if (isNoEvent(event)) return new AdapterError(r.source.file, r.source.line, event.skip);
      const max = this.options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
      // No arrays made per event for the usual values, all within the bound (enrich passes every stored event here).
      const { entities } = event;
      for (const k of Object.keys(entities)) entities[k] = boundValue(entities[k] as string, max);
      let fields = event.fields;
      for (let i = 0; i < fields.length; i++) {
        const bounded = boundValue(fields[i] as string, max);
        if (bounded === fields[i]) continue;
        if (fields === event.fields) fields = fields.slice(); // the adapter's array stays as it gave it
        fields[i] = bounded;
      }
      event.fields = fields;
      return event;
    } catch (err) {
      if (err instanceof AdapterError) return err;
      return new AdapterError(r.source.file, r.source.line, (err as Error).message);
    }
  }
}
