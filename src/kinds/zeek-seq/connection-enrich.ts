// `seqsentry enrich` for a zeek-seq bundle: the Zeek records stored in OpenSearch joined by uid into connections
// (stored-connections.ts), each connection scored with its entity's previous connections as context exactly as
// `seqsentry score` scores the same records from files, and the connection's anomaly fields written onto every record
// of its uid (partial updates). Each pass rebuilds the entities' history from the connections already scored in the
// window, so a restarted run gives the scores an uninterrupted one gives.
//
// A connection is scored once its records can be taken to be all there: its end is at least the join delay behind
// the newest event time stored (Zeek writes the conn record when a connection ends, its dns/http/ssl records as they
// happen), and no connection that started before it is still waiting (its context would miss that one). A record
// that comes for a connection already scored is marked, not rescored: it gets the connection's stored fields with
// `anomaly.late: true`. Rescoring would change a score analysts and monitors have already acted on, and the
// connections scored after it (whose context held the connection as first scored) would no longer agree with it; the
// late record is kept out of the connection when the history is rebuilt, so the context stays what was scored.
import type { Client } from '@opensearch-project/opensearch';
import { createAdapter } from '../../adapters/registry.js';
import { AnomalyWriter, type ScoredUpdate } from '../../enrich/anomaly-writer.js';
import type { EnrichStats } from '../../enrich/enricher.js';
import { call, type RetryObserver } from '../../enrich/os-call.js';
import { sinceToDateMath, timeFieldOf } from '../../enrich/query.js';
import { sleep, type BackoffPolicy } from '../../enrich/retry.js';
import type { EventHit } from '../../enrich/unscored-events.js';
import { Scorer } from '../../scorer/scorer.js';
import { anomalyError, anomalyFields, type AnomalyFields } from '../../service/anomaly-fields.js';
import { stampFor } from '../../service/entity-stamp.js';
import { logger } from '../../util/log.js';
import { openConnectionFeaturizer } from './featurizer.js';
import { hasScore, readStoredConnections, type StoredConnection } from './stored-connections.js';
import { clockSeconds } from '../../scorer/daily-budget.js';

export interface ConnectionEnrichOptions {
  pattern: string;
  since: string;
  /** Seconds a connection's end must lie behind the newest stored event time before it is scored. */
  joinDelaySeconds: number;
  /** Connections per ONNX call and per bulk. */
  batchSize: number;
  /** Documents per PIT page of the walk. */
  pageSize: number;
  keepAlive: string;
  backoff: BackoffPolicy;
  explainAbove: number;
  follow: boolean;
  pollMs: number;
  /** The daily alert budget's rate; null: off; unset: the bundle's acceptance rate (ScorerOptions.budget). */
  budget?: number | null;
  /** Intra-op threads of a large ONNX call (RuntimeOptions.intraOpThreads); unset: ONNX Runtime's choice. */
  onnxThreads?: number;
}

/** The record-enrich counters (EnrichStats) of the records written, plus the connections'. */
export interface ConnectionEnrichStats extends Pick<EnrichStats, 'scored' | 'unreadable' | 'alreadyScored' | 'gone' | 'failed' | 'read' | 'retries' | 'firstFailures'> {
  /** Connections scored (their records written). */
  connections: number;
  /** Connections read back as history (scored before). */
  remembered: number;
  /** Connections the last pass left for a later one: within the join delay, or after one that is. */
  held: number;
  /** Records that came after their connection was scored: marked anomaly.late with its fields. */
  late: number;
}

export interface ConnectionEnrichObserver {
  onPass?(stats: ConnectionEnrichStats): void;
  /** After each bulk of scored connections is written. */
  onBulk?(stats: ConnectionEnrichStats): void;
  onRetry?: RetryObserver;
}

const MAX_REPORTED_FAILURES = 20;
/** Bulks in flight at once, as the record enricher keeps (src/enrich/enricher.ts: OpenSearch's 2 write threads). */
const WRITES_IN_FLIGHT = 2;

export function emptyConnectionStats(): ConnectionEnrichStats {
  return { connections: 0, scored: 0, remembered: 0, held: 0, late: 0, unreadable: 0, alreadyScored: 0, gone: 0, failed: 0, read: 0, retries: 0, firstFailures: [] };
}

