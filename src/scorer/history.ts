// Per-entity history: the latest encoded events of each entity in canonical order, in a bounded LRU.
// Canonical order (order.ts: event time, then the encoded event itself) makes an event's context the same
// whichever path delivered it and in whichever order, as long as its predecessors had arrived when it was scored.
import { compareEvents } from './order.js';

export interface HistoryOptions {
  /** Events used as context (the model's context length). */
  length: number;
  /** Rows kept per entity beyond `length`, so an event that arrives late still finds its predecessors (default: `length`). */
  slack?: number;
  /** Entities kept; the least recently used entity is evicted beyond this. */
  maxEntities: number;
  /**
   * Keep every row of every entity (no trimming, no eviction): a store built from a whole file up front, which
   * `score` queries per event with `get(entity, time, row, seq)`.
   */
  keepAll?: boolean;
}

interface EntityHistory {
  rows: Int32Array[];
  /** Event time of each row; (time, row, seq) is non-decreasing in canonical order. */
  times: number[];
  /** Arrival number of each row: among identical events, the one that came first counts as earlier. */
  seqs: number[];
}

/** Latest pushes remembered (between this many and twice as many) so that remove() can bring back trimmed rows. */
const MAX_UNDO = 65_536;

interface Pushed {
  entity: string;
  row: Int32Array;
  time: number;
  /** The oldest row the push trimmed off to keep the entity within capacity. */
  evicted?: { row: Int32Array; time: number; seq: number };
}

/** With no row given, get() takes every row up to and including `time`. */
const NO_ROW = Int32Array.of(2 ** 31 - 1);

const sameIds = (a: Int32Array, b: Int32Array): boolean => a.length === b.length && a.every((v, f) => v === b[f]);

/** The number of rows of `entry` that come before (time, row, seq) in canonical order: a binary search. */
function rowsBefore(entry: EntityHistory, time: number, row: Int32Array, seq: number): number {
  let lo = 0;
  let hi = entry.times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareEvents(entry.times[mid] as number, entry.rows[mid] as Int32Array, time, row) || (entry.seqs[mid] as number) - seq;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insert(entry: EntityHistory, row: Int32Array, time: number, seq: number): void {
  const at = rowsBefore(entry, time, row, seq);
  if (at === entry.rows.length) {
    // The common case (input in time order): appending is cheaper than a splice at the end.
    entry.rows.push(row);
    entry.times.push(time);
    entry.seqs.push(seq);
    return;
  }
  entry.rows.splice(at, 0, row);
  entry.times.splice(at, 0, time);
  entry.seqs.splice(at, 0, seq);
}

/** Index of the last row with this time and these ids, or -1. */
function lastMatch(entry: EntityHistory, row: Int32Array, time: number): number {
  for (let i = entry.times.length - 1; i >= 0; i--) if (entry.times[i] === time && sameIds(entry.rows[i] as Int32Array, row)) return i;
  return -1;
}

export class HistoryStore {
  // Map iteration order is insertion order: re-inserting on use makes the first key the LRU one.
  private readonly entries = new Map<string, EntityHistory>();
  private readonly capacity: number;
  private readonly recent: Pushed[] = [];
  private arrivals = 0;
  evictions = 0;

  constructor(readonly options: HistoryOptions) {
    this.capacity = options.length + (options.slack ?? options.length);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The history keys held, least recently used first. */
  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  has(entity: string): boolean {
    return this.entries.has(entity);
  }

  /** The time of the entity's latest row held, or undefined (does not mark the entity used). */
  lastTime(entity: string): number | undefined {
    return this.entries.get(entity)?.times.at(-1);
  }

  /**
   * The entity's last `length` rows before the event (time, row) in canonical order, oldest first (empty for an
   * unknown entity). Identical events already held count as earlier (they arrived first), unless `seq` says where
   * this event stands among them (a `keepAll` store that already holds the event itself). Marks the entity
   * recently used.
   */
  get(entity: string, time = Infinity, row: Int32Array = NO_ROW, seq = Infinity): Int32Array[] {
    const entry = this.entries.get(entity);
    if (!entry) return [];
    // A keepAll store evicts nothing, so it keeps no use order (two map operations per event saved).
    if (!this.options.keepAll) {
      this.entries.delete(entity);
      this.entries.set(entity, entry);
    }
    const end = rowsBefore(entry, time, row, seq);
    return entry.rows.slice(Math.max(0, end - this.options.length), end);
  }

  /** Adds one encoded event at its place in canonical order (after identical events already held). */
  push(entity: string, row: Int32Array, time: number, seq = this.arrivals++): void {
    if (this.options.length === 0) return;
    let entry = this.entries.get(entity);
    if (this.options.keepAll) {
      // No use order to keep (see get).
      if (!entry) this.entries.set(entity, (entry = { rows: [], times: [], seqs: [] }));
      insert(entry, row, time, seq);
      return;
    }
    if (entry) this.entries.delete(entity);
    else entry = { rows: [], times: [], seqs: [] };
    insert(entry, row, time, seq);
    this.entries.set(entity, entry);
    const pushed: Pushed = { entity, row, time };
    if (entry.rows.length > this.capacity) {
      pushed.evicted = { row: entry.rows.shift() as Int32Array, time: entry.times.shift() as number, seq: entry.seqs.shift() as number };
    }
    this.recent.push(pushed);
    // Trimmed in halves, not one by one: a shift of the whole log per push would cost more than the push.
    if (this.recent.length >= 2 * MAX_UNDO) this.recent.splice(0, MAX_UNDO);
    while (this.entries.size > this.options.maxEntities) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.evictions += 1;
    }
  }

  /**
   * Takes back one pushed row (the latest with this time and these ids), e.g. for an event whose write failed and
   * will come again: its retry then sees the context it saw the first time. A row the push trimmed off the
   * entity's oldest end comes back too, while the push is among the last MAX_UNDO or more. An emptied entity is
   * forgotten.
   */
  remove(entity: string, row: Int32Array, time: number): boolean {
    const entry = this.entries.get(entity);
    if (!entry) return false;
    const i = lastMatch(entry, row, time);
    if (i < 0) return false;
    entry.rows.splice(i, 1);
    entry.times.splice(i, 1);
    entry.seqs.splice(i, 1);
    let k = this.recent.length - 1;
    while (k >= 0 && !(this.recent[k]!.entity === entity && this.recent[k]!.time === time && sameIds(this.recent[k]!.row, row))) k -= 1;
    if (k >= 0) {
      const { evicted } = this.recent[k] as Pushed;
      this.recent.splice(k, 1);
      // Back at its place in canonical order, so that taking back several pushes in any order rebuilds the same history.
      if (evicted) insert(entry, evicted.row, evicted.time, evicted.seq);
    }
    if (entry.rows.length === 0) this.entries.delete(entity);
    return true;
  }

  /** Replaces an entity's history (e.g. refilled from OpenSearch after a miss); rows oldest first. */
  set(entity: string, rows: Int32Array[], times: number[]): void {
    const entry: EntityHistory = { rows: [], times: [], seqs: [] };
    rows.forEach((row, i) => insert(entry, row, times[i] as number, this.arrivals++));
    const keep = this.options.keepAll ? 0 : -this.capacity;
    this.entries.delete(entity);
    this.entries.set(entity, { rows: entry.rows.slice(keep), times: entry.times.slice(keep), seqs: entry.seqs.slice(keep) });
  }

  clear(): void {
    this.entries.clear();
    this.recent.length = 0;
  }
}
