// `seqsentry install` against a real node: a second run changes nothing, and --dry-run never changes anything.
// Each test holds the install lock throughout: the uninstall test removes the content meanwhile otherwise.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { install } from '../src/install/installer.js';
import { createOpenSearchClient, type OpenSearchClient } from '../src/opensearch/client.js';
import { withInstallLock, TEST_INSTALL_OPTIONS } from './support/ml-sidecar.js';
import { requireOpenSearch } from './support/opensearch.js';

let url = '';
/** Kinds this file's installs skip (no --model-dir, no --dashboards-url): monitors-* and dashboards-* tests cover them. */
const ELSEWHERE: ReadonlySet<string> = new Set(['monitor', 'saved_objects']);

async function get(path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  return res.status === 404 ? null : res.json();
}

/** Everything install may touch, as the cluster reports it (timestamps included: any write shows). */
async function snapshot(): Promise<unknown> {
  const byName = { query: { term: { 'name.keyword': 'seqsentry-sidecar' } }, size: 50, sort: [{ created_time: 'desc' }] };
  return {
    component: await get('/_component_template/seqsentry-*'),
    index: await get('/_index_template/seqsentry-*'),
    pipeline: await get('/_ingest/pipeline/seqsentry-score'),
    settings: await get('/_cluster/settings'),
    state: await get('/.seqsentry-state/_mapping'),
    registry: await get('/.seqsentry-state/_search?filter_path=hits.hits', { query: { terms: { type: ['model', 'install'] } }, size: 50 }),
    connectors: await get('/_plugins/_ml/connectors/_search?filter_path=hits.hits', byName),
    models: await get('/_plugins/_ml/models/_search?filter_path=hits.hits', { ...byName, query: { bool: { filter: [byName.query, { term: { algorithm: 'REMOTE' } }] } } }),
  };
}

describe('seqsentry install is idempotent', () => {
  let client: OpenSearchClient;

  afterAll(async () => client?.close());
  beforeEach((ctx) => {
    url = requireOpenSearch(ctx);
    client ??= createOpenSearchClient({ url, tls: { reject_unauthorized: true }, request_timeout_ms: 60_000 });
  });

  // Nothing calls the sidecar during install; the address is shared with the other .os tests (see support/ml-sidecar).
  const options = (dryRun: boolean, token = TEST_INSTALL_OPTIONS.token) => ({ ...TEST_INSTALL_OPTIONS, token, dryRun });

  it('--dry-run reports the changes it would make and makes none', () => withInstallLock(async () => {
    await install(client, options(false));
    const before = await snapshot();
    // Another token changes the connector fingerprint: there is something to plan.
    const { items } = await install(client, options(true, 'another-token-0123456789'));
    expect(items.filter((i) => i.action === 'update').map((i) => `${i.kind} ${i.id}`)).toContain('ml_connector seqsentry-sidecar');
    expect(await snapshot()).toEqual(before);
  }));

  it('a second run finds everything unchanged', () => withInstallLock(async () => {
    const first = await install(client, options(false));
    // Monitors need --model-dir (and this node has no Alerting plugin), saved objects --dashboards-url: other files cover them.
    expect(first.items.filter((i) => i.action === 'skip' && !ELSEWHERE.has(i.kind))).toEqual([]);
    const second = await install(client, options(false));
    const installed = second.items.filter((i) => !ELSEWHERE.has(i.kind));
    expect(installed.map((i) => `${i.action} ${i.kind} ${i.id}`)).toEqual(installed.map((i) => `unchanged ${i.kind} ${i.id}`));
    expect(second.items).toHaveLength(first.items.length);
  }));

  it('a dry run after an install plans nothing and changes nothing', () => withInstallLock(async () => {
    await install(client, options(false));
    const before = await snapshot();
    const { items } = await install(client, options(true));
    expect(items.filter((i) => i.action !== 'unchanged' && !ELSEWHERE.has(i.kind))).toEqual([]);
    expect(await snapshot()).toEqual(before);
  }));
});
