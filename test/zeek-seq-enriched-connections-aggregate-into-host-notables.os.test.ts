// After enrich scores Zeek connections (zeek-seq), `seqsentry aggregate` turns them into per-host entity windows
// in seqsentry-entities, as it does for logons: the source and destination addresses found by the zeek adapter's
// paths, here mapped only by dynamic mapping (text with a `.keyword` sub-field, as a shipper's index without a Zeek
// template has them), and each window's anomalous count is the index's own count of flagged records.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { ENTITIES_INDEX } from '../src/aggregate/aggregate-options.js';
import { runCli, type CliResult } from './support/cli.js';
import { otrfZeekFiles, zeekSeqModel } from './support/model-fixture.js';
import { deleteIndex, os, uniqueIndex } from './support/os-helpers.js';
import { enrichOptions, requireZeekSeq, runConnectionEnrich, shipDocs, zeekDocs, zeekIndexBody, zeekSeqReady } from './support/zeek-seq-fixture.js';

const ready = zeekSeqReady();
const index = uniqueIndex('zeek-seq-notables');
let run: CliResult;
let since = '';
let until = '';
let windows: any[] = [];
let flaggedBySource = new Map<string, number>();

const inRange = () => ({ range: { 'window.start': { gte: since, lt: until } } });

beforeAll(async () => {
  const url = inject('opensearchUrl');
  if (!url || !ready) return;
  const modelDir = await zeekSeqModel();
  const docs = zeekDocs(otrfZeekFiles('day2').filter((f) => f.includes('SCRANTON_') || f.includes('UTICA_')));
  const created = await os(url, 'PUT', `/${index}`, zeekIndexBody());
  if (created.status !== 200) throw new Error(`create ${index}: ${JSON.stringify(created.json)}`);
  await shipDocs(url, index, docs);
  // A rate well above the bundle's, so that the short capture has flagged connections to aggregate
  await runConnectionEnrich(url, modelDir, { ...enrichOptions(index, 0), budget: 0.05 });
  await os(url, 'POST', `/${index}/_refresh`);
  const times = docs.map((d) => Date.parse(d.source.ts as string));
  since = new Date(Math.floor(Math.min(...times) / 3_600_000) * 3_600_000).toISOString();
  until = new Date(Math.max(...times) + 3_600_000).toISOString();
  await os(url, 'POST', `/${ENTITIES_INDEX}/_delete_by_query?refresh=true`, { query: inRange() });
  run = runCli(['aggregate', '--index', index, '--model-dir', modelDir, '--since', since, '--until', until, '--all-windows'], { OPENSEARCH_URL: url });
  await os(url, 'POST', `/${ENTITIES_INDEX}/_refresh`);
  const res = await os(url, 'POST', `/${ENTITIES_INDEX}/_search`, { size: 10_000, query: inRange() });
  // This run's pattern only: notables carry it, and an earlier run's stay beside them where the node cannot delete by query.
  windows = (res.json.hits.hits as any[]).map((h) => h._source).filter((w) => w.entity?.kind === 'src_ip' && w.source_index === index);
  const sourceField = /src_ip=([\w.]+)/.exec(run.stdout)?.[1] ?? 'id.orig_h.keyword';
  const flagged = await os(url, 'POST', `/${index}/_search`, { size: 0, query: { term: { 'anomaly.is_anomaly': true } }, aggs: { src: { terms: { field: sourceField, size: 1000 } } } });
  flaggedBySource = new Map((flagged.json.aggregations.src.buckets as { key: string; doc_count: number }[]).map((b) => [b.key, b.doc_count]));
}, 900_000);

afterAll(async () => {
  const url = inject('opensearchUrl');
  if (url && since) await os(url, 'POST', `/${ENTITIES_INDEX}/_delete_by_query?refresh=true`, { query: inRange() });
  await deleteIndex(url, index);
});

beforeEach((ctx) => requireZeekSeq(ctx));

describe.runIf(ready)('zeek-seq connections aggregated into host notables', () => {
  it('finds the source and destination addresses by their keyword sub-fields', () => {
    expect(run.status, run.stderr).toBe(0);
    // OTRF's Zeek JSON names them id_orig_h and id_resp_h (the adapter's second paths)
    expect(run.stdout).toMatch(/src_ip=id[._]orig_h\.keyword/);
    expect(run.stdout).toMatch(/dst_ip=id[._]resp_h\.keyword/);
  });

  it('writes per source address windows whose anomalous counts add up to the flagged records', () => {
    expect(windows.length).toBeGreaterThan(0);
    expect(flaggedBySource.size).toBeGreaterThan(0);
    const summed = new Map<string, number>();
    for (const w of windows) summed.set(w.entity.value, (summed.get(w.entity.value) ?? 0) + (w.anomalous ?? 0));
    for (const [source, n] of flaggedBySource) expect(summed.get(source), source).toBe(n);
  });
});
