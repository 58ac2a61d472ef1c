// Scores canonical events with a model bundle: history context in canonical order, batched calls of the kind's
// runtime (ONNX or pure TypeScript), fusion and calibration.
import type { CanonicalEvent } from '../core/event.js';
import { loadBundle, type Bundle, type LoadedBundle } from '../model/bundle.js';
import { MODEL_KINDS, type ModelKind } from '../model/kinds.js';
import { RUNTIMES, type EventScore, type FieldScore, type KindRuntime, type RuntimeOptions } from '../model/runtime.js';
import type { WindowCacheStats } from '../model/window-cache.js';
import { Encoder } from '../tokenizer/vocab.js';
import type { TextTokens } from '../tokenizer/text-tokens.js';
import { Calibrator } from './calibrate.js';
import { HistoryStore } from './history.js';
import { canonicalOrder, tieBreak } from './order.js';
import { BUDGET_AHEAD_SECONDS, DailyBudget, type BudgetReceipt } from './daily-budget.js';
import { AdapterError, ModelLoadError } from '../core/errors.js';
import { EntityMemory } from '../memory/entity-memory.js';
import type { MemoryFile, Recall } from '../memory/memory-spec.js';
import { Fusion, type ComponentScore } from '../memory/fusion.js';
import { logger } from '../util/log.js';

export type { FieldScore } from '../model/runtime.js';

/** The row of an event whose kind reads the event itself and keeps no history. */
const NO_ROW = new Int32Array(0);

/** Events the moving share of those stamped past the budget clock remembers (Scorer.countableTime). */
const AHEAD_MEMORY = 1000;
/** The context of every event for a model that reads none (one array for all, not one per event). */
const NO_PAST: Int32Array[] = [];

export interface ScoreResult {
  anomaly_score: number;
  raw: number;
  is_anomaly: boolean;
  /** The explanation: largest share of the raw score (surprisal × the field's weight) first. */
  fields: FieldScore[];
  /** With a fused bundle: every component's tail probability, rarest first (the explanation's first line). */
  components?: ComponentScore[];
  /** With a daily budget: what judging the event did to it, so that forget() can take it back. */
  budget?: BudgetReceipt;
}

/**
 * A cascade's first stage (bundle.screen): a context-free model with its own fusion tails and calibration, reading the
 * bundle's history rows and memory. It scores every event; the bundle's own model only those it puts at or above
 * `threshold`.
 */
interface Screen {
  readonly model: KindRuntime;
  readonly calibrator: Calibrator;
  readonly fusion: Fusion | null;
  readonly threshold: number;
}

/** Events a cascade's screen scored, and how many of them its bundle's model scored again. */
export interface ScreenStats {
  threshold: number;
  screened: number;
  escalated: number;
}

export interface ScorerOptions extends RuntimeOptions {
  /** Events per ONNX call. */
  maxBatch?: number;
  /** Entities whose history is kept in memory. */
  maxEntities?: number;
  /** Overrides the bundle's threshold on anomaly_score. */
  threshold?: number;
  /** Keep every event in the history (see HistoryOptions.keepAll): `score` on a whole file. */
  keepAllHistory?: boolean;
  /**
   * The daily alert budget's rate R (daily-budget.ts): is_anomaly also needs the event among the top R of the last
   * 24 hours' scores. Unset: the bundle's acceptance rate (budgetRate); null: no budget, the threshold alone.
   */
  budget?: number | null;
  /**
   * The clock (seconds) of a live path (serve, enrich): an event later than BUDGET_AHEAD_SECONDS past it is judged by
   * the daily budget without being counted into its window. Unset (score, over files of any date): every event counts.
   */
  budgetClock?: () => number;
}

/**
 * The budget rate a bundle implies: its acceptance rate, or 1 − its threshold for a bundle that records none (the
 * threshold is the (1 − R) quantile of held-out normal events); null when that is no rate (a threshold of 0 or 1).
 */
export function budgetRate(bundle: Pick<Bundle, 'acceptance_rate' | 'threshold'>): number | null {
  // 1 - 0.999 is 0.0010000000000000009 in doubles: 12 digits name the rate the threshold was set from
  const rate = bundle.acceptance_rate ?? Number((1 - bundle.threshold).toPrecision(12));
  return rate > 0 && rate < 1 ? rate : null;
}

