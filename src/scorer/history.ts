// Per-entity history: the latest encoded events of each entity, ordered by event time, in a bounded LRU.
// Time order (not arrival order) makes an event's context the same whichever path delivered it, even when a
// path (the ML Commons ingest processor) delivers one entity's events slightly out of order.

export interface HistoryOptions {
  /** Events used as context (the model's context length). */
  length: number;
  /** Entities kept; the least recently used entity is evicted beyond this. */
  maxEntities: number;
}

interface EntityHistory {
  rows: Int32Array[];
  /** Event time of each row, non-decreasing. */
  times: number[];
}

/** Rows kept per entity beyond the context length, so an event that arrives late still finds its predecessors. */
const SLACK = 2;
/** Latest pushes remembered (between this many and twice as many) so that remove() can bring back trimmed rows. */
const MAX_UNDO = 65_536;

interface Pushed {
  entity: string;
  row: Int32Array;
  time: number;
  /** The oldest row the push trimmed off to keep the entity within capacity. */
  evicted?: { row: Int32Array; time: number };
}

const sameIds = (a: Int32Array, b: Int32Array): boolean => a.length === b.length && a.every((v, f) => v === b[f]);

/** Index of the last row with this time and these ids, or -1. */
function lastMatch(rows: readonly Int32Array[], times: readonly number[], row: Int32Array, time: number): number {
  for (let i = times.length - 1; i >= 0; i--) if (times[i] === time && sameIds(rows[i] as Int32Array, row)) return i;
  return -1;
}

export class HistoryStore {
  // Map iteration order is insertion order: re-inserting on use makes the first key the LRU one.
  private readonly entries = new Map<string, EntityHistory>();
  private readonly capacity: number;
  private readonly recent: Pushed[] = [];
  evictions = 0;

  constructor(readonly options: HistoryOptions) {
    this.capacity = options.length * SLACK;
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

  /**
   * The entity's last `length` rows with time <= `at`, oldest first (empty for an unknown entity).
   * Rows with the same time as `at` arrived earlier, so they count as earlier. Marks the entity recently used.
   */
  get(entity: string, at = Infinity): Int32Array[] {
    const entry = this.entries.get(entity);
    if (!entry) return [];
    this.entries.delete(entity);
    this.entries.set(entity, entry);
    let end = entry.times.length;
    while (end > 0 && (entry.times[end - 1] as number) > at) end -= 1;
    return entry.rows.slice(Math.max(0, end - this.options.length), end);
  }

  /** Adds one encoded event at its place in time order (after rows with the same time). */
  push(entity: string, row: Int32Array, time: number): void {
    if (this.options.length === 0) return;
    let entry = this.entries.get(entity);
    if (entry) this.entries.delete(entity);
    else entry = { rows: [], times: [] };
    let at = entry.times.length;
    while (at > 0 && (entry.times[at - 1] as number) > time) at -= 1;
    entry.rows.splice(at, 0, row);
    entry.times.splice(at, 0, time);
    const pushed: Pushed = { entity, row, time };
    if (entry.rows.length > this.capacity) {
      pushed.evicted = { row: entry.rows.shift() as Int32Array, time: entry.times.shift() as number };
    }
    this.recent.push(pushed);
    // Trimmed in halves, not one by one: a shift of the whole log per push would cost more than the push.
    if (this.recent.length >= 2 * MAX_UNDO) this.recent.splice(0, MAX_UNDO);
    this.entries.set(entity, entry);
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
    const i = lastMatch(entry.rows, entry.times, row, time);
    if (i < 0) return false;
    entry.rows.splice(i, 1);
    entry.times.splice(i, 1);
    let k = this.recent.length - 1;
    while (k >= 0 && !(this.recent[k]!.entity === entity && this.recent[k]!.time === time && sameIds(this.recent[k]!.row, row))) k -= 1;
    if (k >= 0) {
      const { evicted } = this.recent[k] as Pushed;
      this.recent.splice(k, 1);
      if (evicted) {
        // Back at its place in time order, before rows of the same time (it arrived before them), so that
        // taking back several pushes in any order rebuilds the same history.
        let at = 0;
        while (at < entry.times.length && (entry.times[at] as number) < evicted.time) at += 1;
        entry.rows.splice(at, 0, evicted.row);
        entry.times.splice(at, 0, evicted.time);
      }
    }
    if (entry.rows.length === 0) this.entries.delete(entity);
    return true;
  }

  /** Replaces an entity's history (e.g. refilled from OpenSearch after a miss); rows oldest first. */
  set(entity: string, rows: Int32Array[], times: number[]): void {
    this.entries.delete(entity);
    this.entries.set(entity, { rows: rows.slice(-this.capacity), times: times.slice(-this.capacity) });
  }

  clear(): void {
    this.entries.clear();
    this.recent.length = 0;
  }
}
