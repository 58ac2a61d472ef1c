// A sidecar serving a zeek-seq bundle sees one record at a time and cannot join a connection by uid: the _bulk proxy
// forwards every record unscored, marked anomaly.pending with the reason, the ML Commons route answers the same for
// one document, and neither fails. enrich then scores the stored records by connection and clears the mark.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { otrfZeekFiles, zeekSeqModel } from './support/model-fixture.js';
import { allDocs, deleteIndex, os, uniqueIndex } from './support/os-helpers.js';
import { call, ndjson, startTestSidecar } from './support/sidecar-fixture.js';
import { enrichOptions, requireZeekSeq, runConnectionEnrich, type ZeekDoc, zeekDocs, zeekIndexBody, zeekSeqReady } from './support/zeek-seq-fixture.js';

const ready = zeekSeqReady();
const REASON = 'zeek-seq is scored by enrich (uid join)';
const index = uniqueIndex('zeek-seq-proxy');
let sidecar: Sidecar | undefined;
let modelDir = '';
// One sensor's records of day 2 (SCRANTON: conn, dns, dce_rpc, kerberos, smb_mapping, weird), 123 records, 53 connections with a conn record.
let docs: ZeekDoc[] = [];

beforeAll(async () => {
  const url = inject('opensearchUrl');
  if (!url || !ready) return;
  modelDir = await zeekSeqModel();
  docs = zeekDocs(otrfZeekFiles('day2').filter((f) => f.includes('SCRANTON_')));
  const created = await os(url, 'PUT', `/${index}`, zeekIndexBody());
  if (created.status !== 200) throw new Error(`create ${index}: ${JSON.stringify(created.json)}`);
  sidecar = await startTestSidecar({ 'opensearch.url': url, 'history.refill': true, model_dir: modelDir });
}, 600_000);

afterAll(async () => {
  await sidecar?.shutdown();
  await deleteIndex(inject('opensearchUrl'), index);
});

beforeEach((ctx) => requireZeekSeq(ctx));

describe.runIf(ready)('a sidecar serving a zeek-seq bundle', () => {
  it('forwards every record through the _bulk proxy unscored, marked pending with the reason', async () => {
    const url = inject('opensearchUrl') as string;
    const s = sidecar as Sidecar;
    const res = await call(s.url, 'POST', `/${index}/_bulk?refresh=true`, { body: ndjson(...docs.flatMap((d) => [{ index: { _id: d.id } }, d.source])) });
    expect(res.status).toBe(200);
    expect(res.json.errors).toBe(false);
    expect(res.json.items).toHaveLength(docs.length);
    const stored = await allDocs(url, index);
    expect(stored).toHaveLength(docs.length);
    for (const doc of stored) {
      expect(doc.anomaly_score, doc._id).toBeUndefined();
      expect(doc.anomaly.pending, doc._id).toBe(REASON);
      expect(doc.anomaly.model.kind).toBe('zeek-seq');
    }
  });

  it('answers the ML Commons route for one document with the same mark, anomaly_score null', async () => {
    const s = sidecar as Sidecar;
    const res = await call(s.url, 'POST', '/v1/ml/score', { body: { index, doc: docs[0]?.source } });
    expect(res.status).toBe(200);
    expect(res.json.anomaly_score).toBeNull();
    expect(res.json.anomaly.pending).toBe(REASON);
  });

  it('leaves them to enrich, which scores every record by its connection and clears the mark', async () => {
    const url = inject('opensearchUrl') as string;
    const stats = await runConnectionEnrich(url, modelDir, enrichOptions(index, 0));
    expect(stats.connections).toBeGreaterThan(40);
    expect(stats.failed).toBe(0);
    const stored = await allDocs(url, index);
    const scored = stored.filter((d) => typeof d.anomaly_score === 'number');
    // all but a connection still within the join delay of the newest record (its conn record lasts past it)
    expect(scored.length).toBeGreaterThan(stored.length - 5);
    for (const d of scored) expect(d.anomaly.pending, d._id).toBeNull();
    // the records of one connection carry one score
    const byUid = new Map<string, Set<number>>();
    for (const d of scored) if (typeof d.uid === 'string') byUid.set(d.uid, (byUid.get(d.uid) ?? new Set()).add(d.anomaly_score));
    expect([...byUid.values()].every((set) => set.size === 1)).toBe(true);
    expect([...byUid.values()].length).toBeGreaterThan(40);
  });
});