export class Scorer {
  /** The bundle's tokenizer; null for a kind without one (a pure TypeScript kind reads the event itself). */
  readonly encoder: Encoder | null;
  readonly calibrator: Calibrator;
  readonly history: HistoryStore;
  /** Previous events the model reads per event. */
  readonly context: number;
  /** Previous events kept per entity: the model's context, or more when the fusion recalls more. */
  readonly historyLength: number;
  /** Token ids per event (the tokenizer's model fields; 0 without a tokenizer). */
  readonly width: number;
  readonly threshold: number;
  readonly maxBatch: number;
  /**
   * The daily alert budget, or null for none. One per scorer, so every path that shares the scorer (proxy,
   * /v1/score, enrich in the same process) shares it too; a model switch hands it on (adoptBudget).
   */
  budget: DailyBudget | null;
  /** ScorerOptions.budgetClock. */
  private readonly budgetClock: (() => number) | undefined;
  /** Moving share of the recent events stamped past the budget clock (countableTime). */
  private aheadShare = 0;
  private clockOff = false;

  /** Present when the bundle fuses the sequence model with the per-entity memory. */
  readonly fusion: Fusion | null;
  /** A cascade's first stage, or null: the bundle's model scores every event. */
  private readonly screen: Screen | null;
  private readonly screenCounts = { screened: 0, escalated: 0 };
  private readonly recallOffset: number;
  /** Ints of a row's recall part (0: the fusion recalls nothing). */
  private readonly recallWidth: number;
  /** The buffer scoreChunk copies its events' recalled rows' recall parts into (grown to the largest batch). */
  private recallColumns = new Int32Array(0);
  private readonly rowLength: number;
  /**
   * With a keepAll store: each remembered event's row by its arrival number, so that scoring it (`seqs`) reuses the
   * row instead of encoding the event a second time (the same values give the same row).
   */
  private readonly rowsBySeq: Int32Array[] | null;
  /** Beside rowsBySeq, each remembered event's history key (remembered without scopes), built once. */
  private readonly keysBySeq: string[] | null;

  /**
   * @param textTokens the bundle's text-field piecer: its adapter must append those fields (withTextTokens) for the
   *   events to carry what the model was trained on.
   */
  private constructor(readonly bundle: Bundle, private readonly model: KindRuntime, options: ScorerOptions, memory?: MemoryFile, readonly textTokens: TextTokens | null = null, screen?: { bundle: Bundle; model: KindRuntime }) {
    this.encoder = bundle.tokenizer ? new Encoder(bundle.tokenizer) : null;
    this.calibrator = new Calibrator(bundle.calibration);
    this.context = bundle.context_length;
    this.width = bundle.tokenizer?.fields.length ?? 0;
    this.threshold = options.threshold ?? bundle.threshold;
    this.maxBatch = options.maxBatch ?? 1024;
    const rate = options.budget === undefined ? budgetRate(bundle) : options.budget;
    this.budget = rate === null ? null : new DailyBudget(rate);
    this.budgetClock = options.budgetClock;
    this.fusion = bundle.fusion && memory ? new Fusion(bundle.fusion, EntityMemory.fromFile(memory)) : null;
    // The screen was checked to share the memory (bundle.ts loadScreen): one EntityMemory serves both fusions.
    this.screen = screen && bundle.screen ? {
      model: screen.model,
      calibrator: new Calibrator(screen.bundle.calibration),
      fusion: screen.bundle.fusion && this.fusion ? new Fusion(screen.bundle.fusion, this.fusion.memory) : null,
      threshold: bundle.screen.threshold,
    } : null;
    this.historyLength = Math.max(this.context, this.fusion?.recall ?? 0);
    // A row: F token ids, the tie-break, then what the fusion recalls of the event (entity-memory.ts recallRow).
    this.recallOffset = this.width + 1;
    this.recallWidth = this.fusion?.recall ? this.fusion.memory.recallWidth : 0;
    this.rowLength = this.recallOffset + this.recallWidth;
    const columns = this.recallWidth ? { columnsFrom: this.recallOffset } : {};
    this.history = new HistoryStore({ length: this.historyLength, slack: Math.max(this.context, 2), maxEntities: options.maxEntities ?? 100_000, ...(options.keepAllHistory ? { keepAll: true } : {}), ...columns });
    this.rowsBySeq = options.keepAllHistory ? [] : null;
    this.keysBySeq = options.keepAllHistory ? [] : null;
  }

