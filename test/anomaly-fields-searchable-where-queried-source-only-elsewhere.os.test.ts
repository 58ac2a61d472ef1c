// The anomaly fields' mapping (seqsentry-anomaly-fields, schema 7) indexes only what something queries, sorts or
// aggregates: the score, is_anomaly, the explained field's name, the reason, the model version, the raw score's sort,
// the refill stamp, error and pending. The rest (the explanation's value, surprisal and expected value, the model's
// name and kind, scored_at) is kept in _source only, because indexing it nearly doubled OpenSearch's CPU per event
// (bench/os-fields.mjs). Against a real OpenSearch with the content pack's mappings: every query the content pack
// and the sidecar run on event indices still finds what the sidecar wrote, the source-only parts come back as
// written, and a search on one of them is refused with OpenSearch's reason rather than answered empty.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ScoreResult } from '../src/scorer/scorer.js';
import { anomalyFields } from '../src/service/anomaly-fields.js';
import { ecsIndexBody } from './support/enrich-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';
import { deleteIndex, os, uniqueIndex } from './support/os-helpers.js';

const url = inject('opensearchUrl');
const index = uniqueIndex('anomaly-mapping');
const model = { name: 'seqsentry-transformer-mlm', version: '20261206T120000Z', kind: 'transformer-mlm' };
const explained = ['dst_host', 'src_host', 'user'].map((field, i) => ({ field, value: `C${586 + i}`, surprisal: 7 - i, expected: `C${17 + i}` }));
/** A result shaped as the scorer gives it; the mapping is under test here, not the score. */
const result = (anomaly_score: number, is_anomaly: boolean, raw: number): ScoreResult => ({ anomaly_score, raw, is_anomaly, fields: explained, components: [{ name: 'pairs', log_p: -9, unseen: ['user+dst_host'] }] as ScoreResult['components'] });
const at = '2026-12-06T12:00:00.000Z';
const DOCS = {
  anomalous: { '@timestamp': at, user: { name: 'u1' }, ...anomalyFields(result(0.9999, true, 40), model, 0.999, at) },
  explained: { '@timestamp': at, user: { name: 'u2' }, ...anomalyFields(result(0.995, false, 30), model, 0.999, at) },
  compact: { '@timestamp': at, user: { name: 'u3' }, ...anomalyFields(result(0.5, false, 3), model, 0.999, at) },
};

const ids = async (query: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<string[]> => {
  const res = await os(url, 'POST', `/${index}/_search`, { size: 10, query, _source: false, ...extra });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return (res.json.hits.hits as Array<{ _id: string }>).map((h) => h._id);
};

beforeAll(async () => {
  await requireOpenSearch(url);
  expect((await os(url, 'PUT', `/${index}`, ecsIndexBody(1))).status).toBe(200);
  const bulk = Object.entries(DOCS).map(([id, doc]) => `{"index":{"_id":"${id}"}}\n${JSON.stringify(doc)}\n`).join('');
  const res = await os(url, 'POST', `/${index}/_bulk?refresh=true`, bulk);
  expect(res.json.errors, JSON.stringify(res.json).slice(0, 500)).toBe(false);
});
afterAll(() => deleteIndex(url, index));

describe('the anomaly fields in the index (schema 7)', () => {
  it('answers what the monitors, dashboards, aggregate, budget, enrich and demo query, sort and aggregate', async () => {
    // the very-high-score monitor and the anomalous-events search (Lucene, as they are installed)
    expect(await ids({ query_string: { query: 'anomaly.is_anomaly:true AND anomaly_score:>=0.9999' } })).toEqual(['anomalous']);
    // aggregate's anomalous filter and the budget loader's score histogram
    expect(await ids({ term: { 'anomaly.is_anomaly': true } })).toEqual(['anomalous']);
    expect((await ids({ range: { anomaly_score: { gte: 0.99 } } })).sort()).toEqual(['anomalous', 'explained']);
    // enrich's unscored query and the refill's scored filter
    expect(await ids({ bool: { must_not: [{ exists: { field: 'anomaly_score' } }, { exists: { field: 'anomaly.error' } }] } })).toEqual([]);
    // an analyst's filters on the explained field, the reason and the model version that scored the event
    expect((await ids({ term: { 'anomaly.fields.name': 'dst_host' } })).sort()).toEqual(['anomalous', 'compact', 'explained']);
    expect((await ids({ prefix: { 'anomaly.reason': 'pairs' } })).length).toBe(3);
    expect((await ids({ term: { 'anomaly.model.version': model.version } })).length).toBe(3);
    // the demo's top events: anomaly_score, ties broken by anomaly.raw (doc values)
    expect(await ids({ exists: { field: 'anomaly_score' } }, { sort: [{ anomaly_score: 'desc' }, { 'anomaly.raw': { order: 'desc', unmapped_type: 'float' } }] })).toEqual(['anomalous', 'explained', 'compact']);
    const aggs = await os(url, 'POST', `/${index}/_search`, { size: 0, aggs: { flagged: { filter: { term: { 'anomaly.is_anomaly': true } }, aggs: { s: { max: { field: 'anomaly_score' } } } }, names: { terms: { field: 'anomaly.fields.name' } } } });
    expect(aggs.json.aggregations.flagged.doc_count).toBe(1);
    expect((aggs.json.aggregations.names.buckets as Array<{ key: string }>).map((b) => b.key).sort()).toEqual(['dst_host', 'src_host', 'user']);
  });

  it('returns the source-only parts as the sidecar wrote them (aggregate and the dashboards read them there)', async () => {
    for (const [id, doc] of Object.entries(DOCS)) {
      const got = await os(url, 'GET', `/${index}/_doc/${id}`);
      expect(got.json._source.anomaly, id).toEqual(JSON.parse(JSON.stringify(doc.anomaly)));
    }
    const anomalous = (await os(url, 'GET', `/${index}/_doc/anomalous`)).json._source.anomaly;
    expect(anomalous.fields[0]).toEqual({ name: 'dst_host', value: 'C586', surprisal: 7, expected: 'C17' });
    expect(anomalous.model).toEqual(model);
    expect(anomalous.scored_at).toBe(at);
  });

  it('refuses a search on a source-only part with OpenSearch reason instead of answering it empty', async () => {
    for (const field of ['anomaly.fields.value', 'anomaly.model.name', 'anomaly.scored_at']) {
      const res = await os(url, 'POST', `/${index}/_search`, { query: { term: { [field]: field === 'anomaly.scored_at' ? at : 'C586' } } });
      expect(res.status, field).toBe(400);
      expect(JSON.stringify(res.json), field).toMatch(/not indexed|Cannot search on field/);
    }
  });
});
