// A cluster without ML Commons still gets templates and the state index; every ML item is skipped with the reason.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectContent, type Capabilities } from '../src/install/capabilities.js';
import { loadManifest } from '../src/install/content.js';
import { install } from '../src/install/installer.js';
import { createOpenSearchClient } from '../src/opensearch/client.js';

/** A small HTTP server answering like an OpenSearch 2.19 node with no plugins: nothing of ours exists yet. */
function fakeClusterWithoutMl(): { server: Server; writes: string[] } {
  const writes: string[] = [];
  const json = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      if (req.method === 'GET' && path === '/') return json(res, 200, { version: { distribution: 'opensearch', number: '2.19.6' } });
      if (path === '/_cat/plugins') return json(res, 200, []);
      if (path === '/_nodes/ingest') return json(res, 200, { nodes: { n1: { ingest: { processors: [{ type: 'pipeline' }] } } } });
      if (path === '/_nodes/plugins') return json(res, 200, { nodes: { n1: { modules: [{ name: 'transport-netty4' }] } } });
      if (req.method === 'GET') return json(res, 404, { error: { type: 'resource_not_found_exception', reason: `${path} not found` }, status: 404 });
      // a read: what other templates would match the indices (none here)
      if (path.startsWith('/_index_template/_simulate/')) return json(res, 200, { template: {}, overlapping: [] });
      writes.push(`${req.method} ${path}`);
      return json(res, 200, { acknowledged: true });
    });
  });
  return { server, writes };
}

const noMl: Capabilities = {
  version: '2.19.6',
  distribution: 'opensearch',
  plugins: new Set(),
  processors: new Set(['pipeline']),
  modules: new Set(['transport-netty4']),
};

describe('install on a cluster without the ML Commons plugin', () => {
  let fake: ReturnType<typeof fakeClusterWithoutMl>;
  let url = '';

  beforeAll(async () => {
    fake = fakeClusterWithoutMl();
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => fake.server.close(() => resolve())));

  it('selects templates and the state index and skips every ML item naming the missing plugin', () => {
    const selection = selectContent(loadManifest(), noMl, { indexPatterns: [], mlBlocked: null });
    const skipped = Object.fromEntries(selection.filter((s) => 'skip' in s).map((s) => [`${s.entry.kind}:${s.entry.id}`, (s as { skip: string }).skip]));
    expect(skipped).toEqual({
      'index_template:seqsentry-events': 'no --index-pattern given',
      'cluster_settings:seqsentry-ml-commons-settings': 'cluster lacks plugin opensearch-ml (ML Commons)',
      'ml_connector:seqsentry-sidecar': 'cluster lacks plugin opensearch-ml (ML Commons)',
      'ml_model:seqsentry-sidecar': 'cluster lacks plugin opensearch-ml (ML Commons)',
      'ingest_pipeline:seqsentry-score': 'cluster lacks plugin opensearch-ml (ML Commons)',
      'monitor:seqsentry-very-high-score': 'no --index-pattern given',
      'saved_objects:seqsentry-overview': 'no --index-pattern given',
    });
  });

  it('picks the pipeline variant by the processors the cluster has', () => {
    // Every variant's `if` (score what has no anomaly_score yet) is a Painless script.
    const withMl = { ...noMl, plugins: new Set(['opensearch-ml']), processors: new Set(['ml_inference']), modules: new Set(['lang-painless']) };
    const pipelineFile = (caps: Capabilities) => {
      const sel = selectContent(loadManifest(), caps, { indexPatterns: [], mlBlocked: null }).find((s) => s.entry.kind === 'ingest_pipeline');
      return sel && 'file' in sel ? sel.file : undefined;
    };
    expect(pipelineFile(withMl)).toBe('pipelines/ingest/seqsentry-score.json');
    expect(pipelineFile({ ...withMl, processors: new Set(['ml_inference', 'copy']) })).toBe('pipelines/ingest/seqsentry-score.on-failure-copy.json');
    const full = { ...withMl, processors: new Set(['ml_inference', 'set']), modules: new Set(['lang-mustache', 'lang-painless']) };
    expect(pipelineFile({ ...withMl, modules: new Set<string>() })).toBeUndefined();
    expect(pipelineFile(full)).toBe('pipelines/ingest/seqsentry-score.on-failure.json');
  });

  it('installs the rest against a live HTTP endpoint and reports the ML items as skipped', async () => {
    const client = createOpenSearchClient({ url, tls: { reject_unauthorized: true }, request_timeout_ms: 5000 });
    try {
      const { items } = await install(client, { sidecarUrl: 'http://127.0.0.1:9999', token: 'test-token-0123456789', indexPatterns: ['logs-auth-*'], dryRun: false });
      const byAction = (a: string) => items.filter((i) => i.action === a).map((i) => `${i.kind}:${i.id}`);
      expect(byAction('create')).toEqual([
        'state_index:.seqsentry-state',
        'component_template:seqsentry-anomaly-fields',
        'component_template:seqsentry-ecs-auth',
        'index_template:seqsentry-auth',
        'index_template:seqsentry-events',
        'entities_index:seqsentry-entities',
        'state_doc:install:seqsentry',
      ]);
      expect(byAction('skip')).toEqual([
        'cluster_settings:seqsentry-ml-commons-settings',
        'ml_connector:seqsentry-sidecar',
        'ml_model:seqsentry-sidecar',
        'ingest_pipeline:seqsentry-score',
        'monitor:seqsentry-hosts-at-risk',
        'monitor:seqsentry-users-at-risk',
        'monitor:seqsentry-very-high-score',
        'saved_objects:seqsentry-overview',
      ]);
      // the record is written after each step that changed something (an account that cannot write it stops early)
      const record = 'PUT /.seqsentry-state/_doc/install%3Aseqsentry';
      expect(fake.writes.filter((w) => w !== record)).toEqual([
        'PUT /.seqsentry-state',
        'PUT /_component_template/seqsentry-anomaly-fields',
        'PUT /_component_template/seqsentry-ecs-auth',
        'PUT /_index_template/seqsentry-auth',
        'PUT /_index_template/seqsentry-events',
        'PUT /seqsentry-entities',
      ]);
      expect(fake.writes[1]).toBe(record);
      expect(fake.writes.at(-1)).toBe(record);
    } finally {
      await client.close();
    }
  });
});
