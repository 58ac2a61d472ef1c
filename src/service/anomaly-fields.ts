// The anomaly fields written onto events, the same whichever path (proxy, ingest pipeline, enrich) scored them.
import type { ComponentScore } from '../memory/fusion.js';
import type { ScoreResult } from '../scorer/scorer.js';
import type { AnomalyStamp } from './entity-stamp.js';

/** `pairs:user+dst_host,src_host+dst_host` when pairs were new, else the component's name. */
export function componentReason(c: ComponentScore): string {
  return c.unseen?.length ? `${c.name}:${c.unseen.join(',')}` : c.name;
}

export interface AnomalyModelRef {
  name: string;
  version: string;
  kind: string;
}

/**
 * One field of the explanation. Below the explain threshold only the top field's name is kept, and its value too
 * when the event is anomalous (aggregate, suppressions and the dashboards' anomalous-events search read it there).
 */
export interface ExplainedField {
  name: string;
  value?: string;
  surprisal?: number;
  expected?: string;
}

export interface AnomalyDetails {
  /** Only with the full explanation: it breaks ties of anomaly_score near 1, where analysts sort (bench/storage.mjs). */
  raw?: number;
  /** Per-field surprisal, highest first: the explanation (compact below the explain threshold). */
  fields?: ExplainedField[];
  model: AnomalyModelRef;
  threshold?: number;
  is_anomaly?: boolean;
  /** With a fused model: the component that made the event rarest, e.g. `pairs:user+dst_host,src_host+dst_host` (the new pairs), `hour:user` or `sequence` (see `fields`). */
  reason?: string;
  scored_at: string;
  /** Why the event can never be scored (it is still written, without anomaly_score). */
  error?: string;
  /**
   * Why the event was not scored this time: a transient failure (its entity's history could not be loaded, the
   * scorer failed). It is still written, without anomaly_score; enrich scores it later, as any unscored event,
   * and writes null here with the score.
   */
  pending?: string | null;
  /**
   * The context entity's value and the event time in the format's seconds, by which a restarted sidecar or enrich
   * finds the entity's history (src/opensearch/history-loader.ts), where the document itself cannot be queried for
   * them (entity-stamp.ts says which).
   */
  entity?: string;
  time?: number;
  /**
   * A record that reached the index after its connection was scored (zeek-seq's enrich, connection-enrich.ts): it
   * carries the connection's fields as scored, without having been part of it.
   */
  late?: boolean;
}

export interface AnomalyFields {
  anomaly_score?: number;
  anomaly: AnomalyDetails;
}

/** Fields at most kept in anomaly.fields: enough to explain, bounded for the index. */
export const MAX_EXPLAINED_FIELDS = 5;

/**
 * anomaly_score from which an event gets its full explanation (every explained field with its surprisal and the
 * expected value, and the threshold); below it, the compact form: the top field's name and value. anomaly_score
 * is the event's rank among held-out normal events, so 0.99 explains the top 1% of normal traffic and every
 * anomaly, which is what analysts open, and keeps the other 99% of events small in the index.
 */
export const DEFAULT_EXPLAIN_ABOVE = 0.99;

/**
 * The explanation of a result: in full at or above `explainAbove`; below it the top field's name, with its value
 * only on an anomalous event. The value repeats a field of the event itself, so on the other 98 % of events it paid
 * 8 bytes a document for what the analyst already sees (bench/storage.mjs, row "(c)").
 */
export function explainedFields(result: ScoreResult, explainAbove: number): ExplainedField[] {
  if (result.anomaly_score >= explainAbove) return result.fields.slice(0, MAX_EXPLAINED_FIELDS).map((f) => ({ name: f.field, value: f.value, surprisal: f.surprisal, expected: f.expected }));
  const top = result.fields[0];
  if (!top) return [];
  return result.is_anomaly ? [{ name: top.field, value: top.value }] : [{ name: top.field }];
}

/** Steps of anomaly_score as stored: a millionth, finer than any calibration resolves (1 / held-out events). */
export const STORED_SCORE_STEPS = 1e6;

/**
 * anomaly_score as written into the index: rounded down to a millionth. Every threshold the content pack compares
 * it with is on that grid (the monitors' are rounded up to a millionth, alert-thresholds.ts; the dashboards' and
 * the explanation's have two to four decimals), so `score >= threshold` holds for the stored score exactly when it
 * held for the computed one, also in the 32-bit float OpenSearch keeps (grid steps are 16 floats apart near 1,
 * where a raw double 1e-9 below a threshold rounds to the threshold's float). The 17 digits of a double carry
 * nothing the calibration table resolves and cost incompressible _source bytes on every event (bench/storage.mjs).
 */
export function storedScore(score: number): number {
  if (!Number.isFinite(score)) return score;
  // score * 1e6 is rounded, so its floor can be one step off either way (0.9995 * 1e6 = 999499.99...): correct it
  // until k / 1e6 <= score < (k + 1) / 1e6 holds in doubles, which is what comparisons read.
  let k = Math.floor(score * STORED_SCORE_STEPS);
  if ((k + 1) / STORED_SCORE_STEPS <= score) k += 1;
  else if (k / STORED_SCORE_STEPS > score) k -= 1;
  return k / STORED_SCORE_STEPS;
}

/**
 * anomaly.raw as written into the index: the 32-bit float it is mapped as, in the 9 significant digits that name a
 * float exactly, so its doc values (the tie-break of sorts on anomaly_score) hold what they held while _source
 * loses the eight digits of a double that the index never kept.
 */
export function storedRaw(raw: number): number {
  return Number.isFinite(raw) ? Number(Math.fround(raw).toPrecision(9)) : raw;
}

export function anomalyFields(result: ScoreResult, model: AnomalyModelRef, threshold: number, scoredAt: string, stamp?: AnomalyStamp, explainAbove = DEFAULT_EXPLAIN_ABOVE): AnomalyFields {
  const fields = explainedFields(result, explainAbove);
  // raw only where it is read: it orders events that tie on anomaly_score, and those are the top ones, all
  // explained in full; below, the score alone ranks (17 bytes a document, bench/storage.mjs row "(b)").
  // Members are added in one fixed order (the ML route's answer is JSON.stringify of this object) and without
  // object spreads, which cost the proxy a few µs per event.
  const anomaly = (result.anomaly_score >= explainAbove
    ? { raw: storedRaw(result.raw), fields, model, threshold, is_anomaly: result.is_anomaly }
    : { fields, model, is_anomaly: result.is_anomaly }) as AnomalyDetails; // scored_at follows, in its place
  if (result.components?.length) anomaly.reason = componentReason(result.components[0] as ComponentScore);
  anomaly.scored_at = scoredAt;
  if (stamp?.entity !== undefined) anomaly.entity = stamp.entity;
  if (stamp?.time !== undefined) anomaly.time = stamp.time;
  return { anomaly_score: storedScore(result.anomaly_score), anomaly };
}

export function anomalyError(reason: string, model: AnomalyModelRef, scoredAt: string): AnomalyFields {
  return { anomaly: { model, scored_at: scoredAt, error: reason } };
}

export function anomalyPending(reason: string, model: AnomalyModelRef, scoredAt: string): AnomalyFields {
  return { anomaly: { model, scored_at: scoredAt, pending: reason } };
}
