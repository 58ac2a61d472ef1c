// Writes the anomaly fields into a document's JSON text: serialized by hand (a compiled serializer for what the hand
// path does not take), spliced before the closing brace.
import fastJson from 'fast-json-stringify';
import { needsEscape } from '../output/json-text.js';
import type { AnomalyDetails, AnomalyFields, AnomalyModelRef, ExplainedField } from '../service/anomaly-fields.js';
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

/** What the compiled serializer writes; a NaN (which it refuses) goes through JSON.stringify, as null. */
function compiledOrStringify(fields: AnomalyFields): string {
  try {
    return compiled(fields);
  } catch {
    return JSON.stringify(fields);
  }
}

// The hand path below writes the bytes `compiled` writes, for the values every scored event carries: strings that
// need no escape, finite numbers, booleans. It gives up (null) on anything else (an escape, a null, a non-finite
// number, a value of another type), and the whole object then goes through compiledOrStringify: that keeps every
// byte the same without restating fast-json-stringify's coercions. It was a tenth of the proxy's event-loop time
// through the compiled serializer (docs/benchmarks.md, "The proxy and the ML route: the event loop, profiled"); the fuzz test compares the two.

/** `"text"`, or null when the string needs an escape or is not a string. */
const str = (v: unknown): string | null => (typeof v === 'string' && !needsEscape(v) ? '"' + v + '"' : null);
/** A finite number's JSON, else null. */
const fin = (v: unknown): string | null => (typeof v === 'number' && Number.isFinite(v) ? '' + v : null);

/** `json` (an object's text so far, from its `{`) with `"key":v` appended, or null when either is null. */
const member = (json: string | null, key: string, v: string | null): string | null =>
  json === null || v === null ? null : json + (json.length > 1 ? ',"' : '"') + key + '":' + v;

/** The model reference of the last call and its JSON: one bundle serves thousands of events in a row. */
let lastModel: { name: unknown; version: unknown; kind: unknown; json: string | null } = { name: undefined, version: undefined, kind: undefined, json: null };

/** `{"name":..,"version":..,"kind":..}` with absent keys left out, or null. */
function modelJson(m: AnomalyModelRef): string | null {
  if (m === null || typeof m !== 'object') return null;
  const { name, version, kind } = m;
  if (lastModel.json !== null && name === lastModel.name && version === lastModel.version && kind === lastModel.kind) return lastModel.json;
  let json: string | null = '{';
  if (name !== undefined) json = member(json, 'name', str(name));
  if (version !== undefined) json = member(json, 'version', str(version));
  if (kind !== undefined) json = member(json, 'kind', str(kind));
  if (json === null) return null;
  json += '}';
  lastModel = { name, version, kind, json };
  return json;
}

/** One explained field's JSON, or null. */
function fieldJson(f: ExplainedField): string | null {
  if (f === null || typeof f !== 'object') return null;
  let json: string | null = '{';
  if (f.name !== undefined) json = member(json, 'name', str(f.name));
  if (f.value !== undefined) json = member(json, 'value', str(f.value));
  if (f.surprisal !== undefined) json = member(json, 'surprisal', fin(f.surprisal));
  if (f.expected !== undefined) json = member(json, 'expected', str(f.expected));
  return json === null ? null : json + '}';
}

function fieldsJson(fields: ExplainedField[]): string | null {
  if (!Array.isArray(fields)) return null;
  let json = '[';
  for (let i = 0; i < fields.length; i++) {
    const f = fieldJson(fields[i] as ExplainedField);
    if (f === null) return null;
    json += (i ? ',' : '') + f;
  }
  return json + ']';
}

/** The anomaly object's members in the schema's order (absent ones left out), or null. */
function detailsJson(a: AnomalyDetails): string | null {
  if (a === null || typeof a !== 'object') return null;
  let json: string | null = '{';
  if (a.raw !== undefined) json = member(json, 'raw', fin(a.raw));
  if (a.fields !== undefined) json = member(json, 'fields', fieldsJson(a.fields));
  if (a.model !== undefined) json = member(json, 'model', modelJson(a.model));
  if (a.threshold !== undefined) json = member(json, 'threshold', fin(a.threshold));
  if (a.is_anomaly !== undefined) json = member(json, 'is_anomaly', typeof a.is_anomaly === 'boolean' ? String(a.is_anomaly) : null);
  if (a.reason !== undefined) json = member(json, 'reason', str(a.reason));
  if (a.scored_at !== undefined) json = member(json, 'scored_at', str(a.scored_at));
  if (a.error !== undefined) json = member(json, 'error', str(a.error));
  if (a.pending !== undefined) json = member(json, 'pending', str(a.pending));
  if (a.entity !== undefined) json = member(json, 'entity', str(a.entity));
  if (a.time !== undefined) json = member(json, 'time', fin(a.time));
  return json === null ? null : json + '}';
}

/** `{"anomaly_score":..,"anomaly":{..}}`; a non-finite number (the compiled serializer refuses it) becomes null. */
export function serializeAnomalyFields(fields: AnomalyFields): string {
  if (fields !== null && typeof fields === 'object') {
    const score = fields.anomaly_score === undefined ? '' : fin(fields.anomaly_score);
    const details = fields.anomaly === undefined ? null : detailsJson(fields.anomaly);
    if (score !== null && details !== null) return score === '' ? '{"anomaly":' + details + '}' : '{"anomaly_score":' + score + ',"anomaly":' + details + '}';
  }
  return compiledOrStringify(fields);
}

/** The compiled serializer's bytes, for tests that hold the hand path to them. */
export const serializeAnomalyFieldsCompiled = compiledOrStringify;

const isAnomalyKey = (key: string): boolean => key === 'anomaly_score' || key === 'anomaly' || key.startsWith('anomaly.');

/**
 * Whether the document has keys, and keys the splice would duplicate (OpenSearch rejects duplicate keys; such keys
 * are cut out of the text first), in one walk of its keys.
 */
function keysOf(doc: Record<string, unknown>): { empty: boolean; anomaly: boolean } {
  let empty = true;
  for (const key in doc) {
    if (!Object.hasOwn(doc, key)) continue;
    empty = false;
    if (isAnomalyKey(key)) return { empty, anomaly: true };
  }
  return { empty, anomaly: false };
}

/**
 * The source line with `anomaly_score` and `anomaly` added. The original text is kept byte for byte (no
 * re-serialization of the shipper's document); anomaly keys it already carries are cut out of the text and
 * replaced. Never recursive, so a document nested thousands deep is handled like any other.
 */
export function withAnomalyFields(text: string, doc: Record<string, unknown>, fields: AnomalyFields): string {
  const extra = serializeAnomalyFields(fields); // {"anomaly_score":..,"anomaly":{..}}
  const keys = keysOf(doc);
  if (keys.anomaly) {
    const kept = topLevelMembers(text).filter((m) => !isAnomalyKey(m.key)).map((m) => text.slice(m.start, m.end));
    return kept.length === 0 ? extra : `{${kept.join(',')},${extra.slice(1)}`;
  }
  const trimmed = text.trimEnd(); // a JSON object: ends with '}'
  const open = trimmed.slice(0, -1);
  return `${open}${keys.empty ? '' : ','}${extra.slice(1)}`;
}
