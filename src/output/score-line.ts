// Serializes `seqsentry score` output lines (docs/contracts.md) with precompiled fast-json-stringify schemas.
import fastJson from 'fast-json-stringify';
import type { FieldScore, ScoreResult } from '../scorer/scorer.js';

export interface ScoreLine extends Omit<ScoreResult, 'fields'> {
  /** In full, or below `--explain-above` the top field's name and value only. */
  fields: Array<Pick<FieldScore, 'field' | 'value'> & Partial<FieldScore>>;
  line: number;
  time: number;
  entities: Record<string, string>;
}

export const scoreLine = fastJson({
  type: 'object',
  properties: {
    line: { type: 'integer' },
    time: { type: 'number' },
    entities: { type: 'object', additionalProperties: { type: 'string' } },
    anomaly_score: { type: 'number' },
    raw: { type: 'number' },
    is_anomaly: { type: 'boolean' },
    fields: {
      type: 'array',
      items: {
        type: 'object',
        properties: { field: { type: 'string' }, value: { type: 'string' }, surprisal: { type: 'number' }, expected: { type: 'string' } },
      },
    },
    components: {
      type: 'array',
      items: { type: 'object', properties: { name: { type: 'string' }, log_p: { type: 'number' }, unseen: { type: 'array', items: { type: 'string' } } } },
    },
  },
}) as (line: ScoreLine) => string;

export const errorLine = fastJson({
  type: 'object',
  properties: { line: { type: 'integer' }, error: { type: 'string' } },
}) as (line: { line: number; error: string }) => string;

/** The output line of a record without an event (a blank line, a record of no event of the format): its place kept. */
export const skippedLine = fastJson({
  type: 'object',
  properties: { line: { type: 'integer' }, skipped: { type: 'string' } },
}) as (line: { line: number; skipped: string }) => string;

/**
 * `score --compact`: the line of an event below the explain threshold that is not anomalous, with what joins it back
 * to its record and says where to look: the input line, the score (the same double as in full) and the top field's
 * name. The field's value is in the record itself; time, entities, raw and components are left out so the line
 * stays about 70 bytes whatever the format (the full form is about 1 KB).
 */
export const compactLine = fastJson({
  type: 'object',
  properties: { line: { type: 'integer' }, anomaly_score: { type: 'number' }, field: { type: 'string' } },
}) as (line: { line: number; anomaly_score: number; field?: string }) => string;
