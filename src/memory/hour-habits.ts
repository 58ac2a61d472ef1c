// Hour-of-day habits, the part of the per-entity memory (entity-memory.ts) that knows when each entity is active:
// per key (an entity, or an entity and one of its fields, e.g. a user's OS) its events by hour of day, and everyone's.
// p(hour | key) mixes the key's circularly smoothed profile with a few pseudo-events of the global one, so a new or
// sparse key is not rare at every hour.

/** Pseudo-events of the global hour profile mixed into each key's. */
const HOUR_PRIOR_EVENTS = 4;

export function hourOfDay(time: number): number {
  const h = Math.floor(time / 3600) % 24;
  return h < 0 ? h + 24 : h;
}

/** Circularly smoothed count at hour h: a habit at 08:00 makes 07:00 and 09:00 half as usual. */
function smoothed(p: Float64Array, h: number): number {
  return (p[h] as number) + 0.5 * ((p[(h + 23) % 24] as number) + (p[(h + 1) % 24] as number));
}

export class HourHabits {
  readonly profiles = new Map<string, Float64Array>();
  /**
   * Per key, the sum of its profile, kept beside it so that scoring does not sum 24 hours per event. Counts are whole
   * numbers, so the running sum is exactly what summing the profile gives.
   */
  private readonly totals = new Map<string, number>();
  private readonly global = new Float64Array(24);
  private globalEvents = 0;

  /** @param maxKeys keys kept; a later new key is not counted (the memory stays bounded). */
  constructor(private readonly maxKeys: number) {}

  /** Counts `n` more events of `key` at hour h; false (nothing counted) when the key is new and the habits are full. */
  add(key: string, h: number, n = 1): boolean {
    let profile = this.profiles.get(key);
    if (!profile) {
      if (this.profiles.size >= this.maxKeys) return false;
      profile = new Float64Array(24);
      this.profiles.set(key, profile);
    }
    profile[h] = (profile[h] as number) + n;
    this.global[h] = (this.global[h] as number) + n;
    this.globalEvents += n;
    this.totals.set(key, (this.totals.get(key) ?? 0) + n);
    return true;
  }

  /** Adds a whole 24-hour profile of `key` (another memory's, or a file's); false when the key is new and the habits are full. */
  addProfile(key: string, counts: ArrayLike<number>): boolean {
    for (let h = 0; h < 24; h++) if (!this.add(key, h, counts[h] as number)) return false;
    return true;
  }

  /**
   * p(hour h | key): the key's smoothed profile mixed with HOUR_PRIOR_EVENTS pseudo-events of the global one. `own`
   * (0 or 1) takes the event itself, which the habits hold, out of both profiles first. `recalled` events (habit
   * recall) add `atHour` to the profile's smoothed count at the hour (each event weighs 2 in all, as the smoothing
   * spreads it); a key without a profile stays at the global one.
   */
  probability(key: string, h: number, own: number, recalled = 0, atHour = 0): number {
    const globalEvents = Math.max(0, this.globalEvents - own);
    const g = globalEvents > 0 ? (Math.max(0, smoothed(this.global, h) - own) + 1e-3) / (2 * globalEvents + 0.024) : 1 / 24;
    const profile = this.profiles.get(key);
    if (!profile) return g;
    const n = 2 * (Math.max(0, (this.totals.get(key) as number) - own) + recalled);
    if (n === 0) return g;
    return (Math.max(0, smoothed(profile, h) - own) + atHour + HOUR_PRIOR_EVENTS * g) / (n + HOUR_PRIOR_EVENTS);
  }
}
