// A bundle scoring the window after the one it was trained on, as it would have served it: the entity histories
// start from the previous window's events, then the window is scored in canonical order (src/scorer/order.ts).
import type { CanonicalEvent } from '../core/event.js';
import { evaluateRanking } from '../eval/metrics.js';
import { Scorer } from '../scorer/scorer.js';

export interface WindowScore {
  events: number;
  /** Labelled anomalies among them; null without labels. */
  positives: number | null;
  /** Null without labels, or when the window holds no labelled anomaly or no normal event. */
  auc: number | null;
  ap: number | null;
  /** Raw score per event, in the order given. */
  raw: Float64Array;
}

/** Scores `events` with the bundle in `modelDir` after remembering `before` (oldest first). */
export async function scoreWindow(modelDir: string, before: readonly CanonicalEvent[], events: readonly CanonicalEvent[], isAnomaly?: (e: CanonicalEvent) => boolean): Promise<WindowScore> {
  const scorer = await Scorer.load(modelDir);
  const raw = new Float64Array(events.length);
  // anomaly_score ranks the events, raw breaks its ties: a cascade's two raw scores are on two scales
  const score = new Float64Array(events.length);
  try {
    scorer.remember(before);
    const results = await scorer.score(events);
    results.forEach((r, i) => {
      raw[i] = r.raw;
      score[i] = r.anomaly_score;
    });
  } finally {
    await scorer.close();
  }
  return { events: events.length, raw, ...windowMetrics(score, events, isAnomaly, raw) };
}

/** AUC and AP of a score (ties broken by `tiebreak`) over labelled events (null where undefined). */
export function windowMetrics(score: Float64Array, events: readonly CanonicalEvent[], isAnomaly?: (e: CanonicalEvent) => boolean, tiebreak: Float64Array = score): Pick<WindowScore, 'positives' | 'auc' | 'ap'> {
  if (!isAnomaly) return { positives: null, auc: null, ap: null };
  const labels = Uint8Array.from(events, (e) => (isAnomaly(e) ? 1 : 0));
  const m = evaluateRanking(score, tiebreak, labels).metrics;
  return { positives: m.positives, auc: m.auc, ap: m.ap };
}
