// The Dashboards saved objects against a real node: ids, migrationVersion values and references as OpenSearch
// Dashboards 2.x takes them; every saved search's Lucene query and every visualization's aggregations (translated as
// Dashboards sends them) run on seeded events and notables and return the expected entities. Then install imports
// them into a stand-in Dashboards (none runs here) with their placeholders filled, a second install changes nothing,
// and uninstall removes each one it recorded.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadContent, render } from '../src/install/content.js';
import { install } from '../src/install/installer.js';
import { uninstall } from '../src/install/uninstaller.js';
import { deleteSavedObject } from '../src/install/dashboards-api.js';
import { createOpenSearchClient, type OpenSearchClient } from '../src/opensearch/client.js';
import { startFakeDashboards, importedObjects, type FakeDashboards } from './support/fake-dashboards.js';
import { acquireLock, holdSidecarPort, TEST_INSTALL_OPTIONS } from './support/ml-sidecar.js';
import { requireOpenSearch } from './support/opensearch.js';
import { deleteIndex, os, uniqueIndex } from './support/os-helpers.js';

const FILE = 'pipelines/dashboards/seqsentry.ndjson';
const EVENTS = uniqueIndex('dash-events');
const ENTITIES = uniqueIndex('dash-entities');
const NOW = Date.now();
const MIN = 60_000;
let url = '';

type SavedObject = { id: string; type: string; attributes: Record<string, any>; references: Array<{ name: string; type: string; id: string }>; migrationVersion: Record<string, string> };
const objects = (loadContent(FILE).objects as SavedObject[]);
// The index each object reads: the events pattern is the --index-pattern list, entities its own index (here test copies).
const rendered = render(objects, { index_patterns_title: EVENTS }, FILE).map((o) => (o.id === 'seqsentry-entities' ? { ...o, attributes: { ...o.attributes, title: ENTITIES } } : o));
const byId = new Map(rendered.map((o) => [o.id, o]));

/** The index-pattern title and Lucene query an object searches (a visualization on a saved search takes the search's). */
function sourceOf(o: SavedObject): { index: string; query: string } {
  const own = JSON.parse(o.attributes.kibanaSavedObjectMeta.searchSourceJSON);
  if (o.attributes.savedSearchRefName) {
    const ref = o.references.find((r) => r.name === o.attributes.savedSearchRefName)!;
    return sourceOf(byId.get(ref.id)!);
  }
  const ref = o.references.find((r) => r.name === own.indexRefName)!;
  expect(own.query.language).toBe('lucene');
  return { index: byId.get(ref.id)!.attributes.title, query: own.query.query };
}

/** Dashboards' translation of a visState's aggs: buckets nested in order, metrics at the deepest level. */
function toDsl(aggs: any[]): Record<string, unknown> {
  const metrics: Record<string, unknown> = {};
  for (const a of aggs.filter((x) => x.schema === 'metric' && x.type !== 'count')) metrics[a.id] = { [a.type]: { field: a.params.field } };
  const buckets = aggs.filter((x) => x.schema !== 'metric');
  const orderOf = (id: string) => (aggs.find((x) => x.id === id)?.type === 'count' ? { _count: 'desc' } : { [id]: 'desc' });
  let inner: Record<string, unknown> = metrics;
  for (const b of [...buckets].reverse()) {
    const p = b.params;
    const body = b.type === 'terms' ? { terms: { field: p.field, size: p.size, order: orderOf(p.orderBy) } }
      : b.type === 'date_histogram' ? { date_histogram: { field: p.field, fixed_interval: '15m', min_doc_count: p.min_doc_count } }
        : { histogram: { field: p.field, interval: p.interval, min_doc_count: 0, extended_bounds: p.extended_bounds } };
    inner = { [b.id]: { ...body, aggs: { ...metrics, ...inner } } };
  }
  return inner;
}

async function run(o: SavedObject, aggs?: Record<string, unknown>): Promise<any> {
  const { index, query } = sourceOf(o);
  const res = await os(url, 'POST', `/${index}/_search`, { size: 100, query: query ? { query_string: { query } } : { match_all: {} }, ...(aggs ? { aggs } : {}) });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json;
}

function event(id: string, user: string, dst: string, score: number): string {
  return `{"index":{"_id":"${id}"}}\n${JSON.stringify({ '@timestamp': new Date(NOW - 30 * MIN).toISOString(), user: { name: user }, source: { domain: `ws-${user}` }, destination: { domain: dst }, anomaly_score: score, anomaly: { is_anomaly: score >= 0.99, reason: 'pairs:user+dst_host', fields: [{ name: 'dst_host', value: dst, surprisal: 5 }] } })}\n`;
}

