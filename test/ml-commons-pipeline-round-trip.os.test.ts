// Documents bulk-indexed with ?pipeline=seqsentry-score reach the ML route through ML Commons and come back scored.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { install } from '../src/install/installer.js';
import { createOpenSearchClient, type OpenSearchClient } from '../src/opensearch/client.js';
import { mlContext } from './support/ml-context.js';
import { handleMlCommons } from '../src/server/routes/ml-commons.js';
import type { AnomalyFields } from '../src/service/anomaly-fields.js';
import type { ScoreRequest, ScoringService } from '../src/service/scoring-service.js';
import { holdSidecarPort, withInstallLock, TEST_INSTALL_OPTIONS, TEST_SIDECAR_PORT, TEST_SIDECAR_TOKEN } from './support/ml-sidecar.js';
import { requireOpenSearch } from './support/opensearch.js';

const TOKEN = TEST_SIDECAR_TOKEN;
const MODEL = { name: 'seqsentry-test', version: '1', kind: 'transformer-mlm' };

/** Stands in for the scoring service: a score derived from the user name, anomaly.error for a record without one. */
const seen: ScoreRequest[] = [];
const scoring = {
  async score(reqs: ScoreRequest[]): Promise<AnomalyFields[]> {
    seen.push(...reqs);
    return reqs.map((r) => {
      const user = ((r.record as Record<string, any>).user ?? {}).name as string | undefined;
      if (!user) return { anomaly: { model: MODEL, scored_at: '2026-01-05T08:00:00.000Z', error: 'no user.name' } };
      return {
        anomaly_score: 0.123456789 + user.length / 1000,
        anomaly: {
          raw: 3.5,
          fields: [{ name: 'dst_host', value: 'db01', surprisal: 6.25, expected: 'fs01' }],
          model: MODEL,
          threshold: 0.99,
          is_anomaly: false,
          scored_at: '2026-01-05T08:00:00.000Z',
        },
      };
    });
  },
} as unknown as ScoringService;

let url = '';
const auths: string[] = [];

async function call(method: string, path: string, body?: string): Promise<any> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/x-ndjson' },
    body,
    signal: AbortSignal.timeout(60_000),
  });
  return res.json();
}

describe('ingest pipeline seqsentry-score through ML Commons', () => {
  let client: OpenSearchClient;
  let sidecar: Server;
  let releasePort: () => void = () => {};

  beforeAll(async () => {
    releasePort = await holdSidecarPort();
    sidecar = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', async () => {
        auths.push(String(req.headers.authorization));
        const out = req.url === '/v1/ml/score' ? await handleMlCommons(JSON.parse(text), mlContext(scoring, 'default')) : { status: 404, body: {} };
        res.writeHead(out.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(out.body));
      });
    });
    await new Promise<void>((resolve, reject) => sidecar.once('error', reject).listen(TEST_SIDECAR_PORT, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await client?.close();
    await new Promise<void>((resolve) => sidecar.close(() => resolve()));
    releasePort();
  });
  beforeEach((ctx) => {
    url = requireOpenSearch(ctx);
    client ??= createOpenSearchClient({ url, tls: { reject_unauthorized: true }, request_timeout_ms: 60_000 });
  });

  it('keeps the original event and adds anomaly_score and anomaly.* (or anomaly.error) from the sidecar', async () => {
    await withInstallLock(() => install(client, { ...TEST_INSTALL_OPTIONS, dryRun: false }));
    const index = `seqsentry-auth-roundtrip-${Date.now()}`;
    const docs = [
      { '@timestamp': '2026-01-05T08:00:00Z', user: { name: 'alice' }, host: { name: 'db01' }, message: 'quote " and\nnewline' },
      { '@timestamp': '2026-01-05T08:00:01Z', user: { name: 'bob' }, host: { name: 'fs01' } },
      { '@timestamp': '2026-01-05T08:00:02Z', host: { name: 'fs01' } },
    ];
    const bulk = docs.map((d, i) => `${JSON.stringify({ index: { _index: index, _id: `d${i}` } })}\n${JSON.stringify(d)}\n`).join('');
    const res = await call('POST', '/_bulk?pipeline=seqsentry-score&refresh=true', bulk);
    expect(res.errors).toBe(false);
    const hits = (await call('GET', `/${index}/_search?size=10&sort=@timestamp`)).hits.hits as Array<{ _id: string; _source: any }>;
    expect(hits.map((h) => h._id)).toEqual(['d0', 'd1', 'd2']);
    expect(hits[0]!._source).toEqual({ ...docs[0], anomaly_score: 0.128456789, anomaly: expect.objectContaining({ raw: 3.5, model: MODEL, is_anomaly: false }) });
    expect(hits[0]!._source.anomaly.fields).toEqual([{ name: 'dst_host', value: 'db01', surprisal: 6.25, expected: 'fs01' }]);
    expect(hits[1]!._source.anomaly_score).toBeCloseTo(0.126456789, 9);
    expect(hits[2]!._source).toEqual({ ...docs[2], anomaly_score: null, anomaly: { model: MODEL, scored_at: '2026-01-05T08:00:00.000Z', error: 'no user.name' } });
    // History scope is the document's index; the record is the source without ingest metadata.
    const mine = seen.filter((r) => r.scope === index);
    expect(mine).toHaveLength(3);
    expect(mine.map((r) => r.record)).toEqual(expect.arrayContaining(docs));
    expect(auths).toContain(`Bearer ${TOKEN}`);
    const mapping = (await call('GET', `/${index}/_mapping`))[index].mappings.properties;
    expect(mapping.anomaly_score.type).toBe('float');
    expect(mapping.anomaly.properties.scored_at.type).toBe('date');
  });

  it('scores again a document that carries only an unscored mark (anomaly.pending), replacing it', async () => {
    const index = `seqsentry-auth-pending-${Date.now()}`;
    const before = seen.length;
    // As an admin re-runs events the proxy forwarded unscored (the sidecar was down) through the pipeline.
    const doc = { '@timestamp': '2026-01-05T09:00:00Z', user: { name: 'alice' }, host: { name: 'db01' }, anomaly: { pending: 'ml_inference failed: connection refused' } };
    const res = await call('POST', '/_bulk?pipeline=seqsentry-score&refresh=true', `${JSON.stringify({ index: { _index: index } })}\n${JSON.stringify(doc)}\n`);
    expect(res.errors).toBe(false);
    expect(seen.length).toBe(before + 1);
    const stored = (await call('GET', `/${index}/_search`)).hits.hits[0]._source;
    expect(stored.anomaly_score).toEqual(expect.any(Number));
    expect(stored.anomaly).toEqual(expect.objectContaining({ model: MODEL, is_anomaly: false }));
    expect(stored.anomaly.pending).toBeUndefined();
  });

  it('skips documents that already carry a score (its `if`), e.g. scored by the proxy', async () => {
    const index = `seqsentry-auth-prescored-${Date.now()}`;
    const before = seen.length;
    const doc = { '@timestamp': '2026-01-05T09:00:00Z', user: { name: 'carol' }, anomaly_score: 0.5, anomaly: { model: MODEL, scored_at: '2026-01-05T09:00:00.000Z' } };
    const res = await call('POST', '/_bulk?pipeline=seqsentry-score&refresh=true', `${JSON.stringify({ index: { _index: index } })}\n${JSON.stringify(doc)}\n`);
    expect(res.errors).toBe(false);
    expect(seen.length).toBe(before);
    expect((await call('GET', `/${index}/_search`)).hits.hits[0]._source).toEqual(doc);
  });
});
