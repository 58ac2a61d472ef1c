// Writes the anomaly fields into a document's JSON text: a precompiled serializer, spliced before the closing brace.
import fastJson from 'fast-json-stringify';
import type { AnomalyFields } from '../service/anomaly-fields.js';

const modelSchema = { type: 'object', properties: { name: { type: 'string' }, version: { type: 'string' }, kind: { type: 'string' } } } as const;
const fieldSchema = {
  type: 'object',
  properties: { name: { type: 'string' }, value: { type: 'string' }, surprisal: { type: 'number' }, expected: { type: 'string' } },
} as const;

/** Mirrors AnomalyFields (src/service/anomaly-fields.ts); absent optional keys are left out. */
const compiled = fastJson({
  type: 'object',
  properties: {
    anomaly_score: { type: 'number' },
    anomaly: {
      type: 'object',
      properties: {
        raw: { type: 'number' },
        fields: { type: 'array', items: fieldSchema },
        model: modelSchema,
        threshold: { type: 'number' },
        is_anomaly: { type: 'boolean' },
        reason: { type: 'string' },
        scored_at: { type: 'string' },
        error: { type: 'string' },
      },
    },
  },
}) as (fields: AnomalyFields) => string;

/** `{"anomaly_score":..,"anomaly":{..}}`; a non-finite number (the compiled serializer refuses it) becomes null. */
export function serializeAnomalyFields(fields: AnomalyFields): string {
  try {
    return compiled(fields);
  } catch {
    return JSON.stringify(fields);
  }
}

/** Keys the splice would duplicate (OpenSearch rejects duplicate keys); such documents are re-serialized instead. */
function holdsAnomalyKeys(doc: Record<string, unknown>): boolean {
  for (const key in doc) if (key === 'anomaly_score' || key === 'anomaly' || key.startsWith('anomaly.')) return true;
  return false;
}

/**
 * The source line with `anomaly_score` and `anomaly` added. The original text is kept byte for byte (no
 * re-serialization of the shipper's document) unless it already carries anomaly keys, which are then replaced.
 */
export function withAnomalyFields(text: string, doc: Record<string, unknown>, fields: AnomalyFields): string {
  const extra = serializeAnomalyFields(fields); // {"anomaly_score":..,"anomaly":{..}}
  if (holdsAnomalyKeys(doc)) {
    const kept: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(doc)) if (!(k === 'anomaly_score' || k === 'anomaly' || k.startsWith('anomaly.'))) kept[k] = v;
    const base = JSON.stringify(kept);
    return base === '{}' ? extra : `${base.slice(0, -1)},${extra.slice(1)}`;
  }
  const trimmed = text.trimEnd(); // a JSON object: ends with '}'
  const open = trimmed.slice(0, -1);
  const empty = Object.keys(doc).length === 0;
  return `${open}${empty ? '' : ','}${extra.slice(1)}`;
}
