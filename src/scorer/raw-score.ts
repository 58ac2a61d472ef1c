// Raw anomaly score from per-field surprisal; models/raw_score.py is the same rule (docs/contracts.md).

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
