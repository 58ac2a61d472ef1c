// The enrich loop: per slice, walk unscored events (PIT + search_after), score each page through the shared
// ScoringService, write the anomaly fields back, checkpoint; with `follow`, poll for new events until aborted,
// picking up a changed bundle between pages.
import type { Client } from '@opensearch-project/opensearch';
import { isNoEvent } from '../adapters/adapter.js';
import { OpenSearchError, SeqSentryError } from '../core/errors.js';
import type { ModelSwitch } from '../service/model-switch.js';
import type { ScoreRequest, ScoringService } from '../service/scoring-service.js';
import { logger } from '../util/log.js';
import { countUnseen, nonDateIndices } from './unseen-events.js';
import { AnomalyWriter, type ItemFailure } from './anomaly-writer.js';
import { CheckpointStore, type Checkpoint } from './checkpoints.js';
import type { RetryObserver } from './os-call.js';
import { sliceOf } from './partition.js';
import { sinceToDateMath, timeFieldOf, windowQuery, type SortValues } from './query.js';
import { sleep, type BackoffPolicy } from './retry.js';
import { UnscoredEventReader, type EventHit, type EventPage } from './unscored-events.js';

export interface EnrichOptions {
  /** Index pattern of the events, e.g. `logs-auth-*`. */
  pattern: string;
  /** Window start as given (`24h`, date math or ISO): events with @timestamp at or after it. */
  since: string;
  /** Job name: checkpoints are kept per job and slice. */
  job: string;
  sliceMax: number;
  /** Slices this process runs (all of 0..sliceMax-1 unless --slice-id picked one). */
  sliceIds: number[];
  follow: boolean;
  /** Hits per PIT page; one page is one bulk and one checkpoint. */
  pageSize: number;
  keepAlive: string;
  /** Wait between polls in follow mode. */
  pollMs: number;
  backoff: BackoffPolicy;
  /**
   * How scores are written back: `index` writes each event whole (its read source plus the anomaly fields) where its
   * index allows it (write-path.ts), `update` sends partial updates only. Default DEFAULT_WRITE_BACK.
   */
  writeBack?: WriteBack;
  /** Called before each page is scored: may switch `models` to a changed bundle (enrich --follow). */
  beforePage?: () => Promise<void>;
}

export interface EnrichStats {
  /** Events that got an anomaly_score. */
  scored: number;
  /** Events the adapter could not read: written with anomaly.error so they are not read again. */
  unreadable: number;
  /** Events another writer scored between our read and our write. */
  alreadyScored: number;
  /** Of the events written, those written whole (`index` actions) rather than by partial update. */
  writtenWhole: number;
  gone: number;
  /** Writes that failed for good (logged one by one). */
  failed: number;
  /** Hits read (including those belonging to other slices). */
  read: number;
  /** Requests and bulk items sent again after 429 / conflicts / connection loss. */
  retries: number;
  /**
   * Unscored events of the pattern, at the start, that the walk cannot reach: without the time field, or in an index
   * that maps it as another type than a date (`countUnseen`). Left unscored; logged with the reason.
   */
  unseen: number;
  firstFailures: ItemFailure[];
}

export interface EnrichObserver {
  /** Called after each page: hits read so far and the running estimate of hits to read. */
  onProgress?(read: number, total: number, stats: EnrichStats): void;
  onRetry?: RetryObserver;
}

export const WRITE_BACKS = Object.freeze(['index', 'update'] as const);
export type WriteBack = (typeof WRITE_BACKS)[number];
/** Measured faster with bench/enrich.mjs, alternating both (docs/benchmarks.md, the bench/enrich.mjs row). */
export const DEFAULT_WRITE_BACK: WriteBack = 'index';

const MAX_REPORTED_FAILURES = 20;
/**
 * Bulks of one slice in flight at once. Two: while one waits on OpenSearch the other is being sent or answered;
 * more only queue in OpenSearch's write pool (2 threads on a 2-core node) and hold more pages in memory.
 */
const WRITES_IN_FLIGHT = 2;

export function emptyStats(): EnrichStats {
  return { scored: 0, unreadable: 0, alreadyScored: 0, writtenWhole: 0, gone: 0, failed: 0, read: 0, retries: 0, unseen: 0, firstFailures: [] };
}

/** The longest wait between two tries of enrich --follow while OpenSearch is unavailable. */
const OUTAGE_MAX_WAIT_MS = 60_000;

/** A failure that the cluster coming back mends: no answer at all, 429, or a 5xx. */
function isTransient(err: unknown): boolean {
  if (!(err instanceof OpenSearchError)) return false;
  return err.status === undefined || err.status === 429 || err.status >= 500;
}

