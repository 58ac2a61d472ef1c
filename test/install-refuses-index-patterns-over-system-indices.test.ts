// `install --index-pattern` puts a priority-150 template over the pattern: review 2026-12-07 installed it over
// `.seqsentry-state` and `security-auditlog-*` alike, and `*` failed with OpenSearch's NPE. Refused before the cluster
// is called.
import { describe, expect, it } from 'vitest';
import { indexPatternRefusal, install } from '../src/install/installer.js';
import type { OpenSearchClient } from '../src/opensearch/client.js';

describe('install --index-pattern', () => {
  it('refuses patterns over hidden and system indices, and what is no pattern, before touching the cluster', async () => {
    const untouched = new Proxy({}, { get: () => { throw new Error('the cluster was called'); } }) as unknown as OpenSearchClient;
    for (const p of ['.seqsentry-state', '*', '*-auth', '_all', 'logs-*,other-*', 'logs auth', '']) {
      await expect(install(untouched, { indexPatterns: ['logs-*', p], dryRun: true }), p).rejects.toThrow(/--index-pattern/);
    }
    for (const p of ['logs-*', 'logs-auth-*', 'winlogbeat-*', 'zeek-2024.01.*']) expect(indexPatternRefusal(p), p).toBeNull();
  });
});
