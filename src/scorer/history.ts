// Per-entity history: the last K encoded events of each entity, in a bounded LRU.

export interface HistoryOptions {
  /** Events kept per entity (the model's context length). */
  length: number;
  /** Entities kept; the least recently used entity is evicted beyond this. */
  maxEntities: number;
}

/** A history entry: the entity's last `length` encoded rows, oldest first, and the newest event time. */
export interface EntityHistory {
  rows: Int32Array[];
  lastTime: number;
}

export class HistoryStore {
  // Map iteration order is insertion order: re-inserting on use makes the first key the LRU one.
  private readonly entries = new Map<string, EntityHistory>();
  evictions = 0;

  constructor(readonly options: HistoryOptions) {}

  get size(): number {
    return this.entries.size;
  }

  has(entity: string): boolean {
    return this.entries.has(entity);
  }

  /** The entity's rows, oldest first (empty for an unknown entity); marks it recently used. */
  get(entity: string): Int32Array[] {
    const entry = this.entries.get(entity);
    if (!entry) return [];
    this.entries.delete(entity);
    this.entries.set(entity, entry);
    return entry.rows;
  }

  /** Appends one encoded event to the entity's history. */
  push(entity: string, row: Int32Array, time: number): void {
    if (this.options.length === 0) return;
    let entry = this.entries.get(entity);
    if (entry) this.entries.delete(entity);
    else entry = { rows: [], lastTime: time };
    entry.rows.push(row);
    if (entry.rows.length > this.options.length) entry.rows.shift();
    entry.lastTime = time;
    this.entries.set(entity, entry);
    while (this.entries.size > this.options.maxEntities) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.evictions += 1;
    }
  }

  /** Replaces an entity's history (e.g. refilled from OpenSearch after a miss). */
  set(entity: string, rows: Int32Array[], lastTime: number): void {
    this.entries.delete(entity);
    this.entries.set(entity, { rows: rows.slice(-this.options.length), lastTime });
  }

  clear(): void {
    this.entries.clear();
  }
}
