// Maps a raw score to anomaly_score in [0, 1]: its rank among held-out normal events (docs/contracts.md).
import { quantileRanks, tailScale } from '../memory/tail.js';

export interface Calibration {
  levels: number[];
  values: number[];
  tail_scale: number;
}

export class Calibrator {
  private readonly levels: Float64Array;
  private readonly values: Float64Array;

  constructor(private readonly cal: Calibration) {
    this.levels = Float64Array.from(cal.levels);
    this.values = Float64Array.from(cal.values);
  }

  /**
   * −ln(1 − score(raw)) in nats: a strictly increasing key of the score that keeps growing beyond the held-out
   * events, where anomaly_score rounds to 1 in doubles (more than ~36 tail scales out). The daily budget ranks by it.
   */
  rarity(raw: number): number {
    if (Number.isNaN(raw)) return Number.POSITIVE_INFINITY;
    const n = this.values.length;
    const last = this.values[n - 1] as number;
    if (raw >= last) return -Math.log1p(-(this.levels[n - 1] as number)) + (raw - last) / this.cal.tail_scale;
    return -Math.log1p(-this.score(raw));
  }

  score(raw: number): number {
    const { levels, values } = this;
    const n = values.length;
    if (Number.isNaN(raw)) return 1;
    if (raw <= (values[0] as number)) return levels[0] as number;
    const last = values[n - 1] as number;
    if (raw >= last) {
      // Beyond every held-out event: an exponential tail keeps the map strictly increasing.
      return 1 - (1 - (levels[n - 1] as number)) * Math.exp(-(raw - last) / this.cal.tail_scale);
    }
    // Binary search for values[lo] <= raw < values[hi].
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if ((values[mid] as number) <= raw) lo = mid;
      else hi = mid;
    }
    const v0 = values[lo] as number;
    const v1 = values[hi] as number;
    const l0 = levels[lo] as number;
    const l1 = levels[hi] as number;
    return v1 > v0 ? l0 + ((raw - v0) / (v1 - v0)) * (l1 - l0) : l1;
  }
}

/**
 * The quantile table of held-out raw scores, as models/export.py builds it for the sequence-only score: levels i/n
 * at ~1000 evenly spread ranks plus ~1000 geometrically spaced from the top, and the exponential tail's scale.
 */
export function fitCalibration(raw: ArrayLike<number>): Calibration & { n: number } {
  const x = Float64Array.from(raw).sort();
  const n = x.length;
  if (n === 0) throw new Error('fitCalibration: no held-out scores');
  const sorted = quantileRanks(n, 1000, 1000);
  if (sorted.length < 2) sorted.push(sorted[0] as number);
  return { levels: sorted.map((r) => r / n), values: sorted.map((r) => x[r] as number), tail_scale: tailScale(x), n };
}
