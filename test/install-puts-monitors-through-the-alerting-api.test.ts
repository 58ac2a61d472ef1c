// With the Alerting plugin on the cluster, install creates the monitors through its API, finds them by name on the
// next run and leaves them alone although the plugin stores them rewritten (ids, gap_policy, from/to ranges, query
// fields, as its documented answers show), updates them when the thresholds change, and uninstall deletes them. No
// Alerting runs on this machine (its zip is not on Maven Central): a small HTTP server answers as a 2.19 node with
// the plugin would.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { install } from '../src/install/installer.js';
import { uninstall } from '../src/install/uninstaller.js';
import { createOpenSearchClient, type OpenSearchClient } from '../src/opensearch/client.js';
import { ecsModel } from './support/model-fixture.js';

const MONITORS = '/_plugins/_alerting/monitors';

/** What the plugin does to a monitor it stores (from the Alerting API documentation's example answers). */
function asStored(monitor: any): any {
  const m = JSON.parse(JSON.stringify(monitor).replace(/"gte":/g, '"from":').replace(/"lte":/g, '"to":'));
  for (const t of m.triggers) {
    const [, body] = Object.entries(t)[0] as [string, any];
    body.id = `trigger-${Math.random().toString(36).slice(2)}`;
    if (body.condition.buckets_path) body.condition.gap_policy = 'skip';
  }
  for (const i of m.inputs) for (const q of i.doc_level_input?.queries ?? []) Object.assign(q, { fields: [], query_field_names: [] });
  return { ...m, schema_version: 5, last_update_time: Date.now(), enabled_time: Date.now() };
}

function fakeClusterWithAlerting(): { server: Server; monitors: Map<string, any>; calls: string[]; docs: Map<string, unknown> } {
  const monitors = new Map<string, any>();
  const docs = new Map<string, unknown>();
  const calls: string[] = [];
  let next = 1;
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text ? JSON.parse(text) : undefined;
      const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
      const method = req.method ?? 'GET';
      if (path.startsWith(MONITORS)) calls.push(`${method} ${path}`);
      if (method === 'GET' && path === '/') return json(res, 200, { version: { distribution: 'opensearch', number: '2.19.6' } });
      if (path === '/_cat/plugins') return json(res, 200, [{ name: 'n1', component: 'opensearch-alerting' }]);
      if (path === '/_nodes/ingest') return json(res, 200, { nodes: { n1: { ingest: { processors: [] } } } });
      if (path === '/_nodes/plugins') return json(res, 200, { nodes: { n1: { modules: [] } } });
      if (path === '/seqsentry-entities/_search') return json(res, 200, { aggregations: { n: { value: 40 } } });
      if (path === `${MONITORS}/_search`) {
        const name = body.query.match_phrase['monitor.name'];
        return json(res, 200, { hits: { hits: [...monitors].filter(([, m]) => m.name === name).map(([id, m]) => ({ _id: id, _source: m })) } });
      }
      if (method === 'POST' && path === MONITORS) {
        const id = `monitor-${next++}`;
        monitors.set(id, asStored(body));
        return json(res, 201, { _id: id, _version: 1, monitor: monitors.get(id) });
      }
      const one = new RegExp(`^${MONITORS}/([^/]+)$`).exec(path);
      if (one) {
        const id = one[1]!;
        if (!monitors.has(id)) return json(res, 404, { error: { type: 'status_exception', reason: 'Monitor not found.' }, status: 404 });
        if (method === 'PUT') monitors.set(id, asStored(body));
        if (method === 'DELETE') monitors.delete(id);
        return json(res, 200, { _id: id, monitor: monitors.get(id) });
      }
      // The state index's documents (the install record) are kept; everything else of ours is "not there yet".
      if (path.startsWith('/.seqsentry-state/_doc/')) {
        if (method === 'PUT') docs.set(path, body);
        if (method === 'DELETE') docs.delete(path);
        return docs.has(path) || method !== 'GET' ? json(res, 200, { found: true, _source: docs.get(path) }) : json(res, 404, { found: false });
      }
      if (method === 'GET') return json(res, 404, { error: { type: 'resource_not_found_exception', reason: `${path} not found` }, status: 404 });
      return json(res, 200, { acknowledged: true });
    });
  });
  return { server, monitors, calls, docs };
}