export class Enricher {
  readonly stats = emptyStats();
  private total = 0;
  private readonly writer: AnomalyWriter;
  private readonly checkpoints: CheckpointStore;
  /** Events OpenSearch refused to take the anomaly fields of, for good (index, id): not scored again. */
  private readonly refused = new Set<string>();
  private readonly sinceMath: string;
  private readonly onRetry: RetryObserver;

  constructor(
    private readonly client: Client,
    /** The serving bundle's ScoringService; each page is scored whole by the one it leases. */
    private readonly models: ModelSwitch,
    private readonly options: EnrichOptions,
    private readonly observer: EnrichObserver = {},
  ) {
    this.sinceMath = sinceToDateMath(options.since);
    this.onRetry = (operation, status, delay, attempt) => {
      this.stats.retries += 1;
      observer.onRetry?.(operation, status, delay, attempt);
    };
    this.writer = new AnomalyWriter(client, { backoff: options.backoff, onRetry: this.onRetry, wholeDocuments: (options.writeBack ?? DEFAULT_WRITE_BACK) === 'index' });
    this.checkpoints = new CheckpointStore(client, options.backoff);
  }

  /** Runs every slice of this process to the end of the data (or, with follow, until `signal` aborts). */
  async run(signal: AbortSignal): Promise<EnrichStats> {
    await this.checkpoints.ensureIndex();
    await this.countUnseen();
    // Slices own disjoint entities, so one ScoringService (and its history) serves them all.
    await Promise.all(this.options.sliceIds.map((id) => this.runSlice(id, signal)));
    return this.stats;
  }

  /** Counts and logs the unscored events the walk cannot reach (`countUnseen`), once per run. */
  private async countUnseen(): Promise<void> {
    const { pattern, backoff } = this.options;
    const timeField = timeFieldOf(this.service.adapter);
    const unseen = await countUnseen(this.client, pattern, timeField, await nonDateIndices(this.client, pattern, timeField, backoff), backoff);
    this.stats.unseen = unseen.withoutTime + unseen.notDate;
    if (unseen.withoutTime > 0) logger.warn({ pattern, timeField, events: unseen.withoutTime }, `${unseen.withoutTime} unscored events have no ${timeField}: enrich reads events by it, so they stay unscored (score them where they are shipped, or set ${timeField} at ingest)`);
    if (unseen.notDate > 0) logger.warn({ pattern, timeField, events: unseen.notDate, indices: unseen.indices }, `${unseen.notDate} unscored events are in indices mapping ${timeField} as another type than a date (${unseen.indices.map((x) => `${x.index}: ${x.type}`).join(', ')}): enrich leaves those indices out, so they stay unscored (map ${timeField} as date and reindex)`);
  }

  private async runSlice(sliceId: number, signal: AbortSignal): Promise<void> {
    const { job, pattern, sliceMax, follow, pollMs } = this.options;
    let checkpoint = await this.checkpoints.read(job, sliceId, { pattern, sliceMax });
    if (checkpoint?.status === 'running') logger.info({ job, slice: sliceId, scored: checkpoint.scored }, 'resuming from checkpoint');
    let outage = 0;
    for (;;) {
      try {
        checkpoint = await this.pass(sliceId, checkpoint, signal);
        if (outage > 0) logger.info({ job, slice: sliceId }, 'OpenSearch answers again: following on');
        outage = 0;
      } catch (err) {
        // Following outlives an outage of the cluster (a restart, an overloaded node): the pass starts again from
        // the stored checkpoint once it answers. A one-off run, or a refusal that retrying cannot mend, ends here.
        if (!follow || signal.aborted || !isTransient(err)) throw err;
        outage += 1;
        const wait = Math.min(OUTAGE_MAX_WAIT_MS, pollMs * 2 ** Math.min(outage, 10));
        logger.warn({ job, slice: sliceId, attempt: outage, retry_in_ms: wait, reason: (err as Error).message.slice(0, 300) }, 'OpenSearch unavailable: enrich --follow waits and resumes from its checkpoint');
        await sleep(wait, signal);
        if (signal.aborted) return;
        checkpoint = await this.checkpoints.read(job, sliceId, { pattern, sliceMax }).catch(() => checkpoint);
        continue;
      }
      if (!follow || signal.aborted) return;
      await sleep(pollMs, signal);
      if (signal.aborted) return;
    }
  }

