// Writes the anomaly fields into a document's JSON text: a precompiled serializer, spliced before the closing brace.
import fastJson from 'fast-json-stringify';
import type { AnomalyFields } from '../service/anomaly-fields.js';
import { topLevelMembers } from './json-members.js';

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
        pending: { type: 'string' },
        entity: { type: 'string' },
        time: { type: 'number' },
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

const isAnomalyKey = (key: string): boolean => key === 'anomaly_score' || key === 'anomaly' || key.startsWith('anomaly.');

/** Keys the splice would duplicate (OpenSearch rejects duplicate keys); such keys are cut out of the text first. */
function holdsAnomalyKeys(doc: Record<string, unknown>): boolean {
  for (const key in doc) if (isAnomalyKey(key)) return true;
  return false;
}

/**
 * The source line with `anomaly_score` and `anomaly` added. The original text is kept byte for byte (no
 * re-serialization of the shipper's document); anomaly keys it already carries are cut out of the text and
 * replaced. Never recursive, so a document nested thousands deep is handled like any other.
 */
export function withAnomalyFields(text: string, doc: Record<string, unknown>, fields: AnomalyFields): string {
  const extra = serializeAnomalyFields(fields); // {"anomaly_score":..,"anomaly":{..}}
  if (holdsAnomalyKeys(doc)) {
    const kept = topLevelMembers(text).filter((m) => !isAnomalyKey(m.key)).map((m) => text.slice(m.start, m.end));
    return kept.length === 0 ? extra : `{${kept.join(',')},${extra.slice(1)}`;
  }
  const trimmed = text.trimEnd(); // a JSON object: ends with '}'
  const open = trimmed.slice(0, -1);
  const empty = Object.keys(doc).length === 0;
  return `${open}${empty ? '' : ','}${extra.slice(1)}`;
}