  static async load(modelDir: string, options: ScorerOptions = {}): Promise<Scorer> {
    const loaded = await loadBundle(modelDir);
    const { bundle } = loaded;
    const model = await openRuntime(loaded, options);
    if (!loaded.screen) return new Scorer(bundle, model, options, loaded.memory, loaded.textTokens ?? null);
    let screen: KindRuntime;
    try {
      screen = await openRuntime(loaded.screen, options);
    } catch (err) {
      await model.release();
      throw err;
    }
    return new Scorer(bundle, model, options, loaded.memory, loaded.textTokens ?? null, { bundle: loaded.screen.bundle, model: screen });
  }

  /**
   * Whether an event's time may move the daily budget's window: not when it lies more than BUDGET_AHEAD_SECONDS past
   * the clock (`latest`), unless most of the recent events do (then the clock, or the events' time zone, is what is
   * off, and holding them all out would flag nothing at all: said once in the log).
   */
  private countableTime(time: number, latest: number): boolean {
    const ahead = time > latest;
    this.aheadShare += ((ahead ? 1 : 0) - this.aheadShare) / AHEAD_MEMORY;
    const clockOff = this.aheadShare > 0.5;
    if (clockOff !== this.clockOff) {
      this.clockOff = clockOff;
      if (clockOff) logger.warn({ event_time: new Date(time * 1000).toISOString(), clock: new Date((latest - BUDGET_AHEAD_SECONDS) * 1000).toISOString() }, 'most events are stamped over an hour past this machine\'s clock: check its clock and the shippers\' time zones; the daily budget counts them as they come');
      else logger.info('event times are back within an hour of the clock');
    }
    return !ahead || clockOff;
  }

  /**
   * Takes over `previous`'s daily budget when both run one at the same rate: a model switch (reload, rolling
   * retraining) keeps the day's events and flags counted, where a fresh window would let a new warm-up through.
   * Both bundles' anomaly_score are ranks among held-out normal events, so their keys compare.
   */
  adoptBudget(previous: Scorer): void {
    if (this.budget && previous.budget && this.budget.rate === previous.budget.rate) this.budget = previous.budget;
  }

  /** The runtime's memo of model outputs by window (a context-free ONNX bundle or screen), null when it keeps none. */
  get windowCache(): WindowCacheStats | null {
    return this.screen?.model.cache ?? this.model.cache ?? null;
  }

  /** A cascade's counts since load, or null without a screen. */
  get screenStats(): ScreenStats | null {
    return this.screen ? { threshold: this.screen.threshold, ...this.screenCounts } : null;
  }

  /** Model name and version, as written into anomaly.model. */
  get modelId(): { name: string; version: string; kind: string } {
    return { name: this.bundle.name, version: this.bundle.version, kind: this.bundle.kind };
  }

  /** Checks that events carry the fields this bundle was trained on (same adapter field count). */
  private checkWidth(event: CanonicalEvent): void {
    if (!this.bundle.tokenizer) return;
    const expected = this.width - (this.bundle.tokenizer.hour_token ? 1 : 0);
    if (event.fields.length !== expected) {
      throw new AdapterError(event.source.file, event.source.line, `event has ${event.fields.length} fields, model ${this.bundle.name} expects ${expected} (${this.bundle.format} format)`);
    }
  }