  /**
   * One walk over the unscored events in the window. A `running` checkpoint (a killed or stopped run)
   * continues after its position; after a `done` one, a new pass starts from the window's beginning,
   * so late-indexed events are found too (already scored ones are filtered out by the query).
   */
  private async pass(sliceId: number, checkpoint: Checkpoint | null, signal: AbortSignal): Promise<Checkpoint> {
    const { job, pattern, sliceMax, since, pageSize, keepAlive, backoff } = this.options;
    const resuming = checkpoint?.status === 'running';
    let position: SortValues | null = resuming ? (checkpoint?.searchAfter ?? null) : null;
    // Counts accumulate over the job's passes: the checkpoint tells how much this slice has scored in all.
    let scored = checkpoint?.scored ?? 0;
    let pages = 0;
    // Up to WRITES_IN_FLIGHT bulks run while the next page is scored (and the one after it fetched); each page's
    // checkpoint waits for the previous page's, so a checkpoint never passes a page whose bulk has not succeeded.
    // `written` settles once the last page's bulk and checkpoint are done; `writes` holds those not yet awaited.
    let written: Promise<void> = Promise.resolve();
    const writes: Array<Promise<void>> = [];
    let writeError: unknown = null;
    const save = (status: 'running' | 'done') =>
      this.checkpoints.write(job, sliceId, { index_pattern: pattern, slice_max: sliceMax, since, search_after: position ? JSON.stringify(position) : '', scored, status });

    // After a restart, the run that stopped may have scored a page or two past its checkpoint: those events are
    // walked too and scored again for their entities' history (not written), until a page holds none of them.
    // Skipping them would leave a gap in the history of every entity seen again later.
    let catchingUp = resuming;
    const timeField = timeFieldOf(this.service.adapter);
    // Read again each pass: an index created since may map the time field as something else.
    const exclude = (await nonDateIndices(this.client, pattern, timeField, backoff)).map((x) => x.index);
    for (;;) {
      const reader = new UnscoredEventReader(this.client, {
        pattern, exclude, sinceMath: this.sinceMath, timeField, pageSize, keepAlive, backoff, onRetry: this.onRetry, ...(catchingUp ? { query: windowQuery(this.sinceMath, timeField) } : {}),
      });
      let caughtUp = false;
      let freshPages = 0;
      for await (const page of reader.pages(position, signal)) {
        pages += 1;
        if (page.total !== undefined && !catchingUp) this.total += page.total;
        const mine = sliceMax > 1 ? page.hits.filter((h) => this.owns(h, sliceId)) : page.hits;
        // Events whose write OpenSearch refused for good earlier in this process are passed over: scored again on
        // every poll they would enter their entity's history and the daily budget once more each time
        const own = this.refused.size > 0 ? mine.filter((h) => !this.refused.has(refusedKey(h))) : mine;
        await this.options.beforePage?.();
        const results = await this.scorePage(own);
        const fresh = catchingUp ? own.map((h) => !alreadyScored(h)) : null;
        while (writes.length >= WRITES_IN_FLIGHT) await writes.shift();
        if (writeError) throw writeError;
        // Scored past the checkpoint by the run that stopped: counted as this job's, as that run counted them.
        const before = fresh ? fresh.filter((f) => !f).length : 0;
        // writePage counts those written and those another writer scored between our read and our write (such as
        // the stopped run's last bulk, which OpenSearch may apply after the restart read the page): every event
        // the walk leaves scored counts once.
        const bulk = this.writePage(page, fresh ? own.filter((_, i) => fresh[i]) : own, fresh ? results.filter((_, i) => fresh[i]) : results);
        // Handled by the chain below once the previous page is through; until then a failure must not count as unhandled.
        bulk.catch(() => undefined);
        written = written
          .then(() => bulk)
          .then(async (count) => {
            // A page before this one failed: its checkpoint was not written, so neither is this one.
            if (writeError) return;
            scored += count + before;
            position = page.last;
            await save('running');
            this.stats.read += page.hits.length;
            this.observer.onProgress?.(this.stats.read, this.total, this.stats);
          })
          // Held until the next page (or the end) rethrows it: a failed bulk or checkpoint stops the slice there.
          .catch((err: unknown) => {
            writeError ??= err;
          });
        writes.push(written);
        // The stopped run may have had WRITES_IN_FLIGHT pages past its checkpoint in flight, and a later one may
        // have landed while an earlier one did not: caught up only after that many pages in a row hold none of its.
        freshPages = fresh && fresh.every(Boolean) ? freshPages + 1 : 0;
        if (freshPages >= WRITES_IN_FLIGHT) {
          caughtUp = true;
          break;
        }
      }
      if (!caughtUp) break;
      await written; // the unscored walk goes on from this page's checkpoint
      writes.length = 0;
      if (writeError) throw writeError;
      catchingUp = false;
    }
    await written;
    if (writeError) throw writeError;
    if (signal.aborted) return { searchAfter: position, scored, status: 'running' };
    // Nothing new in follow mode: keep the stored checkpoint as it is rather than rewrite it every poll.
    if (pages > 0 || checkpoint?.status !== 'done') await save('done');
    return { searchAfter: position, scored, status: 'done' };
  }

