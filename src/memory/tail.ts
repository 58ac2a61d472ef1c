// Tail probabilities of a component's statistic under held-out normal traffic: P(X >= x), fitted once, read per event.

/** Stored in the bundle: ascending statistic values with ln P(X >= value), plus an exponential tail beyond the last. */
export interface TailTableData {
  values: number[];
  log_survival: number[];
  /** Scale (in statistic units) of the exponential tail beyond the largest held-out value. */
  tail_scale: number;
  n: number;
  /**
   * The lowest ln P the exponential tail reaches (a bounded tail, fitTail's `bounded`); absent = unbounded, as every
   * tail was before bounds existed, so bundles without it score as they did.
   */
  floor?: number;
}

/** Stored points at most: every distinct value when there are fewer, else ranks denser towards the top. */
const MAX_POINTS = 1500;

/** Index of the first element >= v in an ascending array. */
function lowerBound(x: Float64Array | readonly number[], v: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((x[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Robust exponential scale of the top 1%: median excess over the 99th percentile / ln 2. */
export function tailScale(sorted: Float64Array): number {
  const n = sorted.length;
  const top = sorted.subarray(Math.floor(0.99 * (n - 1)));
  const excess = Array.from(top, (v) => v - (top[0] as number)).filter((e) => e > 0).sort((a, b) => a - b);
  let scale = excess.length ? (excess[excess.length >> 1] as number) / Math.LN2 : 0;
  if (!(scale > 0)) {
    const mean = sorted.reduce((s, v) => s + v, 0) / n;
    scale = Math.sqrt(sorted.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
  }
  return Math.max(scale > 0 ? scale : 1, 1e-3);
}

/** Ranks of a sorted sample worth keeping: ~`uniform` evenly spread, ~`geometric` spaced geometrically from the top. */
export function quantileRanks(n: number, uniform: number, geometric: number): number[] {
  const ranks = new Set<number>([0, n - 1]);
  const u = Math.min(n, uniform);
  for (let i = 0; i < u; i++) ranks.add(Math.round((i * (n - 1)) / Math.max(1, u - 1)));
  const g = Math.min(n, geometric);
  for (let i = 0; i < g; i++) ranks.add(n - Math.round(Math.exp((i * Math.log(n)) / Math.max(1, g - 1))));
  return [...ranks].filter((r) => r >= 0 && r < n).sort((a, b) => a - b);
}

/**
 * How far beyond its largest held-out value a bounded tail extrapolates: ln n more, so that n held-out events, which
 * can show a probability down to 1/n, vouch for one of 1/n² at most. Why bound a tail: see fit-fusion.ts (the hour
 * habit's).
 */
export function tailFloor(lastLogSurvival: number, n: number): number {
  return lastLogSurvival - Math.log(n);
}

/** With `bounded`, ln P beyond the largest held-out value stops at tailFloor (TailTableData.floor). */
export function fitTail(stats: ArrayLike<number>, bounded = false): TailTableData {
  const x = Float64Array.from(stats).sort();
  const n = x.length;
  if (n === 0) throw new Error('fitTail: no held-out values');
  const distinct: number[] = [];
  for (let i = 0; i < n; i++) if (i === 0 || x[i] !== x[i - 1]) distinct.push(x[i] as number);
  const values = distinct.length <= MAX_POINTS ? distinct : [...new Set(quantileRanks(n, MAX_POINTS / 3, (2 * MAX_POINTS) / 3).map((r) => x[r] as number))];
  const logSurvival = values.map((v) => Math.log((n - lowerBound(x, v)) / n));
  return {
    values,
    log_survival: logSurvival,
    tail_scale: tailScale(x),
    n,
    ...(bounded ? { floor: tailFloor(logSurvival[logSurvival.length - 1] as number, n) } : {}),
  };
}

export class TailTable {
  private readonly values: Float64Array;
  private readonly logS: Float64Array;
  private readonly floor: number;

  constructor(private readonly data: TailTableData) {
    this.values = Float64Array.from(data.values);
    this.logS = Float64Array.from(data.log_survival);
    this.floor = data.floor ?? -Infinity;
  }

  /**
   * ln P(X >= x) under held-out normal traffic, <= 0; beyond the largest held-out value strictly decreasing, down to
   * the tail's floor when it has one.
   */
  logP(x: number): number {
    const { values, logS } = this;
    const n = values.length;
    if (Number.isNaN(x)) return logS[n - 1] as number;
    if (x <= (values[0] as number)) return logS[0] as number;
    const last = values[n - 1] as number;
    if (x > last) return Math.max(this.floor, (logS[n - 1] as number) - (x - last) / this.data.tail_scale);
    const j = lowerBound(values, x);
    if (values[j] === x) return logS[j] as number;
    // Between two stored points, ln S is interpolated: a continuous statistic (the sequence's surprisal) keeps
    // its order between held-out values instead of being flattened into steps.
    const v0 = values[j - 1] as number;
    const v1 = values[j] as number;
    return (logS[j - 1] as number) + ((x - v0) / (v1 - v0)) * ((logS[j] as number) - (logS[j - 1] as number));
  }
}
