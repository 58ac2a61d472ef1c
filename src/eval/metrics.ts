// Ranking metrics computed exactly from one sort: ROC AUC (ties by trapezoid), AP (sklearn), TPR@FPR, P@R.

/** Metrics are `null` where undefined (no positives, or no negatives for the ROC-based ones). */
export interface RankingMetrics {
  events: number;
  positives: number;
  auc: number | null;
  ap: number | null;
  tprAtFpr: number | null;
  precisionAtRecall: number | null;
}

/** One operating point per distinct (score, tiebreak) threshold, highest first; counts, not rates. */
export interface OperatingPoints {
  /** Cumulative true positives at each threshold (index 0 is the empty set above the top score). */
  tp: Float64Array;
  /** Cumulative false positives, same indexing. */
  fp: Float64Array;
  positives: number;
  negatives: number;
}

export interface Evaluation {
  metrics: RankingMetrics;
  points: OperatingPoints;
  /** Event indices, best (most anomalous) first; ties keep input order. */
  order: Uint32Array;
}

export const DEFAULT_MAX_FPR = 0.001;
export const DEFAULT_MIN_RECALL = 0.1;

/** Indices sorted by score descending, then tiebreak descending, then input order (deterministic). */
export function rankOrder(score: Float64Array, tiebreak: Float64Array): Uint32Array {
  const order = new Uint32Array(score.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  // `||` falls through on 0 (equal), which is what a lexicographic key needs.
  return order.sort((a, b) => (score[b] as number) - (score[a] as number) || (tiebreak[b] as number) - (tiebreak[a] as number) || a - b);
}

/** Walks the ranking once, closing an operating point only at the end of each group of tied events. */
export function operatingPoints(order: Uint32Array, score: Float64Array, tiebreak: Float64Array, label: Uint8Array): OperatingPoints {
  const n = order.length;
  const tp = new Float64Array(n + 1);
  const fp = new Float64Array(n + 1);
  let k = 0;
  let t = 0;
  let f = 0;
  for (let i = 0; i < n; i++) {
    const idx = order[i] as number;
    if (label[idx] === 1) t += 1;
    else f += 1;
    const next = order[i + 1];
    const groupEnds = next === undefined || score[next] !== score[idx] || tiebreak[next] !== tiebreak[idx];
    if (groupEnds) {
      k += 1;
      tp[k] = t;
      fp[k] = f;
    }
  }
  return { tp: tp.subarray(0, k + 1), fp: fp.subarray(0, k + 1), positives: t, negatives: f };
}

/**
 * Metrics from operating points.
 * - AUC: trapezoid over the ROC points; a tied group is one diagonal step, which equals the midrank
 *   (Mann-Whitney) statistic with ties counted as one half.
 * - AP: sklearn's `average_precision_score`: sum over thresholds of (R_k - R_{k-1}) * P_k, no interpolation.
 * - TPR at FPR: the best TPR among thresholds an analyst could actually set with FPR <= maxFpr
 *   (no interpolation between points, so a tied group that crosses the limit does not count).
 * - Precision at recall: precision at the highest threshold whose recall reaches minRecall
 *   ("set the threshold to catch 10% of the red team: what fraction of the alerts are red team").
 */
export function metricsFromPoints(points: OperatingPoints, maxFpr = DEFAULT_MAX_FPR, minRecall = DEFAULT_MIN_RECALL): RankingMetrics {
  const { tp, fp, positives: P, negatives: N } = points;
  let area = 0;
  let apSum = 0;
  let tprAtFpr = 0;
  let precisionAtRecall: number | null = null;
  for (let k = 1; k < tp.length; k++) {
    const t = tp[k] as number;
    const f = fp[k] as number;
    const tPrev = tp[k - 1] as number;
    const fPrev = fp[k - 1] as number;
    area += ((f - fPrev) * (t + tPrev)) / 2;
    if (t > tPrev) apSum += (t - tPrev) * (t / (t + f));
    // Division is correctly rounded, so an exact 1/1000 compares equal to the literal 0.001.
    if (N > 0 && f / N <= maxFpr && P > 0) tprAtFpr = t / P;
    if (precisionAtRecall === null && P > 0 && t / P >= minRecall) precisionAtRecall = t / (t + f);
  }
  return {
    events: P + N,
    positives: P,
    auc: P > 0 && N > 0 ? area / (P * N) : null,
    ap: P > 0 ? apSum / P : null,
    tprAtFpr: P > 0 && N > 0 ? tprAtFpr : null,
    precisionAtRecall,
  };
}

/** Sorts once and computes everything the table, the curves and the top-N list need. */
export function evaluateRanking(score: Float64Array, tiebreak: Float64Array, label: Uint8Array, maxFpr = DEFAULT_MAX_FPR, minRecall = DEFAULT_MIN_RECALL): Evaluation {
  if (tiebreak.length !== score.length || label.length !== score.length) {
    throw new RangeError(`evaluateRanking: score (${score.length}), tiebreak (${tiebreak.length}) and label (${label.length}) lengths differ`);
  }
  const order = rankOrder(score, tiebreak);
  const points = operatingPoints(order, score, tiebreak, label);
  return { metrics: metricsFromPoints(points, maxFpr, minRecall), points, order };
}

/** ROC curve as rates: (FPR, TPR) per operating point, starting at (0, 0). Empty when P or N is 0. */
export function rocCurve(points: OperatingPoints): { x: Float64Array; y: Float64Array } {
  const { tp, fp, positives: P, negatives: N } = points;
  if (P === 0 || N === 0) return { x: new Float64Array(0), y: new Float64Array(0) };
  return { x: fp.map((f) => f / N), y: tp.map((t) => t / P) };
}

/** Precision-recall curve: (recall, precision) per operating point, without the empty top point. */
export function prCurve(points: OperatingPoints): { x: Float64Array; y: Float64Array } {
  const { tp, fp, positives: P } = points;
  if (P === 0) return { x: new Float64Array(0), y: new Float64Array(0) };
  const x = new Float64Array(tp.length - 1);
  const y = new Float64Array(tp.length - 1);
  for (let k = 1; k < tp.length; k++) {
    const t = tp[k] as number;
    x[k - 1] = t / P;
    y[k - 1] = t / (t + (fp[k] as number));
  }
  return { x, y };
}
