// Against a real secured node (OpenSearch with its security plugin: TLS with a generated CA, internal users, the
// restricted roles the README lists): the proxy writes with the sidecar's account and the cluster refuses what the
// role does not allow, item by item; the sidecar verifies the node's certificate and its password; enrich runs
// with the same account; install runs with the installer's and skips ML Commons, which this node lacks.
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { install } from '../src/install/installer.js';
import { uninstall } from '../src/install/uninstaller.js';
import { createOpenSearchClient } from '../src/opensearch/client.js';
import { OpenSearchConfigSchema } from '../src/opensearch/config.js';
import type { Sidecar } from '../src/server/sidecar.js';
import { runCli } from './support/cli.js';
import { ecsDocs, FIXTURE_START_MS } from './support/ecs-fixture.js';
import { ecsIndexBody } from './support/enrich-fixture.js';
import { hasBuild } from './support/env.js';
import { ecsModel } from './support/model-fixture.js';
import { acquireSecuredNode, isCi, type SecuredNode } from './support/opensearch.js';
import { SEQSENTRY_ROLES } from '../scripts/opensearch-security.mjs';
import { call, ndjson, startTestSidecar, TOKEN } from './support/sidecar-fixture.js';

const EVENTS = `logs-secured-${process.pid}`;
const OTHER = `other-secured-${process.pid}`;
const ENRICHED = `logs-secured-enrich-${process.pid}`;
const OLD = `logs-secured-old-${process.pid}`;
const DAY = 86_400_000;

let node: SecuredNode | null = null;
let unavailable = '';

/** One HTTPS call to the secured node as `user` (the CA verifies its certificate). */
function os(user: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(`${node!.url}${path}`, {
      method,
      ca: readFileSync(node!.caFile),
      auth: `${user}:${node!.users[user]}`,
      headers: text === undefined ? {} : { 'content-type': typeof body === 'string' ? 'application/x-ndjson' : 'application/json' },
      timeout: 60_000,
    }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: data ? JSON.parse(data) : null }));
    });
    req.on('error', reject);
    req.end(text);
  });
}

function sidecarAccount(user = 'seqsentry-sidecar', password?: string, caFile: string | null = node!.caFile): Record<string, unknown> {
  return {
    'opensearch.url': node!.url,
    'opensearch.username': user,
    'opensearch.password': password ?? node!.users[user],
    ...(caFile ? { 'opensearch.tls.ca_file': caFile } : {}),
  };
}