const updateOf = (hit: EventHit, fields: AnomalyFields): ScoredUpdate => {
  // A record the proxy marked pending (zeek-seq is scored here) loses the mark with its score.
  const wasPending = (hit.source.anomaly as { pending?: unknown } | undefined)?.pending !== undefined;
  return { index: hit.index, id: hit.id, seqNo: hit.seqNo, primaryTerm: hit.primaryTerm, fields: wasPending ? { ...fields, anomaly: { ...fields.anomaly, pending: null } } : fields };
};

/** The connection as it was scored: the records that carry its score (late ones never reach here). */
function asScored(c: StoredConnection): StoredConnection['connection'] {
  const events = c.connection.events.filter((_, i) => hasScore(c.hits[i] as EventHit));
  return { uid: c.connection.uid, conn: c.connection.conn && hasScore(c.hits[0] as EventHit), events };
}

export class ConnectionEnricher {
  readonly stats = emptyConnectionStats();
  private readonly writer: AnomalyWriter;
  private readonly onRetry: RetryObserver;

  constructor(
    private readonly client: Client,
    private readonly modelDir: string,
    private readonly options: ConnectionEnrichOptions,
    private readonly observer: ConnectionEnrichObserver = {},
  ) {
    this.onRetry = (operation, status, delay, attempt) => {
      this.stats.retries += 1;
      observer.onRetry?.(operation, status, delay, attempt);
    };
    this.writer = new AnomalyWriter(client, { backoff: options.backoff, onRetry: this.onRetry });
  }

  /** One pass, or with `follow` a pass per poll until `signal` aborts. */
  async run(signal: AbortSignal): Promise<ConnectionEnrichStats> {
    for (;;) {
      await this.pass(signal);
      this.observer.onPass?.(this.stats);
      if (!this.options.follow || signal.aborted) return this.stats;
      await sleep(this.options.pollMs, signal);
      if (signal.aborted) return this.stats;
    }
  }

