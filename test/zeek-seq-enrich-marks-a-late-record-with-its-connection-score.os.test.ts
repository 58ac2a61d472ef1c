// A Zeek record stored after its connection was scored by enrich (zeek-seq) is not rescored: it gets the connection's
// stored fields with anomaly.late (mapped, so an analyst can search it), no other document changes, and the late
// record stays out of the connection's history: a further run changes nothing.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { ConnectionEnrichStats } from '../src/kinds/zeek-seq/connection-enrich.js';
import { allDocs } from './support/enrich-fixture.js';
import { otrfZeekFiles, zeekSeqModel } from './support/model-fixture.js';
import { deleteIndex, os, uniqueIndex } from './support/os-helpers.js';
import { enrichOptions, isoTs, requireZeekSeq, runConnectionEnrich, shipDocs, type ZeekDoc, zeekDocs, zeekIndexBody, zeekSeqReady } from './support/zeek-seq-fixture.js';

const ready = zeekSeqReady();
const index = uniqueIndex('zeek-seq-late');
type Stored = Map<string, { version: number; source: any }>;
let dns: ZeekDoc;
let before: Stored;
let after: Stored;
let lateRun: ConnectionEnrichStats;
let again: ConnectionEnrichStats;
let lateCount = -1;

beforeAll(async () => {
  const url = inject('opensearchUrl');
  if (!url || !ready) return;
  const modelDir = await zeekSeqModel();
  // One sensor's records of OTRF APT29 day 2 (SCRANTON: 123 records, 53 connections with a conn record).
  const docs = zeekDocs(otrfZeekFiles('day2').filter((f) => f.includes('SCRANTON_')));
  const created = await os(url, 'PUT', `/${index}`, zeekIndexBody());
  if (created.status !== 200) throw new Error(`create ${index}: ${JSON.stringify(created.json)}`);
  await shipDocs(url, index, docs);
  await runConnectionEnrich(url, modelDir, enrichOptions(index, 0));
  before = await allDocs(url, index);
  // A dns record of a scored connection, written again a moment later: as a record that reached the index late.
  dns = docs.find((d) => d.source['@stream'] === 'dns' && typeof before.get(d.id)?.source.anomaly_score === 'number') as ZeekDoc;
  const at = Date.parse(dns.source.ts as string) / 1000 + 0.5;
  await shipDocs(url, index, [{ id: 'late-dns', file: dns.file, source: { ...dns.source, ts: isoTs(at), query: 'late.example.org' } }]);
  lateRun = await runConnectionEnrich(url, modelDir, enrichOptions(index, 0));
  after = await allDocs(url, index);
  lateCount = (await os(url, 'POST', `/${index}/_count`, { query: { term: { 'anomaly.late': true } } })).json.count;
  again = await runConnectionEnrich(url, modelDir, enrichOptions(index, 0));
}, 600_000);

afterAll(async () => {
  await deleteIndex(inject('opensearchUrl'), index);
});

beforeEach((ctx) => requireZeekSeq(ctx));

describe.runIf(ready)('zeek-seq enrich and a record stored after its connection was scored', () => {
  it('writes it the connection\'s stored fields with anomaly.late, without scoring any connection', () => {
    expect(lateRun.late).toBe(1);
    expect(lateRun.connections).toBe(0);
    const late = after.get('late-dns')?.source;
    const sibling = after.get(dns.id)?.source;
    expect(late.anomaly.late).toBe(true);
    expect(late.anomaly_score).toBe(sibling.anomaly_score);
    expect(late.anomaly.fields).toEqual(sibling.anomaly.fields);
    expect(lateCount).toBe(1);
  });

  it('changes no other document', () => {
    for (const [id, { version }] of before) expect(after.get(id)?.version, id).toBe(version);
  });

  it('keeps the late record out of the connection\'s history: a further run rebuilds the same history and writes nothing', () => {
    expect({ late: again.late, connections: again.connections, remembered: again.remembered }).toEqual({ late: 0, connections: 0, remembered: lateRun.remembered });
    expect(again.remembered).toBeGreaterThan(40);
  });
});
