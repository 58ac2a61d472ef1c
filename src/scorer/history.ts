// Per-entity history: the latest encoded events of each entity in canonical order, in a bounded LRU.
// Canonical order (order.ts: event time, then the encoded event itself) makes an event's context the same
// whichever path delivered it and in whichever order, as long as its predecessors had arrived when it was scored.
import { compareEvents } from './order.js';
import { PushLog } from './push-log.js';

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
  /**
   * Keep each row's ints from this index on a second time, back to back per entity (the fusion's recall part), so that
   * get() can hand them over contiguous: read from the row objects, which lie wherever the heap put them, memory
   * latency was most of the recall's time.
   */
  columnsFrom?: number;
}

interface EntityHistory {
  rows: Int32Array[];
  /** Event time of each row; (time, row, seq) is non-decreasing in canonical order. */
  times: number[];
  /** Arrival number of each row: among identical events, the one that came first counts as earlier. */
  seqs: number[];
  /** With options.columnsFrom: row k's ints from there on at [k × width, (k + 1) × width), rows.length of them. */
  columns: Int32Array | null;
}

/**
 * Where get() and recall() copy the columns (options.columnsFrom) of the rows they find: into `out` from `at`, oldest
 * first, `count` rows of them.
 */
export interface ColumnsTarget {
  out: Int32Array;
  at: number;
  count: number;
}

/** Latest pushes remembered (between this many and twice as many) so that remove() can bring back trimmed rows. */
const MAX_UNDO = 65_536;

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

/** Copies row's ints from `from` on into the entry's columns as row `at`, after moving rows at..n-1 one up. */
function insertColumns(entry: EntityHistory, at: number, row: Int32Array, from: number): void {
  const width = row.length - from;
  const n = entry.rows.length;
  let columns = entry.columns as Int32Array;
  if ((n + 1) * width > columns.length) {
    const grown = new Int32Array(Math.max(2 * columns.length, (n + 1) * width, 16 * width));
    grown.set(columns.subarray(0, n * width));
    entry.columns = columns = grown;
  }
  if (at < n) columns.copyWithin((at + 1) * width, at * width, n * width);
  for (let f = 0; f < width; f++) columns[at * width + f] = row[from + f] as number;
}

/** Drops row i's columns (before rows.length counts it out). */
function removeColumns(entry: EntityHistory, i: number, width: number): void {
  const columns = entry.columns as Int32Array;
  columns.copyWithin(i * width, (i + 1) * width, entry.rows.length * width);
}

