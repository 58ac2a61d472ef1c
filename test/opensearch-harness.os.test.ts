// The test harness hands out a live OpenSearch with the ML and job-scheduler plugins, and documents round-trip.
import { beforeEach, describe, expect, it } from 'vitest';
import { requireOpenSearch } from './support/opensearch.js';

let url = '';

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, json: await res.json() };
}

describe('opensearch test harness', () => {
  beforeEach((ctx) => {
    url = requireOpenSearch(ctx);
  });

  it('provides a node that answers and is at least yellow', async () => {
    const root = await call('GET', '/');
    expect(root.status).toBe(200);
    expect(root.json.version.distribution).toBe('opensearch');
    const health = await call('GET', '/_cluster/health');
    expect(['yellow', 'green']).toContain(health.json.status);
  });

  it('has the ML Commons and job-scheduler plugins loaded', async () => {
    const { json } = await call('GET', '/_cat/plugins?format=json');
    const components = (json as Array<{ component: string }>).map((p) => p.component);
    expect(components).toEqual(expect.arrayContaining(['opensearch-ml', 'opensearch-job-scheduler']));
  });

  it('round-trips a document through index and search', async () => {
    const index = `seqsentry-harness-${process.pid}-${Date.now()}`;
    try {
      const created = await call('PUT', `/${index}`, {
        settings: { number_of_shards: 1, number_of_replicas: 0 },
        mappings: { properties: { user: { type: 'keyword' }, action: { type: 'keyword' } } },
      });
      expect(created.status).toBe(200);
      const put = await call('PUT', `/${index}/_doc/1?refresh=true`, { user: 'alice', action: 'login' });
      expect(put.json.result).toBe('created');
      const found = await call('POST', `/${index}/_search`, { query: { term: { user: 'alice' } } });
      expect(found.json.hits.total.value).toBe(1);
      expect(found.json.hits.hits[0]._source).toEqual({ user: 'alice', action: 'login' });
    } finally {
      await call('DELETE', `/${index}`);
    }
  });
});
