// Review 2026-12-07: the first aggregation pass of `enrich --follow` over an index whose events had no anomaly fields
// yet (none mapped) failed with OpenSearch's "No mapping found for [anomaly_score] in order to sort on". An index of
// the pattern without them now sorts as empty: the pass runs and writes no notable.
import { afterAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { runCli } from './support/cli.js';
import { ecsDocs, FIXTURE_START_MS } from './support/ecs-fixture.js';
import { os } from './support/enrich-fixture.js';
import { hasBuild } from './support/env.js';
import { requireOpenSearch } from './support/opensearch.js';

const url = inject('opensearchUrl');
// outside the test install's pattern: no template maps the anomaly fields here
const index = `unmapped-itest-${process.pid}`;
const iso = (ms: number) => new Date(ms).toISOString();

afterAll(async () => {
  if (url) await os(url, 'DELETE', `/${index}?ignore_unavailable=true`);
});
beforeEach((ctx) => void requireOpenSearch(ctx));

describe.runIf(hasBuild())('aggregate over events not scored yet', () => {
  it('runs, and writes no notable', async () => {
    const start = FIXTURE_START_MS + 40 * 86_400_000;
    const docs = ecsDocs({ users: 3, days: 1, perDay: 4, seed: 2, startMs: start });
    const body = docs.flatMap((d, i) => [JSON.stringify({ index: { _index: index, _id: `u${i}` } }), JSON.stringify(d)]).join('\n') + '\n';
    expect((await os(url, 'POST', '/_bulk?refresh=true', body)).json.errors).toBe(false);
    expect((await os(url, 'GET', `/${index}/_mapping`)).json[index].mappings.properties.anomaly_score).toBeUndefined();
    const r = runCli(['aggregate', '--index', index, '--format', 'ecs', '--since', iso(start), '--until', iso(start + 86_400_000)], { OPENSEARCH_URL: url });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/No mapping found/);
  });
});