  /**
   * Scores events. Each event's context is its entity's previous events in canonical order (order.ts), earlier
   * events of the same call included: the call is scored in canonical order whatever order it came in, and the
   * results come back in the call's order. With `seqs`, the history already holds every event (a `keepAll` store
   * filled by `remember`, `seqs` being each event's arrival number there) and nothing is added. Below
   * `explainAbove` (an anomaly_score), a result's explanation is its top field and its components the top one
   * only, which is all a compact anomaly field or output line keeps; the scores are the same either way. With
   * `receipts`, each result carries what judging it did to the daily budget (ScoreResult.budget), for forget().
   * `uncounted[i]` true: event i is judged by the daily budget without being counted into its window (a route whose
   * events nobody stores, whose callers must not spend the day's flags).
   */
  async score(events: readonly CanonicalEvent[], scopes?: readonly string[], seqs?: readonly number[], explainAbove = 0, receipts = false, uncounted?: readonly boolean[]): Promise<ScoreResult[]> {
    // A kind that scores each event on its own and keeps no history gives the same scores in any order: no rows to
    // encode, nothing to sort (charfreq; a context kind's scores depend on the order its history is built in).
    const independent = this.historyLength === 0 && this.model.independent === true;
    const rows = independent ? events.map(() => NO_ROW) : events.map((event, i) => (seqs && this.rowsBySeq?.[seqs[i] as number]) || this.encode(event));
    const known = seqs && !scopes ? this.keysBySeq : null;
    const keys = events.map((event, i) => (known && known[seqs?.[i] as number]) ?? this.historyKey(event, scopes?.[i]));
    const order = seqs || independent ? events.map((_, i) => i) : canonicalOrder(events.map((e) => e.time), rows, keys);
    const results: ScoreResult[] = new Array(events.length);
    for (let start = 0; start < order.length; start += this.maxBatch) {
      const chunk = order.slice(start, start + this.maxBatch);
      const scored = await this.scoreChunk(chunk.map((i) => events[i] as CanonicalEvent), chunk.map((i) => rows[i] as Int32Array), chunk.map((i) => keys[i] as string), explainAbove, seqs && chunk.map((i) => seqs[i] as number), receipts, uncounted && chunk.map((i) => uncounted[i] === true));
      chunk.forEach((i, k) => {
        results[i] = scored[k] as ScoreResult;
      });
    }
    return results;
  }

  /**
   * The history key of an event: its entity, within a scope (e.g. the index it is written to) so that
   * the same entity in two indices keeps two histories.
   */
  historyKey(event: CanonicalEvent, scope = ''): string {
    return `${scope}\u0000${event.entities[this.bundle.entity_key] ?? '?'}`;
  }

  /**
   * The event as the history holds it: its F token ids, then its tieBreak (order.ts), so that comparing rows
   * compares events in canonical order, then (a fused bundle that recalls) the hashes its memory statistics
   * recall it by. Only the first F entries are tokens; what follows the tie-break derives from the same values.
   */
  encode(event: CanonicalEvent): Int32Array {
    this.checkWidth(event);
    const row = new Int32Array(this.rowLength);
    this.encoder?.encodeInto(event, row, 0);
    row[this.width] = tieBreak(event);
    if (this.rowLength > this.recallOffset) this.fusion?.memory.recallRow(event, row, this.recallOffset);
    return row;
  }

