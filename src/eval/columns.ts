// Accumulates one model's scored events into the columnar ScoredEvents shape while a file streams by.
import type { Labels } from './labels.js';
import type { ScoredEvents } from './types.js';

const MAX_KEPT_ERRORS = 20;

export class ScoredEventsBuilder {
  private readonly score: number[] = [];
  private readonly tiebreak: number[] = [];
  private readonly label: number[] = [];
  private readonly sourceLine: number[] = [];
  private readonly matched = new Set<string>();
  private errors = 0;
  private readonly firstErrors: string[] = [];

  constructor(
    private readonly name: string,
    private readonly source: string,
    private readonly labels: Labels,
  ) {}

  /** Adds one scored event; `key` is its label key (undefined when an entity is missing: never positive). */
  add(score: number, tiebreak: number, key: string | undefined, line: number): void {
    const positive = key !== undefined && this.labels.keys.has(key);
    if (positive) this.matched.add(key);
    this.score.push(score);
    this.tiebreak.push(tiebreak);
    this.label.push(positive ? 1 : 0);
    this.sourceLine.push(line);
  }

  /** Counts a record without a score; keeps the first few messages for the report. */
  addError(message: string): void {
    this.errors += 1;
    if (this.firstErrors.length < MAX_KEPT_ERRORS) this.firstErrors.push(message);
  }

  finish(): ScoredEvents {
    return {
      name: this.name,
      source: this.source,
      score: Float64Array.from(this.score),
      tiebreak: Float64Array.from(this.tiebreak),
      label: Uint8Array.from(this.label),
      sourceLine: Uint32Array.from(this.sourceLine),
      errors: this.errors,
      firstErrors: this.firstErrors,
      matchedLabelKeys: this.matched,
    };
  }
}

/**
 * `set` with `count` more red-team events ranked below every scored one: the ones other rows scored and this one
 * lacks (an unscored record, a file cut short), so that leaving an attack out never raises a row's metrics.
 */
export function withMissed(set: ScoredEvents, count: number): ScoredEvents {
  if (count <= 0) return set;
  const grow = <T extends Float64Array | Uint8Array | Uint32Array>(a: T, fill: number, make: new (n: number) => T): T => {
    const out = new make(a.length + count);
    out.set(a);
    out.fill(fill, a.length);
    return out;
  };
  return {
    ...set,
    score: grow(set.score, Number.NEGATIVE_INFINITY, Float64Array),
    tiebreak: grow(set.tiebreak, Number.NEGATIVE_INFINITY, Float64Array),
    label: grow(set.label, 1, Uint8Array),
    sourceLine: grow(set.sourceLine, 0, Uint32Array),
    missed: (set.missed ?? 0) + count,
  };
}
