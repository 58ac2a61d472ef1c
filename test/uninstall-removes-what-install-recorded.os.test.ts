// `seqsentry uninstall` against a real node: install records what it put; a dry run changes nothing; uninstall leaves
// no SeqSentry template, pipeline, connector, model or state document, and the user's events as they were.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadContent } from '../src/install/content.js';
import { install } from '../src/install/installer.js';
import { readRecord } from '../src/install/record.js';
import { uninstall } from '../src/install/uninstaller.js';
import { createOpenSearchClient, type OpenSearchClient } from '../src/opensearch/client.js';
import { acquireLock, holdSidecarPort, TEST_INSTALL_OPTIONS } from './support/ml-sidecar.js';
import { requireOpenSearch } from './support/opensearch.js';
import { deleteIndex, os } from './support/os-helpers.js';

let url = '';
// Matches the index template install puts for --index-pattern seqsentry-itest-*.
const EVENTS = `seqsentry-itest-uninstall-${process.pid}`;

/** Everything of ours install may have put, as the cluster reports it. */
async function ours(): Promise<Record<string, unknown>> {
  const get = async (path: string, body?: unknown) => {
    const res = await os(url, body ? 'POST' : 'GET', path, body);
    return res.status === 404 ? null : res.json;
  };
  const byName = { query: { term: { 'name.keyword': 'seqsentry-sidecar' } }, size: 50 };
  return {
    component: await get('/_component_template/seqsentry-*'),
    index: await get('/_index_template/seqsentry-*'),
    pipeline: await get('/_ingest/pipeline/seqsentry-*'),
    connectors: (await get('/_plugins/_ml/connectors/_search', byName))?.hits?.hits ?? [],
    models: (await get('/_plugins/_ml/models/_search', { ...byName, query: { bool: { filter: [byName.query, { term: { algorithm: 'REMOTE' } }] } } }))?.hits?.hits ?? [],
    stateDocs: (await get('/.seqsentry-state/_search', { query: { terms: { type: ['install', 'model'] } }, size: 50 }))?.hits?.hits ?? [],
  };
}