function insert(entry: EntityHistory, row: Int32Array, time: number, seq: number, from: number | undefined): void {
  const at = rowsBefore(entry, time, row, seq);
  if (from !== undefined) insertColumns(entry, at, row, from);
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
  private readonly recent = new PushLog();
  private arrivals = 0;
  evictions = 0;

  /** options.columnsFrom, or undefined: no columns kept. */
  private readonly from: number | undefined;
  /**
   * Ints of a row's columns, from the rows stored (every row of a store has one length): kept here, because reading
   * it off a held row would fetch an object that copying the columns does not otherwise touch.
   */
  private columnsWidth = 0;
  /** The entity last moved to the end of the use order (get, push): one that is there already is not moved again. */
  private lastUsed: string | undefined;
  /** The rows [windowStart, windowEnd) of the entity the last find() found. */
  private windowStart = 0;
  private windowEnd = 0;

  constructor(readonly options: HistoryOptions) {
    this.capacity = options.length + (options.slack ?? options.length);
    this.from = options.columnsFrom;
  }

  private newEntry(): EntityHistory {
    return { rows: [], times: [], seqs: [], columns: this.from === undefined ? null : new Int32Array(0) };
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
   * recently used. With `columns`, the same rows' columns (options.columnsFrom on) are copied into columns.out from
   * columns.at, back to back, oldest first (nothing for an unknown entity).
   */
  get(entity: string, time = Infinity, row: Int32Array = NO_ROW, seq = Infinity, columns?: ColumnsTarget): Int32Array[] {
    const entry = this.find(entity, time, row, seq, columns);
    return entry ? entry.rows.slice(this.windowStart, this.windowEnd) : [];
  }

  /** get() without the rows: only their columns, into `columns` (a store with options.columnsFrom). */
  recall(entity: string, time: number, row: Int32Array, seq: number | undefined, columns: ColumnsTarget): void {
    this.find(entity, time, row, seq ?? Infinity, columns);
  }

  /** Where get() finds its rows: into windowStart, windowEnd; their columns copied when asked. */
  private find(entity: string, time: number, row: Int32Array, seq: number, columns?: ColumnsTarget): EntityHistory | undefined {
    if (columns) columns.count = 0;
    const entry = this.entries.get(entity);
    if (!entry) return undefined;
    // A keepAll store evicts nothing, so it keeps no use order (two map operations per event saved).
    if (!this.options.keepAll) this.use(entity, entry);
    const end = rowsBefore(entry, time, row, seq);
    const start = Math.max(0, end - this.options.length);
    this.windowStart = start;
    this.windowEnd = end;
    if (columns && entry.columns && end > start) {
      const width = this.columnsWidth;
      columns.out.set(entry.columns.subarray(start * width, end * width), columns.at);
      columns.count = end - start;
    }
    return entry;
  }

  /** Moves a held entity to the end of the use order (Map insertion order), unless it is there already. */
  private use(entity: string, entry: EntityHistory): void {
    if (entity === this.lastUsed) return;
    this.entries.delete(entity);
    this.entries.set(entity, entry);
    this.lastUsed = entity;
  }

  /** Adds one encoded event at its place in canonical order (after identical events already held). */
  push(entity: string, row: Int32Array, time: number, seq = this.arrivals++): void {
    if (this.options.length === 0) return;
    if (this.from !== undefined) this.columnsWidth = row.length - this.from;
    let entry = this.entries.get(entity);
    if (this.options.keepAll) {
      // No use order to keep (see get).
      if (!entry) this.entries.set(entity, (entry = this.newEntry()));
      insert(entry, row, time, seq, this.from);
      return;
    }
    if (entry) this.use(entity, entry);
    else this.entries.set(entity, (entry = this.newEntry()));
    this.lastUsed = entity;
    insert(entry, row, time, seq, this.from);
    if (entry.rows.length > this.capacity) {
      if (this.from !== undefined) removeColumns(entry, 0, row.length - this.from);
      this.recent.add(entity, row, time, entry.rows.shift() as Int32Array, entry.times.shift() as number, entry.seqs.shift() as number);
    } else this.recent.add(entity, row, time, undefined, 0, 0);
    // Trimmed in halves, not one by one: a shift of the whole log per push would cost more than the push.
    if (this.recent.length >= 2 * MAX_UNDO) this.recent.drop(0, MAX_UNDO);
    while (this.entries.size > this.options.maxEntities) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      if (oldest === this.lastUsed) this.lastUsed = undefined;
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
    if (this.from !== undefined) removeColumns(entry, i, row.length - this.from);
    entry.rows.splice(i, 1);
    entry.times.splice(i, 1);
    entry.seqs.splice(i, 1);
    const log = this.recent;
    let k = log.length - 1;
    while (k >= 0 && !(log.entities[k] === entity && log.times[k] === time && sameIds(log.rows[k] as Int32Array, row))) k -= 1;
    if (k >= 0) {
      const evicted = log.evicted[k];
      const evictedTime = log.evictedTimes[k] as number;
      const evictedSeq = log.evictedSeqs[k] as number;
      log.drop(k, 1);
      // Back at its place in canonical order, so that taking back several pushes in any order rebuilds the same history.
      if (evicted) insert(entry, evicted, evictedTime, evictedSeq, this.from);
    }
    if (entry.rows.length === 0) {
      this.entries.delete(entity);
      if (entity === this.lastUsed) this.lastUsed = undefined;
    }
    return true;
  }

  /** Replaces an entity's history (e.g. refilled from OpenSearch after a miss); rows oldest first. */
  set(entity: string, rows: Int32Array[], times: number[]): void {
    const entry = this.newEntry();
    if (this.from !== undefined && rows[0]) this.columnsWidth = rows[0].length - this.from;
    rows.forEach((row, i) => insert(entry, row, times[i] as number, this.arrivals++, this.from));
    // The oldest rows beyond capacity go, from the front of the columns too.
    for (let drop = this.options.keepAll ? 0 : entry.rows.length - this.capacity; drop > 0; drop--) {
      if (this.from !== undefined) removeColumns(entry, 0, (entry.rows[0] as Int32Array).length - this.from);
      entry.rows.shift();
      entry.times.shift();
      entry.seqs.shift();
    }
    this.entries.delete(entity);
    this.entries.set(entity, entry);
    this.lastUsed = entity;
  }

  clear(): void {
    this.lastUsed = undefined;
    this.entries.clear();
    this.recent.clear();
  }
}