  private async scoreChunk(events: readonly CanonicalEvent[], rows: readonly Int32Array[], keys: readonly string[], explainAbove: number, seqs: readonly number[] | undefined, receipts: boolean, uncounted: readonly boolean[] | undefined): Promise<ScoreResult[]> {
    const B = events.length;
    const pasts: Int32Array[][] = new Array(B);
    // (B, historyLength, recallWidth): each event's recalled rows' recall parts back to back, for the memory
    // statistics. Filled and read before this call awaits anything, so one buffer serves every call.
    const stride = this.historyLength * this.recallWidth;
    if (this.recallColumns.length < B * stride) this.recallColumns = new Int32Array(B * stride);
    const recalled = this.recallWidth ? { out: this.recallColumns, at: 0, count: 0 } : undefined;
    const counts = new Int32Array(recalled ? B : 0);
    // A model without context needs no rows, only their recall parts.
    const rowsWanted = this.context > 0 || !recalled;
    for (let b = 0; b < B; b++) {
      const event = events[b] as CanonicalEvent;
      const row = rows[b] as Int32Array;
      const entity = keys[b] as string;
      if (recalled) recalled.at = b * stride;
      if (recalled && !rowsWanted) {
        this.history.recall(entity, event.time, row, seqs?.[b], recalled);
        pasts[b] = NO_PAST;
      } else pasts[b] = this.historyLength > 0 ? this.history.get(entity, event.time, row, seqs?.[b], recalled) : NO_PAST;
      if (recalled) counts[b] = recalled.count;
      if (!seqs) this.history.push(entity, row, event.time);
    }
    // The model reads its context; the fusion may recall further back.
    const contexts = this.context === 0 ? pasts.map(() => NO_PAST) : this.historyLength > this.context ? pasts.map((p) => (p.length > this.context ? p.slice(p.length - this.context) : p)) : pasts;
    // The runtime has handed the batch to the ONNX worker by the time score() returns its promise; while the
    // worker runs the model, this thread computes the memory's statistics of the same events, which do not depend
    // on the model's output (the two used to run one after the other, and the thread waited half the time). A
    // cascade's screen scores the batch first, without context.
    const screen = this.screen;
    const scoring = screen ? screen.model.score({ events, rows, pasts: pasts.map(() => NO_PAST) }) : this.model.score({ events, rows, pasts: contexts });
    scoring.catch(() => undefined); // awaited below; this only keeps a failure from counting as unhandled meanwhile
    const fusion = this.fusion;
    const M = fusion?.memoryWidth ?? 0;
    const memory = new Float64Array(B * M); // (B, M): each event's memory statistics
    const unseen = new Int32Array(fusion ? B : 0);
    if (fusion) {
      const recall: Recall = recalled ? { row: NO_ROW, offset: this.recallOffset, columns: recalled } : { row: NO_ROW, offset: this.recallOffset };
      for (let b = 0; b < B; b++) {
        recall.row = rows[b] as Int32Array;
        if (recalled) {
          recalled.at = b * stride;
          recalled.count = counts[b] as number;
        } else recall.rows = pasts[b] as Int32Array[];
        unseen[b] = fusion.memoryStatistics(events[b] as CanonicalEvent, memory, b * M, recall);
      }
    }
    const first = await scoring;
    const logP = new Float64Array(fusion?.names.length ?? 0);
    // Events stamped further ahead of a live path's clock than this are judged by the budget, not counted into it.
    const latest = this.budgetClock ? this.budgetClock() + BUDGET_AHEAD_SECONDS : Number.POSITIVE_INFINITY;
    // With a screen: the events it puts at or above its threshold, scored again by the bundle's model with context.
    const again: (EventScore | undefined)[] = screen ? await this.escalate(screen, first, events, rows, contexts, memory, M, logP) : [];
    const results: ScoreResult[] = new Array(B);
    for (let b = 0; b < B; b++) {
      const second = again[b];
      const stage = screen && !second ? screen : this;
      const kind = (second ?? first[b]) as EventScore;
      const raw = stage.fusion ? stage.fusion.combine(kind.total, memory, b * M, logP) : kind.raw;
      const anomaly = stage.calibrator.score(raw);
      const full = anomaly >= explainAbove;
      let components: ComponentScore[] | undefined;
      if (fusion && full) {
        components = Array.from(logP, (lp, c) => fusion.component(fusion.names[c] as string, lp, unseen[b] as number)).sort((x, y) => x.log_p - y.log_p);
      } else if (fusion) {
        // The rarest component: the first a stable sort puts first.
        let top = 0;
        for (let c = 1; c < logP.length; c++) if ((logP[c] as number) < (logP[top] as number)) top = c;
        components = logP.length ? [fusion.component(fusion.names[top] as string, logP[top] as number, unseen[b] as number)] : [];
      }
      // Events reach the budget in the order they are scored (canonical order within a call), so the flags are as
      // deterministic as the scores; anomaly_score itself is never changed by it.
      const over = anomaly >= this.threshold;
      const time = (events[b] as CanonicalEvent).time;
      const countable = this.countableTime(time, latest);
      const judgeOnly = uncounted?.[b] === true;
      // A receipt (an object per event) only for a caller that may take the event back (ScoringService.forget).
      const receipt = this.budget && receipts ? this.budget.admitted(time, stage.calibrator.rarity(raw), over, countable, judgeOnly) : undefined;
      const flagged = receipt ? receipt.flagged : this.budget ? this.budget.admit(time, stage.calibrator.rarity(raw), over, countable, judgeOnly) : over;
      const fields = kind.explain(full);
      const result: ScoreResult = components ? { anomaly_score: anomaly, raw, is_anomaly: flagged, fields, components } : { anomaly_score: anomaly, raw, is_anomaly: flagged, fields };
      if (receipt) result.budget = receipt;
      results[b] = result;
    }
    return results;
  }

