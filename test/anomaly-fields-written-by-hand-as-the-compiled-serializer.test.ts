// The proxy writes the anomaly fields by hand (src/server/anomaly-json.ts): every byte must be what the compiled
// fast-json-stringify serializer wrote before, for the fields of real scores and for any value (escapes, nulls,
// non-finite numbers, absent and extra keys, values of another type), where the hand path hands over to it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serializeAnomalyFields, serializeAnomalyFieldsCompiled } from '../src/server/anomaly-json.js';
import { anomalyError, anomalyFields, anomalyPending, type AnomalyFields } from '../src/service/anomaly-fields.js';

const RUNS = Number(process.env.SEQSENTRY_FUZZ_RUNS ?? 2000);
const model = { name: 'seqsentry-transformer-mlm', version: '20261205T194858Z', kind: 'transformer-mlm' };

/** A value of the type a key holds, or one of the values the hand path gives up on. */
const text = fc.oneof(fc.string(), fc.constantFrom('dst_host', 'a"b', 'back\\slash', 'tab\there', '\ud800', 'é ü 中'));
const oddValue = fc.constantFrom(null, NaN, Infinity, -Infinity, 0, -0, 1e21, 5e-7, '', true, false, [], {}, 'x');
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: oddValue }), { nil: undefined, freq: 3 });
const number = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0.123456, 1, 0));
const field = fc.record({ name: maybe(text), value: maybe(text), surprisal: maybe(number), expected: maybe(text), extra: maybe(text) }, { requiredKeys: [] });
const details = fc.record(
  {
    raw: maybe(number), fields: maybe(fc.array(fc.oneof({ weight: 9, arbitrary: field }, { weight: 1, arbitrary: oddValue }), { maxLength: 5 })),
    model: maybe(fc.record({ name: maybe(text), version: maybe(text), kind: maybe(text) }, { requiredKeys: [] })),
    threshold: maybe(number), is_anomaly: maybe(fc.boolean()), reason: maybe(text), scored_at: maybe(text), error: maybe(text),
    pending: maybe(text), entity: maybe(text), time: maybe(number), late: maybe(fc.boolean()),
  },
  { requiredKeys: [] },
);
const fieldsArb = fc.record({ anomaly_score: maybe(number), anomaly: maybe(details) }, { requiredKeys: [] }) as fc.Arbitrary<AnomalyFields>;

describe('anomaly fields written by hand', () => {
  it('are the compiled serializer\'s bytes for the fields of scored, failed and pending events', () => {
    const at = '2026-12-06T07:00:00.000Z';
    const scored = [
      { anomaly_score: 0.4213370000001, raw: 3.25, is_anomaly: false, fields: [{ field: 'dst_host', value: 'srv-12', surprisal: 2.5, expected: 'srv-3' }], components: [{ name: 'sequence', log_p: -2 }] },
      { anomaly_score: 0.999999, raw: 17.123456789, is_anomaly: true, fields: [{ field: 'user', value: 'u"1', surprisal: 9, expected: 'u2' }, { field: 'src_host', value: 'ws-1', surprisal: 1, expected: 'ws-2' }], components: [{ name: 'pairs', log_p: -9, unseen: ['user+dst_host'] }] },
      { anomaly_score: 0.995, raw: 5, is_anomaly: false, fields: [] },
    ];
    const all: AnomalyFields[] = [
      ...scored.map((r) => anomalyFields(r, model, 0.99, at)),
      anomalyFields(scored[0]!, model, 0.99, at, { entity: 'C17$', time: 1_700_000_000.5 }),
      anomalyError('_bulk:3: no user', model, at),
      anomalyPending('history refill failed: TimeoutError', model, at),
      { anomaly: { model, scored_at: at, pending: null } },
    ];
    for (const f of all) expect(serializeAnomalyFields(f)).toBe(serializeAnomalyFieldsCompiled(f));
    // the first of them is the common case and must not have gone the compiled way by accident
    expect(serializeAnomalyFields(all[0]!)).toBe(`{"anomaly_score":0.421337,"anomaly":{"fields":[{"name":"dst_host"}],"model":{"name":"seqsentry-transformer-mlm","version":"20261205T194858Z","kind":"transformer-mlm"},"is_anomaly":false,"reason":"sequence","scored_at":"${at}"}}`);
  });

  it('are the compiled serializer\'s bytes for any fields, odd values included', () => {
    let tried = 0;
    fc.assert(
      fc.property(fieldsArb, (f) => {
        tried += 1;
        expect(serializeAnomalyFields(f)).toBe(serializeAnomalyFieldsCompiled(f));
      }),
      { numRuns: RUNS, seed: Number(process.env.SEQSENTRY_FUZZ_SEED ?? 20261206) },
    );
    expect(tried).toBe(RUNS);
  });

  it('keep their members in one order, which the ML route\'s JSON answer shows', () => {
    const at = '2026-12-06T07:00:00.000Z';
    const stamp = { entity: 'c17$', time: 5 };
    const full = anomalyFields({ anomaly_score: 0.999, raw: 2, is_anomaly: true, fields: [], components: [{ name: 'sequence', log_p: -1 }] }, model, 0.99, at, stamp);
    const compact = anomalyFields({ anomaly_score: 0.5, raw: 2, is_anomaly: false, fields: [] }, model, 0.99, at, stamp);
    expect(Object.keys(full)).toEqual(['anomaly_score', 'anomaly']);
    expect(Object.keys(full.anomaly)).toEqual(['raw', 'fields', 'model', 'threshold', 'is_anomaly', 'reason', 'scored_at', 'entity', 'time']);
    expect(Object.keys(compact.anomaly)).toEqual(['fields', 'model', 'is_anomaly', 'scored_at', 'entity', 'time']);
  });

  it('follow a model reference whose values change between calls', () => {
    const at = '2026-12-06T07:00:00.000Z';
    const result = { anomaly_score: 0.5, raw: 1, is_anomaly: false, fields: [] };
    for (const m of [model, { ...model, version: 'v2' }, model, { name: 'x', version: 'v2', kind: 'charfreq' }]) {
      const f = anomalyFields(result, m, 0.99, at);
      expect(serializeAnomalyFields(f)).toBe(serializeAnomalyFieldsCompiled(f));
    }
  });
});
