// The splice (src/server/anomaly-json.ts) cuts the anomaly keys a document already carries out of its text before it
// appends its own: a key written with escapes (`"\u0061nomaly_score"`) must be found and replaced too, a mention of
// `anomaly_score` in a value must not cut anything, and the document forwarded must carry each anomaly key once, with
// the new values. (Looking for `"anomaly` and a backslash in the text, to skip the walk of the keys, was tried for
// this: two scans of the text cost more than the walk, bench/bulk-route-js.mjs.)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withAnomalyFields } from '../src/server/anomaly-json.js';
import { topLevelMembers } from '../src/server/json-members.js';
import { anomalyFields } from '../src/service/anomaly-fields.js';

const RUNS = Number(process.env.SEQSENTRY_FUZZ_RUNS ?? 500);
const fields = anomalyFields({ anomaly_score: 0.25, raw: 1, is_anomaly: false, fields: [] }, { name: 'm', version: '1', kind: 'k' }, 0.9, '2026-01-01T00:00:00.000Z');
const isAnomalyKey = (k: string) => k === 'anomaly' || k === 'anomaly_score' || k.startsWith('anomaly.');

/** Writes some characters of each key as \u escapes (what JSON.parse reads back as the same key). */
function escapeKeys(doc: Record<string, unknown>, mask: number): string {
  const members = Object.entries(doc).map(([k, v], i) => {
    const key = (mask >> i) & 1 ? `"${[...k].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"` : JSON.stringify(k);
    return `${key}:${JSON.stringify(v)}`;
  });
  return `{${members.join(',')}}`;
}

function check(text: string): void {
  const doc = JSON.parse(text) as Record<string, unknown>;
  const out = withAnomalyFields(text, doc, fields);
  const keys = topLevelMembers(out).map((m) => m.key);
  expect(keys.filter((k) => k === 'anomaly_score')).toHaveLength(1);
  expect(keys.filter(isAnomalyKey)).toEqual(['anomaly_score', 'anomaly']);
  const parsed = JSON.parse(out) as Record<string, unknown>;
  expect(parsed.anomaly_score).toBe(0.25);
  for (const [k, v] of Object.entries(doc)) if (!isAnomalyKey(k)) expect(parsed[k]).toEqual(v);
  // nothing carried that needs cutting: the shipper's bytes are kept, the fields appended
  if (!Object.keys(doc).some(isAnomalyKey)) expect(out.startsWith(text.trimEnd().slice(0, -1))).toBe(true);
}

describe('anomaly keys a document carries', () => {
  it('are replaced when written with escapes, and values that mention them cut nothing', () => {
    check('{"a":1,"\\u0061nomaly_score":0.5}');
    check('{"\\u0061nomaly":{"raw":2},"b":"x"}');
    check('{"an\\u006fmaly.error":"old","c":true}');
    check('{"a":"anomaly_score","b":"\\"anomaly\\":1","anomaly_scores":2}');
    check('{"path":"C:\\\\Users\\\\x"}');
    check('{}');
    check('{ }');
  });

  it('are replaced whichever characters of which keys are escaped', () => {
    const key = fc.oneof(fc.string(), fc.constantFrom('anomaly', 'anomaly_score', 'anomaly.x', 'anomalyish', 'user'));
    fc.assert(
      fc.property(fc.dictionary(key, fc.jsonValue(), { maxKeys: 6 }), fc.nat(63), (doc, mask) => check(escapeKeys(doc, mask))),
      { numRuns: RUNS },
    );
  });
});
