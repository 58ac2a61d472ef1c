// The Gower-style distance between two feature vectors of one log type, and the nearest-representative rule that
// turns a vector into a cluster token. models/zeek_vocab.py does the same arithmetic in the same order (per feature:
// |a - b| / range clipped to 1, or a category mismatch; summed left to right; divided by the feature count), so both
// languages give the same doubles and the same tokens (test/zeek-vocab-typescript-tokens-match-python.test.ts).
import type { FeatureKind, FeatureValue } from './features.js';

/** Per feature: its kind and, for a number, the training range's width (max − min; 0 when constant). */
export interface DistanceSpec {
  readonly kinds: readonly FeatureKind[];
  readonly widths: readonly number[];
}

/**
 * Distance in [0, 1]. Per feature: both missing 0, one missing 1; numbers |a − b| / width clipped to 1 (a value
 * beyond the training range is as far as the range is wide; a constant feature separates only unequal values);
 * categories 0 when equal, else 1.
 */
export function gowerDistance(spec: DistanceSpec, a: readonly FeatureValue[], b: readonly FeatureValue[]): number {
  const n = spec.kinds.length;
  return n === 0 ? 0 : mismatchTotal(spec, a, b, Infinity) / n;
}

/**
 * The per-feature mismatches summed left to right; it stops as soon as the sum passes `limit` (the terms are never
 * negative, so the full sum could only be larger) and returns that partial sum.
 */
function mismatchTotal(spec: DistanceSpec, a: readonly FeatureValue[], b: readonly FeatureValue[], limit: number): number {
  let total = 0;
  for (let i = 0; i < spec.kinds.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    let d: number;
    if (x === null || y === null) d = x === y ? 0 : 1;
    else if (spec.kinds[i] === 'num') {
      const w = spec.widths[i] as number;
      d = w > 0 ? Math.min(1, Math.abs((x as number) - (y as number)) / w) : x === y ? 0 : 1;
    } else d = x === y ? 0 : 1;
    total += d;
    if (total > limit) return total;
  }
  return total;
}

/** A cluster's representative (its medoid in the training sample) and how far from it a record still belongs. */
export interface Representative {
  readonly medoid: readonly FeatureValue[];
  readonly radius: number;
}

/**
 * Index of the nearest representative whose radius holds `x`, or -1 (noise). Nearest by strict `<` in index
 * order, so a tie goes to the lower index; the radius is checked on the nearest only (`<=`), as Python does.
 */
export function nearestCluster(spec: DistanceSpec, reps: readonly Representative[], x: readonly FeatureValue[]): number {
  const n = spec.kinds.length;
  let best = -1;
  let bestDistance = Infinity;
  let bestTotal = Infinity;
  for (let k = 0; k < reps.length; k++) {
    const total = mismatchTotal(spec, x, (reps[k] as Representative).medoid, bestTotal);
    // a larger sum divides to a distance no smaller: cluster k cannot be strictly nearer, which is all that counts
    if (total > bestTotal) continue;
    const d = n === 0 ? 0 : total / n;
    if (d < bestDistance) {
      bestDistance = d;
      bestTotal = total;
      best = k;
    }
  }
  return best >= 0 && bestDistance <= (reps[best] as Representative).radius ? best : -1;
}
