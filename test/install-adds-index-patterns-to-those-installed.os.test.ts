// Review 2026-12-07: a second `install --index-pattern` for another source re-pointed the seqsentry-events template
// (and the monitor and dashboards over it) to the new pattern alone, so the first source's new indices lost their
// anomaly mappings. Now the given patterns are added to those installed, a rerun without --index-pattern keeps them,
// --remove-index-pattern drops one, and --replace-index-patterns puts only the given ones.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { install } from '../src/install/installer.js';
import { createOpenSearchClient, rawRequest, type OpenSearchClient } from '../src/opensearch/client.js';
import { TEST_INSTALL_OPTIONS, withInstallLock } from './support/ml-sidecar.js';
import { requireOpenSearch } from './support/opensearch.js';

const FIRST = TEST_INSTALL_OPTIONS.indexPatterns[0] as string;
const OTHER = 'seqsentry-itest-other-*';
const dir = mkdtempSync(join(tmpdir(), 'seqsentry-patterns-'));

describe('install keeps the event index patterns installed before', () => {
  let client: OpenSearchClient;
  beforeEach((ctx) => {
    const url = requireOpenSearch(ctx);
    client ??= createOpenSearchClient({ url, tls: { reject_unauthorized: true }, request_timeout_ms: 60_000 });
  });
  afterAll(async () => client?.close());

  const templatePatterns = async (): Promise<string[]> =>
    ((await rawRequest(client, 'GET', '/_index_template/seqsentry-events')).body as { index_templates: { index_template: { index_patterns: string[] } }[] }).index_templates[0]!.index_template.index_patterns;
  const eventsPatternTitle = (file: string): string =>
    readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).find((o) => o.type === 'index-pattern' && o.id === 'seqsentry-events').attributes.title;

  it('adds, keeps, removes and replaces patterns, and refuses to remove one not installed or the last', () => withInstallLock(async () => {
    const options = { ...TEST_INSTALL_OPTIONS, dryRun: false };
    await install(client, options);
    expect(await templatePatterns()).toEqual([FIRST]);
    try {
      // a second source: added, and the plan says so
      const file = join(dir, 'second.ndjson');
      const second = await install(client, { ...options, indexPatterns: [OTHER], replaceIndexPatterns: false, dashboardsFile: file });
      expect(await templatePatterns()).toEqual([FIRST, OTHER]);
      expect(second.indexPatterns).toEqual([FIRST, OTHER]);
      expect(second.items.find((i) => i.kind === 'index_template' && i.id === 'seqsentry-events')?.detail).toContain(`patterns ${FIRST} → version`);
      expect(second.notes.some((n) => n.includes(`kept from the installed template: ${FIRST}`))).toBe(true);
      expect(eventsPatternTitle(file)).toBe(`${FIRST},${OTHER}`);

      // a rerun that names no pattern (an upgrade) keeps both and changes nothing
      const rerun = await install(client, { ...options, indexPatterns: [], replaceIndexPatterns: false });
      expect(rerun.items.find((i) => i.id === 'seqsentry-events')?.action).toBe('unchanged');
      expect(await templatePatterns()).toEqual([FIRST, OTHER]);

      await expect(install(client, { ...options, indexPatterns: [], replaceIndexPatterns: false, removeIndexPatterns: ['logs-none-*'] })).rejects.toThrow(/--remove-index-pattern "logs-none-\*": not an installed event index pattern/);
      await expect(install(client, { ...options, indexPatterns: [], replaceIndexPatterns: false, removeIndexPatterns: [FIRST, OTHER] })).rejects.toThrow(/no event index pattern would be left/);
      expect(await templatePatterns()).toEqual([FIRST, OTHER]); // refused before anything was written

      const removed = await install(client, { ...options, indexPatterns: [], replaceIndexPatterns: false, removeIndexPatterns: [FIRST] });
      expect(removed.indexPatterns).toEqual([OTHER]);
      expect(await templatePatterns()).toEqual([OTHER]);
    } finally {
      // the other test files' install: the test pattern alone
      const restored = await install(client, options);
      expect(restored.indexPatterns).toEqual([FIRST]);
      expect(await templatePatterns()).toEqual([FIRST]);
    }
  }));
});
