// A memo with a hard size limit, for lookups whose keys come from requests (user agents, client addresses): the
// inputs repeat a few values, but a hostile or unusual stream must not grow the process. When full, the entry
// inserted first goes (a Map keeps insertion order), so a new value never empties the whole cache at once.

export class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value remembered for `key`, else `compute(key)` remembered (the oldest entry dropped when full). */
  getOrCompute(key: K, compute: (key: K) => V): V {
    const cached = this.entries.get(key);
    if (cached !== undefined || this.entries.has(key)) return cached as V;
    const value = compute(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as K);
    this.entries.set(key, value);
    return value;
  }
}