  private async pass(signal: AbortSignal): Promise<void> {
    const { options, stats } = this;
    // A store that keeps every connection of the pass, as `score` keeps every connection of its files: each is
    // scored against the connections before it in canonical order, whatever order the join emitted them in.
    const scorer = await Scorer.load(this.modelDir, { maxBatch: options.batchSize, keepAllHistory: true, ...(options.budget !== undefined ? { budget: options.budget } : {}), ...(options.onnxThreads !== undefined ? { intraOpThreads: options.onnxThreads } : {}), budgetClock: clockSeconds });
    try {
      const { bundle } = scorer;
      const featurizer = await openConnectionFeaturizer(this.modelDir, bundle);
      const adapter = createAdapter(bundle.format, bundle.adapter_options);
      const started = performance.now();
      // Every write of an earlier run or pass visible before the walk: a refresh that came while a bulk was being
      // indexed would otherwise show part of a connection's records scored, read as records that came after it was
      // scored (late), and the connection would be remembered from part of its records, unlike when it was scored.
      await call(this.client, { operation: 'refresh before the walk', method: 'POST', path: `/${encodeURIComponent(options.pattern)}/_refresh`, index: options.pattern }, options.backoff, this.onRetry);
      const window = await readStoredConnections(this.client, adapter, {
        pattern: options.pattern, sinceMath: sinceToDateMath(options.since), timeField: timeFieldOf(adapter), pageSize: options.pageSize,
        keepAlive: options.keepAlive, backoff: options.backoff, onRetry: this.onRetry,
      }, signal);
      stats.read += window.read;
      const walked = performance.now();
      // A walk the signal cut short holds part of the window: joined, its connections would miss records.
      if (signal.aborted) return;
      const scoredAt = new Date().toISOString();
      if (window.unreadable.length) await this.write(window.unreadable.map(({ hit, reason }) => updateOf(hit, anomalyError(reason, scorer.modelId, scoredAt))));

      const events = window.connections.map((c) => featurizer.event(c.connection));
      const unscored = window.connections.map((c) => !c.hits.some(hasScore));
      // Connections still waiting: within the join delay of the newest event, and then every one that starts at or
      // after the first of those (their context would miss it).
      const ready = window.connections.map((c, i) => !unscored[i] || c.end + options.joinDelaySeconds <= window.newest);
      let horizon = Infinity;
      window.connections.forEach((_, i) => {
        if (!ready[i]) horizon = Math.min(horizon, events[i]!.time);
      });
      stats.held = 0;
      const toScore: number[] = [];
      const late: ScoredUpdate[] = [];
      window.connections.forEach((c, i) => {
        if (!unscored[i]) {
          const whole = c.hits.every(hasScore);
          if (!whole) {
            // The records that came after the connection was scored: its fields, marked late.
            const first = c.hits.find(hasScore) as EventHit;
            const fields = { anomaly_score: first.source.anomaly_score as number, anomaly: { ...(first.source.anomaly as AnomalyFields['anomaly']), late: true } };
            for (const hit of c.hits) if (!hasScore(hit)) late.push(updateOf(hit, fields));
            events[i] = featurizer.event(asScored(c));
          }
          scorer.remember([events[i]!], undefined, [i]);
          stats.remembered += 1;
        } else if (events[i]!.time < horizon) {
          scorer.remember([events[i]!], undefined, [i]);
          toScore.push(i);
        } else {
          stats.held += 1;
        }
      });
      if (late.length) stats.late += await this.write(late);

      const key = bundle.entity_key;
      let scoringMs = 0;
      let writingMs = 0;
      // While one batch's bulk is with OpenSearch the next batch is scored: up to WRITES_IN_FLIGHT bulks at once.
      const writes: Array<Promise<void>> = [];
      for (let start = 0; start < toScore.length && !signal.aborted; start += options.batchSize) {
        const batch = toScore.slice(start, start + options.batchSize);
        const t0 = performance.now();
        const results = await scorer.score(batch.map((i) => events[i]!), undefined, batch, options.explainAbove);
        scoringMs += performance.now() - t0;
        const scoredAt = new Date().toISOString();
        const updates: ScoredUpdate[] = [];
        batch.forEach((i, k) => {
          const fields = anomalyFields(results[k]!, scorer.modelId, scorer.threshold, scoredAt, stampFor(adapter, key, events[i]!), options.explainAbove);
          for (const hit of window.connections[i]!.hits) updates.push(updateOf(hit, fields));
        });
        while (writes.length >= WRITES_IN_FLIGHT) await writes.shift();
        // Stopped meanwhile: this batch is not written (the next run scores it again, with the same context).
        if (signal.aborted) break;
        const t1 = performance.now();
        // One bulk per batch: a connection's records are written together, so a stopped run leaves none half-written.
        const write = this.write(updates).then((applied) => {
          writingMs += performance.now() - t1;
          stats.scored += applied;
          stats.connections += batch.length;
          this.observer.onBulk?.(stats);
        });
        write.catch(() => undefined); // awaited below; a failure must not count as unhandled meanwhile
        writes.push(write);
      }
      await Promise.all(writes);
      // Where a pass spends its time: the walk and join, the scorer, the bulks (which overlap the scoring; the rest:
      // featurizing and the history).
      logger.info({ connections: window.connections.length, scored: toScore.length, held: stats.held, walk_ms: Math.round(walked - started), score_ms: Math.round(scoringMs), write_ms: Math.round(writingMs), pass_ms: Math.round(performance.now() - started) }, 'zeek-seq enrich pass');
    } finally {
      await scorer.close();
    }
  }

  /** Writes updates; returns how many were applied (failures are counted and the first ones kept). */
  private async write(updates: ScoredUpdate[]): Promise<number> {
    const outcome = await this.writer.write(updates);
    const s = this.stats;
    s.unreadable += outcome.updatedErrors;
    s.alreadyScored += outcome.alreadyScored;
    s.gone += outcome.gone;
    s.failed += outcome.failed.length;
    s.retries += outcome.itemRetries;
    for (const f of outcome.failed) if (s.firstFailures.length < MAX_REPORTED_FAILURES) s.firstFailures.push(f);
    return outcome.updated - outcome.updatedErrors;
  }
}
