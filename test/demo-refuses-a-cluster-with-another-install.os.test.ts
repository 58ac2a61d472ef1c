// `demo --opensearch-url` installs the content pack for its own index: pointed at a cluster where SeqSentry is
// installed for the user's indices, it would re-point that install's `seqsentry-events` template at the demo's
// index. It refuses such a cluster, naming the patterns, before writing anything. Against a real node (a template of
// this test's own name, so the real install's template of other tests is left alone).
import { afterAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { anotherInstall, DEMO_INDEX, refuseAnotherInstall } from '../src/demo/live-opensearch.js';
import { createOpenSearchClient } from '../src/opensearch/client.js';
import { OpenSearchConfigSchema } from '../src/opensearch/config.js';
import { os } from './support/enrich-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';

const TEMPLATE = `seqsentry-demo-guard-${process.pid}`;
const url = inject('opensearchUrl');

afterAll(async () => {
  if (url) await os(url, 'DELETE', `/_index_template/${TEMPLATE}`);
});
beforeEach((ctx) => void requireOpenSearch(ctx));

describe('demo against a cluster of the user\'s own', () => {
  it('goes on where no install is, or only the demo\'s', () => {
    expect(anotherInstall(null, 'https://siem:9200')).toBeNull();
    expect(anotherInstall([DEMO_INDEX], 'https://siem:9200')).toBeNull();
    expect(anotherInstall(['logs-auth-*', DEMO_INDEX], 'https://siem:9200')).toContain('installed for logs-auth-*, seqsentry-auth-demo');
  });

  it('refuses a cluster whose events template covers other indices, and names them', async () => {
    const client = createOpenSearchClient(OpenSearchConfigSchema.parse({ url }));
    try {
      await expect(refuseAnotherInstall(client, url, TEMPLATE)).resolves.toBeUndefined();
      const put = await os(url, 'PUT', `/_index_template/${TEMPLATE}`, { index_patterns: [`zz-guard-${process.pid}-*`], priority: 0 });
      expect(put.status, JSON.stringify(put.json)).toBe(200);
      await expect(refuseAnotherInstall(client, url, TEMPLATE)).rejects.toThrow(`has SeqSentry installed for zz-guard-${process.pid}-* (index template ${TEMPLATE})`);
    } finally {
      await client.close();
    }
  });
});
