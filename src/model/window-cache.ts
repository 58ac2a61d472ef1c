// An exact memo of a context-free model's output per window. With no context a window is one event's F token ids,
// and those repeat (docs/benchmarks.md "Repeated windows": 45-83 % of LANL events at 100k entries), while the ONNX
// output of a window is bit-identical in every batch layout: a remembered output is the output the model would give.
// Keyed by the ids themselves, never by a hash of them, so that no two windows can share an entry.

/**
 * Windows remembered by default. 300,000 events of a 160-person enterprise repeat 83 % of their LANL windows within
 * 50k distinct ones; two days of a 1,600-person one (a million training events) 43 % within 220k, which 65,536 cut to
 * 23 % (docs/benchmarks.md, "The window cache at a large enterprise"). An entry is about 180 bytes at F = 9 (its key
 * and Map entry, about 110; its slot of the outputs, 72), taken only as windows come: about 45 MiB when full.
 */
export const DEFAULT_WINDOW_CACHE = 262_144;

/**
 * Lookups after which a cache that answers fewer than MIN_HIT_RATE of them is given up: where windows rarely repeat
 * (web logins' `lstm-lm`, 2.5 %), keying and copying cost some 4 µs an event for nothing. LANL-like streams repeat
 * over 20 % of their windows even within the last 1,000 (docs/benchmarks.md, "Repeated windows"), 83 % over 300k.
 */
export const TRIAL_LOOKUPS = 32_768;
export const MIN_HIT_RATE = 0.1;

export interface WindowCacheStats {
  /** Events answered without a model call (remembered, or a window already sent in the same batch). */
  readonly hits: number;
  /** Windows sent to the model. */
  readonly misses: number;
  /** Windows remembered now. */
  readonly size: number;
  /** Given up for this model: too few hits after TRIAL_LOOKUPS lookups (emptied, no longer consulted). */
  readonly off: boolean;
}

/**
 * The window's key: each id as one UTF-16 unit, an id of 0xFFFF or more as 0xFFFF then its two 16-bit halves, a
 * prefix-free code, so that two keys are equal exactly when the ids are.
 */
export function windowKey(row: Int32Array, width: number): string {
  const units = KEY_UNITS;
  if (units.length !== width) units.length = width;
  let small = true;
  for (let f = 0; f < width; f++) {
    const id = row[f] as number;
    units[f] = id;
    if (!(id >= 0 && id < 0xffff)) small = false;
  }
  // One string made at once from the ids (appending a unit at a time made a string per id).
  if (small) return String.fromCharCode.apply(null, units);
  let key = '';
  for (let f = 0; f < width; f++) {
    const id = row[f] as number;
    key += id >= 0 && id < 0xffff ? String.fromCharCode(id) : String.fromCharCode(0xffff, id & 0xffff, id >>> 16);
  }
  return key;
}

/** The ids of the key being built (reused: windowKey runs per event). */
const KEY_UNITS: number[] = [];

/**
 * At most `maxEntries` windows, least recently used dropped first (a hit moves its key to the end of the Map's
 * insertion order). A window's output is F surprisals and F expected ids, in its slot of one Float32Array and one
 * Int32Array for all (the model's own float32s and the ids as read()'s callers hold them); the Map holds the slot.
 * Two buffers instead of an array per window: no allocation per window remembered, and hundreds of thousands fewer
 * objects for every garbage collection to visit.
 */
export class WindowCache implements WindowCacheStats {
  private readonly entries = new Map<string, number>();
  /** Slot s's surprisals and expected ids at [Fs, F(s + 1)); grown together as windows come, to F × maxEntries. */
  private surprisals = new Float32Array(0);
  private ids = new Int32Array(0);
  hits = 0;
  misses = 0;
  off = false;

  constructor(readonly maxEntries: number, readonly width: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`window cache entries must be a positive integer, got ${maxEntries}`);
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Whether to consult the cache for the next batch: false for good once TRIAL_LOOKUPS lookups (hits and misses
   * counted since it began) found fewer than MIN_HIT_RATE of them remembered; its entries are then let go.
   */
  worthKeeping(): boolean {
    if (this.off) return false;
    const lookups = this.hits + this.misses;
    if (lookups >= TRIAL_LOOKUPS && this.hits < MIN_HIT_RATE * lookups) {
      this.off = true;
      this.entries.clear();
      this.surprisals = new Float32Array(0);
      this.ids = new Int32Array(0);
    }
    return !this.off;
  }

  /** The remembered output of `key`, written at `at` into surprisal and expected ((B, F) each); false when unknown. */
  read(key: string, surprisal: Float32Array, expected: Int32Array, at: number): boolean {
    const slot = this.entries.get(key);
    if (slot === undefined) return false;
    this.entries.delete(key);
    this.entries.set(key, slot);
    const F = this.width;
    const surprisals = this.surprisals;
    const ids = this.ids;
    const base = F * slot;
    // A loop, not set(subarray()): two views a window would be garbage per event.
    for (let f = 0; f < F; f++) {
      surprisal[at + f] = surprisals[base + f] as number;
      expected[at + f] = ids[base + f] as number;
    }
    return true;
  }

  /** Remembers the window's output, read at `at` in the model's (B, F) outputs (expected: the ids as ints). */
  write(key: string, surprisal: Float32Array, expected: Int32Array, at: number): void {
    const F = this.width;
    // A window that two batches in flight both missed is written twice: the second time into its own slot, and its
    // place in the use order stays, as Map.set leaves it.
    let slot = this.entries.get(key);
    if (slot === undefined && this.entries.size >= this.maxEntries) {
      // The least recently used window's slot is the new one's.
      const oldest = this.entries.keys().next().value as string;
      slot = this.entries.get(oldest) as number;
      this.entries.delete(oldest);
    } else if (slot === undefined) {
      slot = this.entries.size;
      if (F * (slot + 1) > this.ids.length) {
        const slots = Math.min(this.maxEntries, Math.max(1024, 2 * (slot + 1)));
        const surprisals = new Float32Array(F * slots);
        const ids = new Int32Array(F * slots);
        surprisals.set(this.surprisals);
        ids.set(this.ids);
        this.surprisals = surprisals;
        this.ids = ids;
      }
    }
    const base = F * slot;
    for (let f = 0; f < F; f++) {
      this.surprisals[base + f] = surprisal[at + f] as number;
      this.ids[base + f] = expected[at + f] as number;
    }
    this.entries.set(key, slot);
  }
}
