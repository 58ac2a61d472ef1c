// Raw anomaly score from per-field surprisal; models/raw_score.py is the same rule (docs/contracts.md). A kind picks
// its rule in models/kinds.json ("raw_score").
import type { RawScoreRule } from '../model/kinds.js';

/**
 * raw = mean over the F fields of surprisal_f × weights[f], reading surprisal[offset .. offset + F).
 * The bundle's weights are 1 / (field's mean held-out surprisal + 0.01 nats): a deviation counts in units of
 * how surprising that field usually is.
 */
export function rawScore(surprisal: ArrayLike<number>, offset: number, weights: readonly number[]): number {
  let sum = 0;
  for (let f = 0; f < weights.length; f++) sum += (surprisal[offset + f] as number) * (weights[f] as number);
  return sum / weights.length;
}

/** raw = max over the F fields of surprisal_f × weights[f] (weights are 1 for this rule: train.py writes them so). */
export function maxScore(surprisal: ArrayLike<number>, offset: number, weights: readonly number[]): number {
  let max = -Infinity;
  for (let f = 0; f < weights.length; f++) max = Math.max(max, (surprisal[offset + f] as number) * (weights[f] as number));
  return max;
}

export const RAW_SCORES: Readonly<Record<RawScoreRule, typeof rawScore>> = Object.freeze({ 'weighted-mean': rawScore, max: maxScore });

/** Sum of surprisal[offset .. offset + n). */
function totalSurprisal(surprisal: ArrayLike<number>, offset: number, n: number): number {
  let sum = 0;
  for (let f = 0; f < n; f++) sum += surprisal[offset + f] as number;
  return sum;
}

/** Largest of surprisal[offset .. offset + n). */
function largestSurprisal(surprisal: ArrayLike<number>, offset: number, n: number): number {
  let max = -Infinity;
  for (let f = 0; f < n; f++) max = Math.max(max, surprisal[offset + f] as number);
  return max;
}

/**
 * What a fusion reads as the sequence model's statistic, per raw-score rule: the total surprisal in nats (an
 * event's fields all count), or for `max` the largest (a connection's empty slots and its other records' ordinary
 * tokens would otherwise add noise to the one record that made it rare, the reason the kind scores by max).
 */
export const FUSION_STATISTICS: Readonly<Record<RawScoreRule, (surprisal: ArrayLike<number>, offset: number, n: number) => number>> = Object.freeze({ 'weighted-mean': totalSurprisal, max: largestSurprisal });