describe('install with the Alerting plugin', () => {
  let fake: ReturnType<typeof fakeClusterWithAlerting>;
  let client: OpenSearchClient;
  let modelDir = '';
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-alerting-'));
  // An alias (or one index): from 2.19.3 on, Alerting refuses an index pattern in the per-document monitor.
  const options = (alertsPerDay: number, indexPatterns = ['logs-auth']) => ({
    indexPatterns, dryRun: false, modelDir, alerting: { alerts_per_day: alertsPerDay, events_per_day: 100_000 }, monitorsFile: join(dir, 'unused.json'),
  });
  const monitorItems = (items: Array<{ kind: string; action: string; id: string }>) => items.filter((i) => i.kind === 'monitor').map((i) => `${i.action} ${i.id}`);

  beforeAll(async () => {
    modelDir = await ecsModel();
    fake = fakeClusterWithAlerting();
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    client = createOpenSearchClient({ url: `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`, tls: { reject_unauthorized: true }, request_timeout_ms: 10_000 });
  }, 600_000);
  afterAll(async () => {
    await client?.close();
    await new Promise<void>((resolve) => fake.server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates each monitor through the API with its thresholds filled', async () => {
    const { items } = await install(client, options(5));
    expect(monitorItems(items)).toEqual(['create seqsentry-hosts-at-risk', 'create seqsentry-users-at-risk', 'create seqsentry-very-high-score']);
    expect(items.filter((i) => i.kind === 'monitor').map((i) => i.resource)).toEqual(['monitor-1', 'monitor-2', 'monitor-3']);
    const stored = [...fake.monitors.values()];
    expect(stored.map((m) => m.name)).toEqual(['seqsentry-hosts-at-risk', 'seqsentry-users-at-risk', 'seqsentry-very-high-score']);
    expect(JSON.stringify(stored)).not.toContain('{{seqsentry:');
    expect(stored[0].triggers[0].bucket_level_trigger.condition.script.params.anomalous_threshold).toBeGreaterThanOrEqual(2);
  });

  it('finds them by name next time and changes nothing, though the plugin stored them rewritten', async () => {
    const before = fake.calls.length;
    const { items } = await install(client, options(5));
    expect(monitorItems(items)).toEqual(['unchanged seqsentry-hosts-at-risk', 'unchanged seqsentry-users-at-risk', 'unchanged seqsentry-very-high-score']);
    expect(fake.calls.slice(before).filter((c) => !c.endsWith('/_search'))).toEqual([]);
  });

  it('updates them in place when the acceptance rate moves the thresholds', async () => {
    const before = fake.calls.length;
    const { items } = await install(client, options(500));
    // N falls for the entity monitors; the single-event bar stays at the finest rank this small bundle's calibration resolves.
    expect(monitorItems(items)).toEqual(['update seqsentry-hosts-at-risk', 'update seqsentry-users-at-risk', 'unchanged seqsentry-very-high-score']);
    expect(fake.calls.slice(before).filter((c) => !c.endsWith('/_search'))).toEqual([`PUT ${MONITORS}/monitor-1`, `PUT ${MONITORS}/monitor-2`]);
    expect(fake.monitors.size).toBe(3);
  });

  it('uninstall deletes the monitors it recorded', async () => {
    const items = await uninstall(client, { dryRun: false, deleteData: false });
    expect(items.filter((i) => i.kind === 'monitor').map((i) => `${i.action} ${i.id}`).sort()).toEqual(['delete seqsentry-hosts-at-risk', 'delete seqsentry-users-at-risk', 'delete seqsentry-very-high-score']);
    expect(fake.monitors.size).toBe(0);
  });

  it('skips the per-document monitor over an index pattern on 2.19.3 and later, naming why, and puts the others', async () => {
    const { items } = await install(client, options(5, ['logs-auth-*']));
    expect(monitorItems(items)).toEqual(['create seqsentry-hosts-at-risk', 'create seqsentry-users-at-risk', 'skip seqsentry-very-high-score']);
    expect(items.find((i) => i.id === 'seqsentry-very-high-score')?.detail).toContain('refuse an index pattern ("logs-auth-*") in a per-document monitor: give --index-pattern an alias or a concrete index');
    expect([...fake.monitors.values()].map((m) => m.name)).toEqual(['seqsentry-hosts-at-risk', 'seqsentry-users-at-risk']);
    await uninstall(client, { dryRun: false, deleteData: false });
  });
});