describe('seqsentry uninstall', () => {
  let client: OpenSearchClient;
  // Other .os files use the installed connector, model and pipeline: hold both locks while they are gone.
  const releases: Array<() => void> = [];

  beforeAll(async () => {
    releases.push(await holdSidecarPort(), await acquireLock('install'));
  });
  afterAll(async () => {
    try {
      // Put the content back for the other test files.
      if (client) await install(client, { ...TEST_INSTALL_OPTIONS, dryRun: false });
      await deleteIndex(url, EVENTS);
    } finally {
      await client?.close();
      for (const r of releases.reverse()) r();
    }
  });
  beforeEach((ctx) => {
    url = requireOpenSearch(ctx);
    client ??= createOpenSearchClient({ url, tls: { reject_unauthorized: true }, request_timeout_ms: 60_000 });
  });

  it('install records what it put, and a second install changes nothing, the record included', async () => {
    await install(client, { ...TEST_INSTALL_OPTIONS, dryRun: false });
    const second = await install(client, { ...TEST_INSTALL_OPTIONS, dryRun: false });
    expect(second.items.filter((i) => i.action !== 'unchanged' && i.kind !== 'monitor' && i.kind !== 'saved_objects').map((i) => `${i.action} ${i.kind} ${i.id}`)).toEqual([]);
    const record = await readRecord(client, 'seqsentry');
    expect(record?.items.map((i) => `${i.kind} ${i.id}`)).toEqual(expect.arrayContaining([
      'component_template seqsentry-anomaly-fields', 'index_template seqsentry-events', 'state_index .seqsentry-state', 'entities_index seqsentry-entities',
      'ml_connector seqsentry-sidecar', 'ml_model seqsentry-sidecar', 'ingest_pipeline seqsentry-score',
    ]));
    expect(record?.items.find((i) => i.kind === 'ml_model')?.resource).toMatch(/\S{10,}/);
    expect(record?.items.find((i) => i.kind === 'component_template')?.sha256).toMatch(/^[0-9a-f]{64}$/);
    // The content's own version, read from the file: it moves with the template.
    expect(record?.items.find((i) => i.id === 'seqsentry-anomaly-fields')?.version).toBe(loadContent('pipelines/templates/seqsentry-anomaly-fields.json').version);
    expect(record?.version).toBe('0.3.0');
  });

  it('--dry-run lists what it would remove and changes nothing', async () => {
    const before = await ours();
    const items = await uninstall(client, { dryRun: true, deleteData: true });
    const line = (kind: string) => items.find((i) => i.kind === kind);
    expect(line('ingest_pipeline')?.action).toBe('delete');
    expect(line('ml_model')?.action).toBe('delete');
    expect(line('entities_index')?.action).toBe('delete');
    expect(line('cluster_settings')?.action).toBe('skip');
    expect(await ours()).toEqual(before);
  });

  it('keeps what an admin\'s own objects use (a template composing ours, an index writing through our pipeline), in the record too', async () => {
    const adminTemplate = `admin-composes-${process.pid}`;
    const piped = `seqsentry-itest-piped-${process.pid}`;
    expect((await os(url, 'PUT', `/_index_template/${adminTemplate}`, { index_patterns: [`admin-${process.pid}-*`], priority: 5, composed_of: ['seqsentry-anomaly-fields'] })).status).toBe(200);
    expect((await os(url, 'PUT', `/${piped}`, { settings: { 'index.default_pipeline': 'seqsentry-score' } })).status).toBe(200);
    try {
      const items = await uninstall(client, { dryRun: false, deleteData: false });
      const of = (kind: string) => items.find((i) => i.kind === kind);
      expect(items.filter((i) => i.kind === 'component_template' && i.action === 'skip').map((i) => i.id)).toEqual(['seqsentry-anomaly-fields']);
      expect(items.find((i) => i.id === 'seqsentry-anomaly-fields')?.detail).toContain(adminTemplate);
      expect(of('ingest_pipeline')).toMatchObject({ action: 'skip', detail: expect.stringContaining(piped) });
      expect(items.find((i) => i.id === 'install:seqsentry')?.action).toBe('skip');
      expect((await os(url, 'GET', '/_component_template/seqsentry-anomaly-fields')).status).toBe(200);
      expect((await os(url, 'GET', '/_ingest/pipeline/seqsentry-score')).status).toBe(200);
      // the record now holds just what was kept
      expect((await readRecord(client, 'seqsentry'))?.items.map((i) => `${i.kind} ${i.id}`).sort()).toEqual(['component_template seqsentry-anomaly-fields', 'ingest_pipeline seqsentry-score']);
    } finally {
      await os(url, 'DELETE', `/_index_template/${adminTemplate}`);
      await deleteIndex(url, piped);
    }
    // Once the admin's objects let go, an uninstall removes them; then install again for the next test.
    const after = await uninstall(client, { dryRun: false, deleteData: false });
    expect(after.filter((i) => i.action === 'delete').map((i) => `${i.kind} ${i.id}`).sort()).toEqual(['component_template seqsentry-anomaly-fields', 'ingest_pipeline seqsentry-score', 'state_doc install:seqsentry']);
    await install(client, { ...TEST_INSTALL_OPTIONS, dryRun: false });
  });

  it('removes every template, pipeline, connector, model and state document it recorded, and no event', async () => {
    await os(url, 'POST', `/${EVENTS}/_bulk?refresh=true`, [0, 1, 2].map((i) => `{"index":{"_id":"e${i}"}}\n{"@timestamp":"2026-12-01T10:0${i}:00Z","user":{"name":"u${i}"},"anomaly_score":0.5}\n`).join(''));
    const eventsBefore = await os(url, 'POST', `/${EVENTS}/_search`, { sort: ['_id'] });
    const items = await uninstall(client, { dryRun: false, deleteData: false });
    expect(items.filter((i) => i.action === 'delete').map((i) => i.kind)).toEqual(expect.arrayContaining(['ingest_pipeline', 'ml_model', 'ml_connector', 'index_template', 'component_template', 'state_doc']));
    // Data indices stay without --delete-data.
    // (Saved objects an interrupted dashboards test left recorded are skipped without --dashboards-url.)
    expect(items.filter((i) => i.action === 'skip' && i.kind !== 'saved_objects').map((i) => i.kind).sort()).toEqual(['cluster_settings', 'entities_index', 'state_index']);
    await os(url, 'POST', '/.seqsentry-state/_refresh');
    expect(await ours()).toEqual({ component: null, index: null, pipeline: null, connectors: [], models: [], stateDocs: [] });
    expect((await os(url, 'HEAD', '/seqsentry-entities')).status).toBe(200);
    expect((await os(url, 'POST', `/${EVENTS}/_search`, { sort: ['_id'] })).json.hits).toEqual(eventsBefore.json.hits);
    // A second uninstall finds nothing recorded.
    expect(await uninstall(client, { dryRun: false, deleteData: false })).toEqual([]);
  });
});
