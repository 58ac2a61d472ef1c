// The ingest pipeline's on_failure branch, run for real: with ingest-common on the node (assembled as a module on the
// local 2.x node, scripts/opensearch.mjs) install picks a variant that writes a failed ML Commons call's reason into
// anomaly.pending; the event is indexed with its original fields and no score, and enrich's unscored query takes it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { unscoredQuery } from '../src/enrich/query.js';
import { install } from '../src/install/installer.js';
import { createOpenSearchClient, type OpenSearchClient } from '../src/opensearch/client.js';
import { holdSidecarPort, TEST_INSTALL_OPTIONS, withInstallLock } from './support/ml-sidecar.js';
import { requireOpenSearch } from './support/opensearch.js';
import { deleteIndex, os } from './support/os-helpers.js';

let url = '';
const INDEX = `seqsentry-itest-failure-${process.pid}`;

describe('ingest pipeline seqsentry-score when the sidecar cannot be reached', () => {
  let client: OpenSearchClient;
  let releasePort: (() => void) | undefined;

  beforeAll(async () => {
    url = requireOpenSearch({ skip: () => {} });
    client = createOpenSearchClient({ url, tls: { reject_unauthorized: true }, request_timeout_ms: 60_000 });
    // Held and not listened on: ML Commons' call to the sidecar is refused.
    releasePort = await holdSidecarPort();
  });
  afterAll(async () => {
    releasePort?.();
    await deleteIndex(url, INDEX);
    await client?.close();
  });
  beforeEach((ctx) => {
    url = requireOpenSearch(ctx);
  });

  it('installs a variant with an on_failure branch: copy where the node has no lang-mustache (the local 2.x node), set with templates where it has', async () => {
    const { items, capabilities } = await withInstallLock(() => install(client, { ...TEST_INSTALL_OPTIONS, dryRun: false }));
    expect(capabilities.processors.has('copy')).toBe(true);
    const mustache = capabilities.modules.has('lang-mustache') && capabilities.processors.has('set');
    expect(items.find((i) => i.kind === 'ingest_pipeline')?.file).toBe(`pipelines/ingest/seqsentry-score.${mustache ? 'on-failure' : 'on-failure-copy'}.json`);
    const stored = (await os(url, 'GET', '/_ingest/pipeline/seqsentry-score')).json['seqsentry-score'];
    const targets = stored.processors[0].ml_inference.on_failure.map((p: any) => p.copy?.target_field ?? p.set?.field);
    expect(targets).toEqual(['anomaly.pending', 'anomaly.scored_at']);
  });

  it('indexes the event with the failure in anomaly.pending, its fields kept, and leaves it for enrich', async () => {
    const doc = { '@timestamp': new Date().toISOString(), user: { name: 'dave' }, source: { domain: 'ws-9' }, event: { outcome: 'success' } };
    const res = await os(url, 'POST', `/${INDEX}/_bulk?pipeline=seqsentry-score&refresh=true`, `{"index":{"_id":"d1"}}\n${JSON.stringify(doc)}\n`);
    expect(res.json.errors, JSON.stringify(res.json.items)).toBe(false);
    const got = (await os(url, 'GET', `/${INDEX}/_doc/d1`)).json._source;
    expect(got).toMatchObject(doc);
    expect(got.anomaly_score).toBeUndefined();
    expect(got.anomaly.error).toBeUndefined();
    expect(got.anomaly.pending).toMatch(/\S{10,}/);
    expect(Date.parse(got.anomaly.scored_at)).toBeGreaterThan(Date.now() - 600_000);
    const unscored = await os(url, 'POST', `/${INDEX}/_count`, { query: unscoredQuery('now-1h', '@timestamp') });
    expect(unscored.json.count).toBe(1);
  });
});
