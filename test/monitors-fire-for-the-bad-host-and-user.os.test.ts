// The alert monitors as install fills them, run against a real node: each bucket-level monitor's query (period
// substituted) returns exactly the entities of its lookback, and its trigger script, evaluated by OpenSearch's own
// Painless in a bucket_selector with the trigger's buckets_path, keeps exactly the bad host / the bad users; the
// per-document monitor's Lucene query matches exactly the event above the very high score. This node has no Alerting
// plugin, so install writes the monitors to a file: that file is what is read here, and run by
// src/install/monitor-run.ts, the code the demo uses.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadContent } from '../src/install/content.js';
import { install } from '../src/install/installer.js';
import { bucketMonitorSearch, runBucketMonitor, runDocMonitor } from '../src/install/monitor-run.js';
import { createOpenSearchClient, type OpenSearchClient } from '../src/opensearch/client.js';
import { ecsModel } from './support/model-fixture.js';
import { TEST_INSTALL_OPTIONS, withInstallLock } from './support/ml-sidecar.js';
import { requireOpenSearch } from './support/opensearch.js';
import { deleteIndex, os, uniqueIndex } from './support/os-helpers.js';

let url = '';
const ENTITIES = uniqueIndex('monitor-entities');
// Under the --index-pattern install maps the anomaly fields on.
const EVENTS = `seqsentry-itest-monitor-${process.pid}`;
const NOW = Date.now();
const MIN = 60_000;

type Monitor = Record<string, any>;

function notable(kind: string, value: string, startMs: number, anomalous: number, risk: number, extra: Record<string, unknown> = {}) {
  return {
    entity: { kind, field: kind === 'user' ? 'user.name' : 'host.name', value },
    window: { start: new Date(startMs).toISOString(), end: new Date(startMs + 15 * MIN).toISOString(), minutes: 15 },
    events: anomalous + 5, anomalous, max_score: anomalous > 0 ? 0.999 : 0.4, mean_score: 0.5, risk, notable: anomalous > 0,
    anomalous_windows: anomalous > 0 ? 1 : 0, updated_at: new Date(NOW).toISOString(), ...extra,
  };
}

/** The buckets the monitor's query returns on the test index (only those its trigger fires for, when asked), sorted. */
async function bucketKeys(client: OpenSearchClient, monitor: Monitor, withTrigger: boolean): Promise<string[]> {
  return (await runBucketMonitor(client, monitor, NOW, { withTrigger, index: ENTITIES })).map((b) => b.key).sort();
}