describe('a secured cluster', () => {
  beforeAll(async () => {
    try {
      node = await acquireSecuredNode();
    } catch (err) {
      if (isCi()) throw err;
      unavailable = (err as Error).message;
    }
  }, 600_000);

  afterAll(async () => {
    if (!node) return;
    for (const index of [EVENTS, OTHER, ENRICHED, OLD]) await os('admin', 'DELETE', `/${index}?ignore_unavailable=true`);
    await node.release();
  });

  beforeEach((ctx) => {
    if (node) return;
    // With CI=true a missing secured node fails (beforeAll rethrows, and so does this); elsewhere it skips with why.
    if (isCi()) throw new Error(`secured node required (CI=true): ${unavailable}`);
    ctx.skip(`no secured node: ${unavailable}`);
  });

  describe('the proxy with the sidecar\'s restricted account', () => {
    let sidecar: Sidecar;
    beforeAll(async () => {
      if (!node) return;
      // The proxy's own policy lets every index through here, so what is refused below is the cluster's doing.
      sidecar = await startTestSidecar({ ...sidecarAccount(), 'bulk.index_patterns': ['*'], 'history.refill': true });
    }, 600_000);
    afterAll(async () => sidecar?.shutdown());

    it('writes scored events where the role allows and gets the cluster\'s refusal, per item, elsewhere', async () => {
      const [a, b, c] = ecsDocs({ users: 3, days: 1, perDay: 1, startMs: FIXTURE_START_MS + 40 * DAY });
      const res = await call(sidecar.url, 'POST', '/_bulk?refresh=true', {
        body: ndjson({ index: { _index: EVENTS } }, a, { index: { _index: OTHER } }, b, { create: { _index: EVENTS } }, c),
        headers: { 'content-type': 'application/x-ndjson' },
      });
      expect(res.status, res.text).toBe(200);
      const items = res.json.items.map((i: any) => i.index ?? i.create);
      expect(items.map((i: any) => i.status)).toEqual([201, 403, 201]);
      expect(items[1].error.type).toBe('security_exception');
      expect(items[1].error.reason).toContain('seqsentry-sidecar');
      const stored = await os('admin', 'POST', `/${EVENTS}/_search`, { query: { exists: { field: 'anomaly_score' } } });
      expect(stored.json.hits.total.value).toBe(2);
      expect((await os('admin', 'HEAD', `/${OTHER}`)).status).toBe(404);
      // review 2026-12-07: cluster_monitor let the account read every index's name and mapping
      expect((await os('seqsentry-sidecar', 'GET', '/_cluster/state/metadata')).status).toBe(403);
    });

    it('is ready only with the node\'s CA and the right password, and says why not to a caller with the token', async () => {
      const ready = await call(sidecar.url, 'GET', '/readyz');
      expect(ready.status, ready.text).toBe(200);
      const untrusted = await startTestSidecar(sidecarAccount('seqsentry-sidecar', undefined, null));
      const wrong = await startTestSidecar(sidecarAccount('seqsentry-sidecar', 'not-the-password'));
      try {
        const u = await call(untrusted.url, 'GET', '/readyz', { token: TOKEN });
        expect(u.status).toBe(503);
        expect(u.text).toMatch(/certificate/i);
        const w = await call(wrong.url, 'GET', '/readyz', { token: TOKEN });
        expect(w.status).toBe(503);
        expect(w.text).toMatch(/401|unauthori[sz]ed|authentication/i);
        // Without the token, up or down only.
        const anonymous = await call(wrong.url, 'GET', '/readyz', { token: null });
        expect(anonymous.status).toBe(503);
        expect(anonymous.text).not.toMatch(/401|password|seqsentry-sidecar|https:/i);
      } finally {
        await untrusted.shutdown();
        await wrong.shutdown();
      }
    });
  });

  it.runIf(hasBuild())('runs enrich with the sidecar\'s account: every event scored, the checkpoint kept', async () => {
    const docs = ecsDocs({ users: 10, days: 2, startMs: FIXTURE_START_MS + 50 * DAY });
    expect((await os('admin', 'PUT', `/${ENRICHED}`, ecsIndexBody(1))).status).toBe(200);
    const lines = docs.flatMap((d, i) => [JSON.stringify({ index: { _index: ENRICHED, _id: `d${i}` } }), JSON.stringify(d)]);
    expect((await os('admin', 'POST', '/_bulk?refresh=true', lines.join('\n') + '\n')).json.errors).toBe(false);
    const job = `secured-${process.pid}`;
    const r = runCli(['enrich', '--index', ENRICHED, '--model-dir', await ecsModel(), '--since', '2026-01-01T00:00:00Z', '--job', job], {
      OPENSEARCH_URL: node!.url, OPENSEARCH_USERNAME: 'seqsentry-sidecar', OPENSEARCH_PASSWORD: node!.users['seqsentry-sidecar'], OPENSEARCH_CA_FILE: node!.caFile,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^enriched ${docs.length} events, 0 errors`, 'm'));
    // The role lets enrich read the index's mapping and settings, so it writes each event whole (index actions).
    expect(r.stderr).toMatch(new RegExp(`"writtenWhole":${docs.length}[,}]`));
    await os('admin', 'POST', `/${ENRICHED}/_refresh`);
    expect((await os('admin', 'POST', `/${ENRICHED}/_count`, { query: { exists: { field: 'anomaly_score' } } })).json.count).toBe(docs.length);
    const cp = await os('admin', 'GET', `/.seqsentry-state/_doc/checkpoint:${job}:0`);
    expect(cp.json._source).toMatchObject({ status: 'done', scored: docs.length });
  }, 600_000);

  it('runs install with the installer\'s account, skips ML Commons (not on this node), and a second run changes nothing', async () => {
    const client = createOpenSearchClient(OpenSearchConfigSchema.parse({ url: node!.url, username: 'seqsentry-installer', password: node!.users['seqsentry-installer'], tls: { ca_file: node!.caFile } }));
    try {
      const options = { sidecarUrl: 'http://127.0.0.1:9999', token: 'test-token-0123456789', indexPatterns: ['logs-*'], dryRun: false };
      const first = await install(client, options);
      // Monitors need --model-dir for their thresholds, saved objects --dashboards-url.
      expect(first.items.filter((i) => i.action === 'skip').map((i) => i.kind).sort()).toEqual(['cluster_settings', 'ingest_pipeline', 'ml_connector', 'ml_model', 'monitor', 'monitor', 'monitor', 'saved_objects']);
      const second = await install(client, options);
      expect(second.items.filter((i) => i.action !== 'skip' && i.action !== 'unchanged'), JSON.stringify(second.items)).toEqual([]);
    } finally {
      await client.close();
    }
    // The installer's account writes no events: it may send a bulk (its install record is a bulk of one), but every
    // item outside .seqsentry-state is refused.
    const write = await os('seqsentry-installer', 'POST', '/_bulk', ndjson({ index: { _index: EVENTS } }, { a: 1 }));
    expect(write.json.items.map((i: { index: { status: number; error?: { type: string } } }) => [i.index.status, i.index.error?.type])).toEqual([[403, 'security_exception']]);
  }, 600_000);

  it('upgrades with the installer\'s account: an older anomaly-fields template and its index get the new fields; an edit that kept the version is put back', async () => {
    // review 2026-12-07: the role could not read the event indices' mappings, the run failed after putting the
    // template, and a rerun said unchanged, so the index never got the fields; an edit keeping the version stayed
    const client = createOpenSearchClient(OpenSearchConfigSchema.parse({ url: node!.url, username: 'seqsentry-installer', password: node!.users['seqsentry-installer'], tls: { ca_file: node!.caFile } }));
    const options = { sidecarUrl: 'http://127.0.0.1:9999', token: 'test-token-0123456789', indexPatterns: ['logs-*'], dryRun: false };
    const line = (items: { kind: string; id: string; action: string; detail: string }[]) => items.find((i) => i.id === 'seqsentry-anomaly-fields')!;
    try {
      const older = { version: 6, _meta: { schema_version: 6 }, template: { mappings: { properties: { anomaly_score: { type: 'float' } } } } };
      expect((await os('admin', 'PUT', '/_component_template/seqsentry-anomaly-fields', older)).status).toBe(200);
      expect((await os('admin', 'PUT', `/${OLD}`)).status).toBe(200);
      expect((await os('admin', 'GET', `/${OLD}/_mapping`)).json[OLD].mappings.properties.anomaly).toBeUndefined();
      const upgrade = await install(client, options);
      expect(line(upgrade.items).action).toBe('update');
      expect(line(upgrade.items).detail).toMatch(/added its new fields to \d+ existing indices/);
      expect((await os('admin', 'GET', `/${OLD}/_mapping`)).json[OLD].mappings.properties.anomaly?.properties?.is_anomaly).toBeDefined();
      // an admin's edit that keeps the version and schema_version
      const edited = { ...(await os('admin', 'GET', '/_component_template/seqsentry-anomaly-fields')).json.component_templates[0].component_template };
      edited.template = { mappings: { properties: { anomaly_score: { type: 'keyword' } } } };
      expect((await os('admin', 'PUT', '/_component_template/seqsentry-anomaly-fields', edited)).status).toBe(200);
      const fixed = await install(client, options);
      expect(line(fixed.items)).toMatchObject({ action: 'update', detail: expect.stringMatching(/edited since: put back/) });
      expect((await os('admin', 'GET', '/_component_template/seqsentry-anomaly-fields')).json.component_templates[0].component_template.template.mappings.properties.anomaly_score.type).toBe('float');
      const again = await install(client, options);
      expect(again.items.filter((i) => i.action !== 'skip' && i.action !== 'unchanged'), JSON.stringify(again.items)).toEqual([]);
    } finally {
      await client.close();
    }
  }, 600_000);

  it.runIf(hasBuild())('runs aggregate with the sidecar\'s account: notables written, a rerun writing nothing', async () => {
    // review 2026-12-07: the documented role could not check seqsentry-entities (HEAD needs indices:admin/get), so
    // serve's and enrich --follow's scheduled passes wrote no notables, warning only
    const env = { OPENSEARCH_URL: node!.url, OPENSEARCH_USERNAME: 'seqsentry-sidecar', OPENSEARCH_PASSWORD: node!.users['seqsentry-sidecar'], OPENSEARCH_CA_FILE: node!.caFile };
    const args = ['aggregate', '--index', ENRICHED, '--model-dir', await ecsModel(), '--since', '2026-01-01T00:00:00Z', '--until', '2030-01-01T00:00:00Z', '--all-windows'];
    const r = runCli(args, env);
    expect(r.status, r.stderr).toBe(0);
    await os('admin', 'POST', '/seqsentry-entities/_refresh');
    const notables = await os('admin', 'POST', '/seqsentry-entities/_count', { query: { term: { source_index: ENRICHED } } });
    expect(notables.json.count).toBeGreaterThan(0);
    const again = runCli(args, env);
    expect(again.status, again.stderr).toBe(0);
    expect((await os('admin', 'POST', '/seqsentry-entities/_count', { query: { term: { source_index: ENRICHED } } })).json.count).toBe(notables.json.count);
  }, 600_000);

  it('runs uninstall --delete-data with the installer\'s account: what install recorded goes, the events stay', async () => {
    const client = createOpenSearchClient(OpenSearchConfigSchema.parse({ url: node!.url, username: 'seqsentry-installer', password: node!.users['seqsentry-installer'], tls: { ca_file: node!.caFile } }));
    const events = async () => (await os('admin', 'POST', `/${ENRICHED}/_search`, { size: 1000, sort: ['_id'] })).json.hits;
    try {
      const before = await events();
      expect(before.hits.length).toBeGreaterThan(0);
      const items = await uninstall(client, { dryRun: false, deleteData: true });
      expect(items.filter((i) => i.action !== 'delete')).toEqual([]);
      expect(items.map((i) => i.kind).sort()).toEqual(['component_template', 'component_template', 'entities_index', 'index_template', 'index_template', 'state_doc', 'state_index']);
      for (const path of ['/_index_template/seqsentry-auth', '/_component_template/seqsentry-anomaly-fields', '/.seqsentry-state', '/seqsentry-entities']) {
        expect((await os('admin', 'GET', path)).status, path).toBe(404);
      }
      expect(await events()).toEqual(before);
    } finally {
      await client.close();
    }
  }, 600_000);

  it('stops after the first step with an account that may change the cluster but not write the install record', async () => {
    // review 2026-12-07: such an account applied every template and index, then failed on the record, leaving an
    // install that uninstall could not find ("Nothing recorded")
    const role = {
      ...SEQSENTRY_ROLES.seqsentry_installer,
      cluster_permissions: SEQSENTRY_ROLES.seqsentry_installer.cluster_permissions.filter((p) => p !== 'indices:data/write/bulk'),
    };
    const password = `Norec-${process.pid}-Aa1!x`;
    expect((await os('admin', 'PUT', '/_plugins/_security/api/roles/seqsentry_norec', role)).status).toBeLessThan(300);
    expect((await os('admin', 'PUT', '/_plugins/_security/api/internalusers/seqsentry-norec', { password })).status).toBeLessThan(300);
    expect((await os('admin', 'PUT', '/_plugins/_security/api/rolesmapping/seqsentry_norec', { users: ['seqsentry-norec'] })).status).toBeLessThan(300);
    const client = createOpenSearchClient(OpenSearchConfigSchema.parse({ url: node!.url, username: 'seqsentry-norec', password, tls: { ca_file: node!.caFile } }));
    try {
      expect((await os('admin', 'HEAD', '/.seqsentry-state')).status).toBe(404);
      const err = await install(client, { sidecarUrl: 'http://127.0.0.1:9999', token: 'test-token-0123456789', indexPatterns: ['logs-*'], dryRun: false }).then(() => null, (e: Error) => e);
      expect(err?.message).toMatch(/install stopped at state_index \.seqsentry-state; applied before it \(not recorded \(.*no permissions for \[indices:data\/write\/bulk\].*\): create state_index \.seqsentry-state$/s);
      expect((await os('admin', 'GET', '/_component_template/seqsentry-anomaly-fields')).status).toBe(404);
    } finally {
      await client.close();
      await os('admin', 'DELETE', '/.seqsentry-state?ignore_unavailable=true');
    }
  }, 600_000);
});
