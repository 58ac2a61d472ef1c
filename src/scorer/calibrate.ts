// Maps a raw score to anomaly_score in [0, 1]: its rank among held-out normal events (docs/contracts.md).

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