  /** Every bundle a switch accepts reads the same format and entity key, so the adapter is the current one's. */
  private get service(): ScoringService {
    const service = this.models.current;
    if (!service) throw new SeqSentryError('enrich: no model loaded');
    return service;
  }

  private async scorePage(hits: EventHit[]): ReturnType<ScoringService['score']> {
    const lease = this.models.lease();
    if (!lease) throw new SeqSentryError('enrich: no model loaded');
    try {
      return await lease.service.score(hits.map(toRequest));
    } finally {
      lease.release();
    }
  }

  private owns(hit: EventHit, sliceId: number): boolean {
    let entity: string | undefined;
    try {
      const event = this.service.adapter.parse(hit.source, { file: `${hit.index}/${hit.id}`, line: 1 });
      entity = event && !isNoEvent(event) ? event.entities[this.service.scorer.bundle.entity_key] : undefined;
    } catch {
      entity = undefined; // unreadable: it still belongs to exactly one slice, by id
    }
    return sliceOf(hit.index, entity, hit.id, this.options.sliceMax) === sliceId;
  }

  /** Writes one page's results; returns how many of its events now have a score: written, or scored first by another writer. */
  private async writePage(page: EventPage, own: EventHit[], results: Awaited<ReturnType<ScoringService['score']>>): Promise<number> {
    if (own.length === 0) return 0;
    // A transient failure (an entity's history could not be loaded): stop before this page's checkpoint, so that
    // a rerun (or the next poll) scores these events rather than passing them by.
    const pending = results.find((r) => typeof r.anomaly.pending === 'string');
    if (pending) throw new SeqSentryError(`enrich: events not scored (${pending.anomaly.pending}); stopping at the last checkpoint`);
    const updates = own.map((h, i) => {
      const fields = results[i]!;
      // An event the proxy left pending loses the mark with its score.
      const wasPending = (h.source.anomaly as Record<string, unknown> | undefined)?.pending !== undefined;
      return { index: h.index, id: h.id, seqNo: h.seqNo, primaryTerm: h.primaryTerm, source: h.source, fields: wasPending ? { ...fields, anomaly: { ...fields.anomaly, pending: null } } : fields };
    });
    const outcome = await this.writer.write(updates);
    const unreadable = outcome.updatedErrors;
    const written = outcome.updated - unreadable;
    const s = this.stats;
    s.scored += written;
    s.unreadable += unreadable;
    s.alreadyScored += outcome.alreadyScored;
    s.writtenWhole += outcome.indexed;
    s.gone += outcome.gone;
    s.failed += outcome.failed.length;
    s.retries += outcome.itemRetries;
    const permanent = outcome.failed.filter((f) => f.status >= 400 && f.status < 500 && f.status !== 409 && f.status !== 429);
    for (const f of permanent) if (this.refused.size < MAX_REFUSED) this.refused.add(refusedKey({ index: f.index, id: f.id }));
    if (permanent.length > 0) logger.warn({ events: permanent.length, first: permanent[0], held: this.refused.size }, 'OpenSearch refused to write these events\' anomaly fields for good (a mapping conflict, a block): passed over from now on in this process, left unscored');
    for (const f of outcome.failed) if (s.firstFailures.length < MAX_REPORTED_FAILURES) s.firstFailures.push(f);
    logger.debug({ page: page.last, written, unreadable, alreadyScored: outcome.alreadyScored, failed: outcome.failed.length }, 'page written');
    return written + outcome.alreadyScored;
  }
}

/** Events whose write was refused for good, kept per process at most (the first ones): beyond, they are retried. */
const MAX_REFUSED = 100_000;

function refusedKey(h: { index: string; id: string }): string {
  return `${h.index}\u0000${h.id}`;
}

/** Scored already (or given up on): the unscored walk would not return it. */
function alreadyScored(hit: EventHit): boolean {
  return hit.source.anomaly_score !== undefined || (hit.source.anomaly as Record<string, unknown> | undefined)?.error !== undefined;
}

function toRequest(hit: EventHit): ScoreRequest {
  return { record: hit.source, scope: hit.index, source: { file: `${hit.index}/${hit.id}`, line: 1 } };
}
