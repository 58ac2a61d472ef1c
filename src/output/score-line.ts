// Serializes `seqsentry score` output lines (docs/contracts.md). The two lines written per event (full and compact)
// are built by hand: they were a tenth of `score`'s main-thread time through fast-json-stringify, whose generic
// per-property checks and object arguments cost more than the few concatenations a line needs. The bytes are the
// ones fast-json-stringify wrote for the same schema (JSON.stringify's, with ±Infinity as null and properties in
// schema order): test/score-lines-are-json-in-schema-order.test.ts.
import fastJson from 'fast-json-stringify';
import type { FieldScore, ScoreResult } from '../scorer/scorer.js';
import type { ComponentScore } from '../memory/fusion.js';
import { int, num, quote } from './json-text.js';

export interface ScoreLine extends Omit<ScoreResult, 'fields'> {
  /** In full, or below `--explain-above` the top field's name and value only. */
  fields: Array<Pick<FieldScore, 'field' | 'value'> & Partial<FieldScore>>;
  /** The input file, when `score` read several (each numbers its own lines); left out when undefined. */
  file?: string | undefined;
  line: number;
  time: number;
  entities: Record<string, string>;
}

/** Field names are few (the bundle's fields), so their quoted form is kept; bounded for any other caller. */
const QUOTED = new Map<string, string>();
const MAX_QUOTED = 1024;

function quotedName(name: string): string {
  let q = QUOTED.get(name);
  if (q === undefined) {
    q = quote(name);
    if (QUOTED.size < MAX_QUOTED) QUOTED.set(name, q);
  }
  return q;
}

function entitiesJson(entities: Record<string, string>): string {
  let json = '{';
  let comma = false;
  for (const key in entities) {
    if (!Object.hasOwn(entities, key)) continue;
    const value = entities[key];
    if (value === undefined) continue;
    json += (comma ? ',' : '') + quote(key) + ':' + quote(value);
    comma = true;
  }
  return json + '}';
}

function fieldsJson(fields: ScoreLine['fields']): string {
  let json = '[';
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as ScoreLine['fields'][number];
    json += (i ? ',{"field":' : '{"field":') + quotedName(f.field) + ',"value":' + quote(f.value);
    if (f.surprisal !== undefined) json += ',"surprisal":' + num(f.surprisal);
    if (f.expected !== undefined) json += ',"expected":' + quote(f.expected);
    json += '}';
  }
  return json + ']';
}

function componentsJson(components: readonly ComponentScore[]): string {
  let json = '[';
  for (let i = 0; i < components.length; i++) {
    const c = components[i] as ComponentScore;
    json += (i ? ',{"name":' : '{"name":') + quotedName(c.name) + ',"log_p":' + num(c.log_p);
    if (c.unseen !== undefined) json += ',"unseen":[' + c.unseen.map(quote).join(',') + ']';
    json += '}';
  }
  return json + ']';
}

/** A scored event's line in full (or with the compact explanation): line, time, entities, scores, fields, components. */
export function scoreLine(l: ScoreLine): string {
  let json = (l.file === undefined ? '{"line":' : '{"file":' + quote(l.file) + ',"line":') + int(l.line) + ',"time":' + num(l.time) + ',"entities":' + entitiesJson(l.entities);
  json += ',"anomaly_score":' + num(l.anomaly_score) + ',"raw":' + num(l.raw) + ',"is_anomaly":' + (l.is_anomaly ? 'true' : 'false');
  json += ',"fields":' + fieldsJson(l.fields);
  if (l.components !== undefined) json += ',"components":' + componentsJson(l.components);
  return json + '}';
}

export const errorLine = fastJson({
  type: 'object',
  properties: { file: { type: 'string' }, line: { type: 'integer' }, error: { type: 'string' } },
}) as (line: { file?: string | undefined; line: number; error: string }) => string;

/** The output line of a record without an event (a blank line, a record of no event of the format): its place kept. */
export const skippedLine = fastJson({
  type: 'object',
  properties: { file: { type: 'string' }, line: { type: 'integer' }, skipped: { type: 'string' } },
}) as (line: { file?: string | undefined; line: number; skipped: string }) => string;

/**
 * `score --compact`: the line of an event below the explain threshold that is not anomalous, with what joins it back
 * to its record and says where to look: the input line, the score (the same double as in full) and the top field's
 * name (none when the kind explains no field). The field's value is in the record itself; time, entities, raw and
 * components are left out so the line stays about 70 bytes whatever the format (the full form is about 1 KB).
 */
export function compactLine(line: number, anomalyScore: number, field: string | undefined, file?: string): string {
  const head = (file === undefined ? '{"line":' : '{"file":' + quote(file) + ',"line":') + int(line) + ',"anomaly_score":' + num(anomalyScore);
  return field === undefined ? head + '}' : head + ',"field":' + quotedName(field) + '}';
}