describe('the alert monitors', () => {
  let client: OpenSearchClient;
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-monitors-'));
  const monitorsFile = join(dir, 'monitors.json');
  let monitors: Record<string, Monitor> = {};
  let items: Array<{ kind: string; id: string; action: string; detail: string }> = [];

  beforeAll(async () => {
    url = requireOpenSearch({ skip: () => {} });
    client = createOpenSearchClient({ url, tls: { reject_unauthorized: true }, request_timeout_ms: 60_000 });
    const modelDir = await ecsModel();
    ({ items } = await withInstallLock(() => install(client, { ...TEST_INSTALL_OPTIONS, dryRun: false, modelDir, alerting: { alerts_per_day: 5, events_per_day: 20_000 }, monitorsFile })));
    const written = JSON.parse(readFileSync(monitorsFile, 'utf8')) as { monitors: Monitor[] };
    monitors = Object.fromEntries(written.monitors.map((m) => [m.name, m]));
  }, 600_000);
  afterAll(async () => {
    await deleteIndex(url, ENTITIES);
    await deleteIndex(url, EVENTS);
    await client?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach((ctx) => {
    url = requireOpenSearch(ctx);
  });

  it('are written to a file with every threshold filled when the cluster has no Alerting plugin', () => {
    const monitorItems = items.filter((i) => i.kind === 'monitor');
    expect(monitorItems.map((i) => `${i.action} ${i.id}`)).toEqual(['skip seqsentry-hosts-at-risk', 'skip seqsentry-users-at-risk', 'skip seqsentry-very-high-score']);
    for (const i of monitorItems) expect(i.detail).toContain(`no Alerting plugin on this cluster: written to ${monitorsFile}`);
    expect(Object.keys(monitors).sort()).toEqual(['seqsentry-hosts-at-risk', 'seqsentry-users-at-risk', 'seqsentry-very-high-score']);
    const text = readFileSync(monitorsFile, 'utf8');
    expect(text).not.toContain('{{seqsentry:');
    expect(text).not.toContain('_notes": "Bucket-level');
    for (const name of ['seqsentry-hosts-at-risk', 'seqsentry-users-at-risk']) {
      const params = monitors[name]!.triggers[0].bucket_level_trigger.condition.script.params;
      expect(params.anomalous_threshold).toBeGreaterThanOrEqual(2);
      expect(params.risk_threshold).toBeGreaterThan(1);
    }
    expect(monitors['seqsentry-very-high-score']!.inputs[0].doc_level_input.indices).toEqual(TEST_INSTALL_OPTIONS.indexPatterns);
  });

  describe('on seeded notables with one bad host and two bad users', () => {
    beforeAll(async () => {
      const { settings, mappings } = loadContent('pipelines/entities/seqsentry-entities.json');
      expect((await os(url, 'PUT', `/${ENTITIES}`, { settings, mappings })).status).toBe(200);
      const users = monitors['seqsentry-users-at-risk']!.triggers[0].bucket_level_trigger.condition.script.params;
      const hosts = monitors['seqsentry-hosts-at-risk']!.triggers[0].bucket_level_trigger.condition.script.params;
      const docs = [
        notable('user', 'alice', NOW - 20 * MIN, 1, 0.9),
        notable('user', 'bob', NOW - 50 * MIN, 0, 0),
        // Many anomalous events in the hour (two windows adding up), risk below the threshold.
        notable('user', 'mallory', NOW - 40 * MIN, users.anomalous_threshold - 1, 0.5),
        notable('user', 'mallory', NOW - 10 * MIN, 1, 0.6),
        // Few anomalous events, but a risk carried up over hours: the risk arm.
        notable('user', 'slowburn', NOW - 5 * MIN, 1, users.risk_threshold + 0.1),
        // Out of the lookback, and suppressed: neither is a bucket at all.
        notable('user', 'olduser', NOW - 180 * MIN, 50, 100),
        notable('user', 'trent', NOW - 10 * MIN, 50, 100, { suppressed_by: 'sup-1' }),
        notable('src_host', 'ws-001', NOW - 30 * MIN, 1, 0.9),
        notable('dst_host', 'srv-01', NOW - 30 * MIN, 1, 0.95),
        notable('dst_host', 'C666', NOW - 30 * MIN, hosts.anomalous_threshold, 1),
        // The same name in another kind does not count for users.
        notable('src_host', 'mallory-pc', NOW - 30 * MIN, 0, 0),
      ];
      const bulk = docs.map((d) => `{"index":{}}\n${JSON.stringify(d)}\n`).join('');
      const res = await os(url, 'POST', `/${ENTITIES}/_bulk?refresh=true`, bulk);
      expect(res.json.errors, JSON.stringify(res.json.items?.find((i: any) => i.index.error))).toBe(false);
    });

    it('the user monitor\'s query returns every user of its lookback, and its trigger keeps exactly the bad ones', async () => {
      const users = monitors['seqsentry-users-at-risk']!;
      expect(await bucketKeys(client, users, false)).toEqual(['alice', 'bob', 'mallory', 'slowburn']);
      expect(await bucketKeys(client, users, true)).toEqual(['mallory', 'slowburn']);
    });

    it('the host monitor\'s query returns every host of its lookback, and its trigger keeps exactly the bad one', async () => {
      const hosts = monitors['seqsentry-hosts-at-risk']!;
      expect(await bucketKeys(client, hosts, false)).toEqual(['C666', 'mallory-pc', 'srv-01', 'ws-001']);
      expect(await bucketKeys(client, hosts, true)).toEqual(['C666']);
    });

    it('reports the bucket under the ECS field the alert names', async () => {
      const { body } = bucketMonitorSearch(monitors['seqsentry-hosts-at-risk']!, NOW, true);
      const res = await os(url, 'POST', `/${ENTITIES}/_search`, body);
      expect(res.json.aggregations.composite_agg.buckets.map((b: any) => b.key)).toEqual([{ 'host.name': 'C666' }]);
    });
  });

  it('the per-document monitor\'s query matches exactly the anomalous event above the very high score', async () => {
    const query = monitors['seqsentry-very-high-score']!.inputs[0].doc_level_input.queries[0].query as string;
    const threshold = Number(/^anomaly\.is_anomaly:true AND anomaly_score:>=(0\.\d+)$/.exec(query)?.[1]);
    // 1 - 5 alerts / 20,000 events a day, unless the bundle's calibration is coarser (its finest rank is 1 - 1/(n+1)).
    const bundle = JSON.parse(readFileSync(join(await ecsModel(), 'bundle.json'), 'utf8'));
    expect(threshold).toBe(Math.ceil(Math.min(0.99975, 1 - 1 / (bundle.calibration.n + 1)) * 1e6) / 1e6);
    // 'over-budget': above the very high score but left unflagged by the daily alert budget: no alert
    const scores = { low: 0.5, anomalous: 0.99, 'just-below': threshold - 1e-5, 'very-high': (1 + threshold) / 2, 'over-budget': (1 + threshold) / 2 };
    const bulk = Object.entries(scores).map(([id, s]) => `{"index":{"_id":"${id}"}}\n{"@timestamp":"${new Date(NOW).toISOString()}","anomaly_score":${s},"anomaly":{"is_anomaly":${id !== 'low' && id !== 'over-budget'}}}\n`).join('');
    expect((await os(url, 'POST', `/${EVENTS}/_bulk?refresh=true`, bulk)).json.errors).toBe(false);
    const run = await runDocMonitor(client, monitors['seqsentry-very-high-score']!, { index: EVENTS });
    expect(run.query).toBe(query);
    expect(run.hits.map((h) => h._id)).toEqual(['very-high']);
  });
});
