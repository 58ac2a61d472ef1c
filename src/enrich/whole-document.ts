// The whole event as enrich writes it back with an `index` action: the `_source` it read, with the anomaly fields set
// exactly as OpenSearch's partial update would set them (its map merge), so the stored document is the same either way.
import type { AnomalyFields } from '../service/anomaly-fields.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * OpenSearch's partial-update merge (XContentHelper.update): a key the source lacks is added at the end; where both
 * sides hold an object the two are merged key by key; anything else (arrays, null, scalars) replaces the old value.
 * Returns a new object; `source` is left as it was (a 429 retry sends the same text again).
 */
export function mergePartial(source: Json, changes: Json): Json {
  const out: Json = { ...source };
  for (const [key, value] of Object.entries(changes)) {
    const old = out[key];
    out[key] = isObject(old) && isObject(value) ? mergePartial(old, value) : value;
  }
  return out;
}

/**
 * Whether a number of the read source may have been changed by JavaScript's parse: an integer beyond 2^53 (a 64-bit
 * id, an `unsigned_long`) was rounded to the nearest double and would be written back rounded. OpenSearch's own
 * update keeps such values, so these events stay on the partial update.
 */
export function hasUnsafeNumber(value: unknown): boolean {
  if (typeof value === 'number') return Number.isInteger(value) && !Number.isSafeInteger(value);
  if (Array.isArray(value)) return value.some(hasUnsafeNumber);
  if (isObject(value)) {
    for (const key in value) if (hasUnsafeNumber(value[key])) return true;
  }
  return false;
}

/** The partial doc the `update` action sends: `anomaly` first, then `anomaly_score` when there is one. */
export function partialDoc(fields: AnomalyFields): Json {
  return fields.anomaly_score !== undefined ? { anomaly: fields.anomaly, anomaly_score: fields.anomaly_score } : { anomaly: fields.anomaly };
}

/**
 * The JSON text of `source` with the anomaly fields merged in as a partial update merges them, or null when the
 * source cannot be written back unchanged (hasUnsafeNumber).
 */
export function wholeDocument(source: Json, fields: AnomalyFields): string | null {
  if (hasUnsafeNumber(source)) return null;
  // The usual event (never scored, never marked pending) has neither key: the merge only appends them, so the text is
  // the source's with the partial doc's members after its last one, without copying the source object.
  if (!Object.hasOwn(source, 'anomaly') && !Object.hasOwn(source, 'anomaly_score')) {
    const text = JSON.stringify(source);
    const members = JSON.stringify(partialDoc(fields)).slice(1);
    return text === '{}' ? `{${members}` : `${text.slice(0, -1)},${members}`;
  }
  return JSON.stringify(mergePartial(source, partialDoc(fields)));
}