function notable(kind: string, value: string, minutesAgo: number, anomalous: number, risk: number, explain: string): string {
  return `{"index":{}}\n${JSON.stringify({ entity: { kind, field: kind === 'user' ? 'user.name' : 'destination.domain', value }, window: { start: new Date(NOW - minutesAgo * MIN).toISOString(), end: new Date(NOW - (minutesAgo - 15) * MIN).toISOString(), minutes: 15 }, events: anomalous + 3, anomalous, max_score: 0.999, mean_score: 0.6, risk, notable: anomalous > 1, anomalous_windows: 1, explain: anomalous > 0 ? [{ field: 'dst_host', value: explain, events: anomalous }] : [], updated_at: new Date(NOW).toISOString() })}\n`;
}

describe('the Dashboards saved objects', () => {
  beforeAll(async () => {
    url = requireOpenSearch({ skip: () => {} });
    const anomalyFields = (loadContent('pipelines/templates/seqsentry-anomaly-fields.json') as any).template.mappings.properties;
    const ecs = (loadContent('pipelines/templates/seqsentry-ecs-auth.json') as any).template.mappings.properties;
    expect((await os(url, 'PUT', `/${EVENTS}`, { mappings: { properties: { ...ecs, ...anomalyFields } } })).status).toBe(200);
    const { settings, mappings } = loadContent('pipelines/entities/seqsentry-entities.json');
    expect((await os(url, 'PUT', `/${ENTITIES}`, { settings, mappings })).status).toBe(200);
    const events = [
      ...[0, 1, 2, 3].map((i) => event(`m${i}`, 'mallory', 'C666', 0.995 + i * 0.001)),
      event('a0', 'alice', 'C666', 0.992), event('a1', 'alice', 'srv-01', 0.3), event('b0', 'bob', 'srv-01', 0.5), event('b1', 'bob', 'srv-02', 0.1),
    ];
    expect((await os(url, 'POST', `/${EVENTS}/_bulk?refresh=true`, events.join(''))).json.errors).toBe(false);
    const notables = [
      notable('user', 'mallory', 45, 3, 2.9, 'C666'), notable('user', 'mallory', 30, 1, 3.6, 'C666'), notable('user', 'alice', 30, 1, 0.99, 'C666'),
      notable('dst_host', 'C666', 30, 5, 4.9, 'C666'), notable('user', 'bob', 30, 0, 0, ''),
    ];
    expect((await os(url, 'POST', `/${ENTITIES}/_bulk?refresh=true`, notables.join(''))).json.errors).toBe(false);
  });
  afterAll(async () => {
    await deleteIndex(url, EVENTS);
    await deleteIndex(url, ENTITIES);
  });
  beforeEach((ctx) => {
    url = requireOpenSearch(ctx);
  });

  it('are index patterns, saved searches, visualizations and one dashboard, ids prefixed, with 2.x migrationVersion values', () => {
    const versions: Record<string, string> = { 'index-pattern': '7.6.0', search: '7.9.3', visualization: '7.10.0', dashboard: '7.9.3' };
    expect(objects.map((o) => o.type).filter((t) => t === 'dashboard')).toHaveLength(1);
    expect(objects.filter((o) => o.type === 'index-pattern').map((o) => o.id).sort()).toEqual(['seqsentry-entities', 'seqsentry-events']);
    for (const o of objects) {
      expect(o.id).toMatch(/^seqsentry-/);
      expect(o.migrationVersion).toEqual({ [o.type]: versions[o.type] });
    }
  });

  it('resolve every reference, and name every reference they use', () => {
    for (const o of objects) {
      for (const r of o.references) expect(byId.get(r.id)?.type, `${o.id} → ${r.type}:${r.id}`).toBe(r.type);
      const names = new Set(o.references.map((r) => r.name));
      const used = [
        ...(o.attributes.savedSearchRefName ? [o.attributes.savedSearchRefName] : []),
        ...(o.attributes.kibanaSavedObjectMeta ? [JSON.parse(o.attributes.kibanaSavedObjectMeta.searchSourceJSON).indexRefName].filter(Boolean) : []),
        ...(o.attributes.panelsJSON ? JSON.parse(o.attributes.panelsJSON).map((p: { panelRefName: string }) => p.panelRefName) : []),
      ];
      expect(used.filter((n) => !names.has(n)), o.id).toEqual([]);
    }
    const dashboard = objects.find((o) => o.type === 'dashboard')!;
    expect(dashboard.references.map((r) => r.id).sort()).toEqual(objects.filter((o) => o.type === 'search' || o.type === 'visualization').map((o) => o.id).sort());
  });

  it('saved searches: the anomalous events are exactly the anomalous ones, the notable entities the notable windows', async () => {
    const anomalous = await run(byId.get('seqsentry-anomalous-events')!);
    expect(anomalous.hits.hits.map((h: any) => h._id).sort()).toEqual(['a0', 'm0', 'm1', 'm2', 'm3']);
    const notables = await run(byId.get('seqsentry-notable-entities')!);
    expect(notables.hits.hits.map((h: any) => `${h._source.entity.kind}:${h._source.entity.value}`).sort()).toEqual(['dst_host:C666', 'user:mallory']);
  });

  it('visualizations: each aggregation runs and ranks the bad user and host first', async () => {
    const keys = async (id: string, depth = 1) => {
      const o = byId.get(id)!;
      const vis = JSON.parse(o.attributes.visState);
      const json = await run(o, toDsl(vis.aggs));
      const bucketIds = vis.aggs.filter((a: any) => a.schema !== 'metric').map((a: any) => a.id);
      let buckets = json.aggregations[bucketIds[0]].buckets;
      for (let d = 1; d < depth; d++) buckets = buckets.flatMap((b: any) => b[bucketIds[d]].buckets);
      return buckets.map((b: any) => b.key_as_string ?? b.key);
    };
    expect(await keys('seqsentry-top-anomalous-users')).toEqual(['mallory', 'alice']);
    expect(await keys('seqsentry-top-anomalous-hosts')).toEqual(['C666']);
    // Kinds by their riskiest entity (the host's 4.9 over mallory's 3.6), entities by risk within each.
    expect(await keys('seqsentry-top-risky-entities', 2)).toEqual(['C666', 'mallory', 'alice']);
    expect(await keys('seqsentry-explaining-fields', 2)).toEqual(['C666']);
    expect((await keys('seqsentry-risk-over-time', 2)).sort()).toEqual(['C666', 'alice', 'bob', 'mallory', 'mallory']);
    expect(await keys('seqsentry-anomalies-over-time')).toHaveLength(1);
    const histogram = byId.get('seqsentry-score-distribution')!;
    const json = await run(histogram, toDsl(JSON.parse(histogram.attributes.visState).aggs));
    const counts = json.aggregations['2'].buckets.map((b: any) => b.doc_count);
    expect(counts).toHaveLength(21);
    expect(counts.reduce((x: number, y: number) => x + y, 0)).toBe(8);
    expect(counts.at(-2)).toBe(5);
  });

  describe('install --dashboards-url', () => {
    let client: OpenSearchClient;
    let osd: FakeDashboards;
    const releases: Array<() => void> = [];

    beforeAll(async () => {
      // Uninstall removes the content the other .os files use: hold their locks meanwhile.
      releases.push(await holdSidecarPort(), await acquireLock('install'));
      client = createOpenSearchClient({ url, tls: { reject_unauthorized: true }, request_timeout_ms: 60_000 });
      osd = await startFakeDashboards();
    });
    afterAll(async () => {
      try {
        await install(client, { ...TEST_INSTALL_OPTIONS, dryRun: false });
      } finally {
        await osd?.close();
        await client?.close();
        for (const r of releases.reverse()) r();
      }
    });

    it('imports every object with osd-xsrf, its placeholders filled; a second install imports nothing', async () => {
      const first = await install(client, { ...TEST_INSTALL_OPTIONS, dryRun: false, dashboards: { url: osd.url } });
      expect(first.items.filter((i) => i.kind === 'saved_objects').map((i) => `${i.action} ${i.id}`)).toEqual(objects.map((o) => `create ${o.type}:${o.id}`));
      const imports = osd.requests.filter((r) => r.url.startsWith('/api/saved_objects/_import'));
      expect(imports).toHaveLength(1);
      expect(imports[0]!.headers['osd-xsrf']).toBe('true');
      const sent = importedObjects(imports[0]!.body);
      expect(sent.map((o) => o.id)).toEqual(objects.map((o) => o.id));
      expect(sent.find((o) => o.id === 'seqsentry-events')!.attributes.title).toBe(TEST_INSTALL_OPTIONS.indexPatterns.join(','));
      expect(JSON.stringify(sent)).not.toContain('{{seqsentry:');
      const second = await install(client, { ...TEST_INSTALL_OPTIONS, dryRun: false, dashboards: { url: osd.url } });
      expect(second.items.filter((i) => i.kind === 'saved_objects' && i.action !== 'unchanged')).toEqual([]);
      expect(osd.requests.filter((r) => r.url.startsWith('/api/saved_objects/_import'))).toHaveLength(1);
    });

    it('uninstall removes each object it recorded from Dashboards', async () => {
      const target = { url: osd.url };
      const items = await uninstall(client, { dryRun: false, deleteData: false, dashboards: (type, id, dry) => deleteSavedObject(target, type, id, dry) });
      expect(items.filter((i) => i.kind === 'saved_objects').map((i) => `${i.action} ${i.id}`).sort()).toEqual(objects.map((o) => `delete ${o.type}:${o.id}`).sort());
      expect(osd.stored.size).toBe(0);
    });
  });
});
