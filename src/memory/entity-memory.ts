// What each entity and pair did in training: pair counts and per-entity hour-of-day habits. Fitted by
// `seqsentry train`, saved as memory.json beside the model, read-only while scoring (every path, every restart
// sees the same memory, so scores do not depend on which path or replica scored an event).
import type { CanonicalEvent } from '../core/event.js';
import { entityValue, pairKey, type PairSpec } from './pairs.js';

export const MEMORY_SCHEMA_VERSION = 1;
/** Distinct keys kept per pair (and entities per hour profile); later new keys are not counted (memory stays bounded). */
export const MAX_KEYS = 2_000_000;
/** Added to a pair count so an unseen pair has a finite statistic, -ln(0.1). */
const PAIR_PSEUDO_COUNT = 0.1;
/** Pseudo-events of the global hour profile mixed into each entity's, so a new or sparse entity is not rare at every hour. */
const HOUR_PRIOR_EVENTS = 4;

export interface MemorySpec {
  pairs: PairSpec[];
  /** The entity whose hour-of-day habit is kept (the bundle's entity key), or null for none. */
  hour_entity: string | null;
}

export interface MemoryFile {
  schema_version: number;
  spec: MemorySpec;
  events: number;
  /** Per pair, in spec order: [key, count] with key = both members joined by NUL. */
  pair_counts: [string, number][][];
  /** [entity, 24 counts by hour of day] */
  hours: [string, number[]][];
  truncated: boolean;
}

export function hourOfDay(time: number): number {
  const h = Math.floor(time / 3600) % 24;
  return h < 0 ? h + 24 : h;
}

/** One statistic per component, higher = rarer: the pairs' -ln(count + 0.1), then the hour's -ln p(hour | entity). */
export class EntityMemory {
  readonly counts: Map<string, number>[];
  readonly hours = new Map<string, Float64Array>();
  readonly global = new Float64Array(24);
  events = 0;
  truncated = false;
  private globalEvents = 0;

  constructor(readonly spec: MemorySpec) {
    this.counts = spec.pairs.map(() => new Map());
  }

  /** Component names in statistic order, e.g. `pair:user+dst_host`, `hour:user`. */
  get componentNames(): string[] {
    return [...this.spec.pairs.map((p) => `pair:${p.name}`), ...(this.spec.hour_entity ? [`hour:${this.spec.hour_entity}`] : [])];
  }

  add(event: CanonicalEvent): void {
    this.events += 1;
    this.spec.pairs.forEach((pair, i) => {
      const map = this.counts[i] as Map<string, number>;
      const key = pairKey(event, pair);
      const c = map.get(key);
      if (c !== undefined) map.set(key, c + 1);
      else if (map.size < MAX_KEYS) map.set(key, 1);
      else this.truncated = true;
    });
    if (this.spec.hour_entity) {
      const h = hourOfDay(event.time);
      const profile = this.profileOf(entityValue(event, this.spec.hour_entity));
      if (!profile) return;
      profile[h] = (profile[h] as number) + 1;
      this.global[h] = (this.global[h] as number) + 1;
      this.globalEvents += 1;
    }
  }

  /** The entity's hour profile, created when new; undefined (and truncated set) when the memory is full. */
  private profileOf(entity: string): Float64Array | undefined {
    let profile = this.hours.get(entity);
    if (!profile) {
      if (this.hours.size >= MAX_KEYS) {
        this.truncated = true;
        return undefined;
      }
      profile = new Float64Array(24);
      this.hours.set(entity, profile);
    }
    return profile;
  }

  /** Adds another memory's counts (same spec) to this one, within the same bounds. */
  merge(other: EntityMemory): void {
    other.counts.forEach((m, i) => {
      const map = this.counts[i] as Map<string, number>;
      for (const [k, c] of m) {
        const have = map.get(k);
        if (have !== undefined) map.set(k, have + c);
        else if (map.size < MAX_KEYS) map.set(k, c);
        else this.truncated = true;
      }
    });
    for (const [e, p] of other.hours) {
      const profile = this.profileOf(e);
      if (!profile) continue;
      for (let h = 0; h < 24; h++) {
        profile[h] = (profile[h] as number) + (p[h] as number);
        this.global[h] = (this.global[h] as number) + (p[h] as number);
        this.globalEvents += p[h] as number;
      }
    }
    this.events += other.events;
    this.truncated ||= other.truncated;
  }

  /** Count of the event's key for pair i (0 when unseen). */
  pairCount(event: CanonicalEvent, i: number): number {
    return (this.counts[i] as Map<string, number>).get(pairKey(event, this.spec.pairs[i] as PairSpec)) ?? 0;
  }

  /** Circularly smoothed count at hour h: a habit at 08:00 makes 07:00 and 09:00 half as usual. */
  private static smoothed(p: Float64Array, h: number): number {
    return (p[h] as number) + 0.5 * ((p[(h + 23) % 24] as number) + (p[(h + 1) % 24] as number));
  }

  /** p(hour | entity): the entity's smoothed profile mixed with HOUR_PRIOR_EVENTS pseudo-events of the global one. */
  hourProbability(event: CanonicalEvent): number {
    const h = hourOfDay(event.time);
    const totalGlobal = 2 * this.globalEvents;
    const g = totalGlobal > 0 ? (EntityMemory.smoothed(this.global, h) + 1e-3) / (totalGlobal + 0.024) : 1 / 24;
    const profile = this.hours.get(entityValue(event, this.spec.hour_entity as string));
    if (!profile) return g;
    const n = 2 * profile.reduce((s, v) => s + v, 0);
    return (EntityMemory.smoothed(profile, h) + HOUR_PRIOR_EVENTS * g) / (n + HOUR_PRIOR_EVENTS);
  }

  /** Writes the event's statistics into out[offset ..], in componentNames order. */
  statistics(event: CanonicalEvent, out: Float64Array, offset: number): void {
    const P = this.spec.pairs.length;
    for (let i = 0; i < P; i++) out[offset + i] = -Math.log(this.pairCount(event, i) + PAIR_PSEUDO_COUNT);
    if (this.spec.hour_entity) out[offset + P] = -Math.log(this.hourProbability(event));
  }

  toFile(): MemoryFile {
    return {
      schema_version: MEMORY_SCHEMA_VERSION,
      spec: this.spec,
      events: this.events,
      pair_counts: this.counts.map((m) => [...m.entries()]),
      hours: [...this.hours.entries()].map(([e, p]) => [e, Array.from(p)]),
      truncated: this.truncated,
    };
  }

  static fromFile(file: MemoryFile): EntityMemory {
    const memory = new EntityMemory(file.spec);
    file.pair_counts.forEach((entries, i) => {
      const map = memory.counts[i] as Map<string, number>;
      for (const [k, c] of entries) map.set(k, c);
    });
    for (const [e, p] of file.hours) {
      const profile = Float64Array.from(p);
      memory.hours.set(e, profile);
      for (let h = 0; h < 24; h++) memory.global[h] = (memory.global[h] as number) + (profile[h] as number);
      memory.globalEvents += profile.reduce((s, v) => s + v, 0);
    }
    memory.events = file.events;
    memory.truncated = file.truncated;
    return memory;
  }
}