  /**
   * A cascade's second stage: per event of the batch, the bundle's model's score where the screen's anomaly_score
   * reaches its threshold (scored together, with their contexts), undefined elsewhere.
   */
  private async escalate(screen: Screen, first: readonly EventScore[], events: readonly CanonicalEvent[], rows: readonly Int32Array[], contexts: readonly Int32Array[][], memory: Float64Array, M: number, logP: Float64Array): Promise<(EventScore | undefined)[]> {
    const up: number[] = [];
    for (let b = 0; b < first.length; b++) {
      const kind = first[b] as EventScore;
      const raw = screen.fusion ? screen.fusion.combine(kind.total, memory, b * M, logP) : kind.raw;
      if (screen.calibrator.score(raw) >= screen.threshold) up.push(b);
    }
    this.screenCounts.screened += first.length;
    this.screenCounts.escalated += up.length;
    const out: (EventScore | undefined)[] = new Array(first.length);
    if (up.length === 0) return out;
    const scored = await this.model.score({ events: up.map((b) => events[b] as CanonicalEvent), rows: up.map((b) => rows[b] as Int32Array), pasts: up.map((b) => contexts[b] as Int32Array[]) });
    up.forEach((b, k) => {
      out[b] = scored[k];
    });
    return out;
  }

  /**
   * Adds events to their entities' histories without scoring them: warms the context with events that came
   * before the ones to score (the fusion step's training period), or fills a keepAll store with a whole file, each
   * event at its arrival number `seqs[b]`.
   */
  remember(events: readonly CanonicalEvent[], scopes?: readonly string[], seqs?: readonly number[]): void {
    if (this.historyLength === 0) return;
    events.forEach((event, b) => {
      const row = this.encode(event);
      const seq = seqs?.[b];
      const key = this.historyKey(event, scopes?.[b]);
      if (seq !== undefined && this.rowsBySeq) this.rowsBySeq[seq] = row;
      if (seq !== undefined && this.keysBySeq && !scopes) this.keysBySeq[seq] = key;
      this.history.push(key, row, event.time, seq);
    });
  }

  /**
   * Takes the events' rows back out of their entities' histories (newest first), as if they had not been scored:
   * for events that were scored but not written, so that their retry gets the same context and the same score;
   * and, given what scoring them did to the daily budget (ScoreResult.budget), takes them out of its window too, so
   * that the retry is counted and flagged as a clean send would be.
   */
  forget(events: readonly CanonicalEvent[], scopes?: readonly string[], receipts?: readonly (BudgetReceipt | undefined)[]): void {
    if (receipts) for (const r of receipts) r?.budget.retract(r);
    if (this.historyLength === 0) return;
    for (let b = events.length - 1; b >= 0; b--) {
      const event = events[b] as CanonicalEvent;
      this.history.remove(this.historyKey(event, scopes?.[b]), this.encode(event), event.time);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.model.release(), this.screen?.model.release()]);
  }
}

/** The kind's runtime over a loaded bundle (ONNX or pure TypeScript). */
async function openRuntime(loaded: LoadedBundle, options: RuntimeOptions): Promise<KindRuntime> {
  const { bundle } = loaded;
  const kind = MODEL_KINDS[bundle.kind] as ModelKind;
  const open = RUNTIMES[kind.runtime];
  if (!open) throw new ModelLoadError(loaded.dir, `kind ${bundle.kind}: no scorer runtime "${kind.runtime}" (this version runs ${Object.keys(RUNTIMES).join(', ')})`);
  return open(loaded, options);
}
