// An ECS document's user is the value of the first field of the map it holds: `user.name`, else
// `winlog.event_data.TargetUserName` (a Winlogbeat event without ECS's user.name). A restarted sidecar or enrich
// refills a user's history from OpenSearch by the same rule, against a real node: events that name the user only in
// TargetUserName are found, and a document whose user.name is another user is not, whatever its TargetUserName.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { createOpenSearchClient } from '../src/opensearch/client.js';
import { OpenSearchConfigSchema } from '../src/opensearch/config.js';
import { createHistoryLoader, historyFieldsFor } from '../src/opensearch/history-loader.js';
import { ecsIndexBody } from './support/enrich-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';
import { deleteIndex, os, uniqueIndex } from './support/os-helpers.js';

const url = inject('opensearchUrl');
const adapter = createAdapter('ecs');
const index = uniqueIndex('ecs-refill-paths');

/** A scored ECS logon `n` minutes into the day, its user where `where` puts it. */
const doc = (n: number, where: Record<string, unknown>) => ({
  '@timestamp': new Date(Date.UTC(2024, 0, 1, 9, n)).toISOString(),
  source: { domain: 'ws1', ip: '10.0.0.1' }, host: { name: 'srv1' }, event: { action: 'logged-in', outcome: 'success' },
  ...where, anomaly_score: 0.5, anomaly: { is_anomaly: false },
});
const DOCS = [
  doc(1, { user: { name: 'alice' } }),
  doc(2, { winlog: { event_data: { TargetUserName: 'alice' } } }),
  doc(3, { user: { name: 'bob' }, winlog: { event_data: { TargetUserName: 'alice' } } }), // bob's, not alice's
  doc(4, { winlog: { event_data: { TargetUserName: 'carol' } } }),
  doc(5, { user: { name: 'alice' }, winlog: { event_data: { TargetUserName: 'bob' } } }),
];
const client = url ? createOpenSearchClient(OpenSearchConfigSchema.parse({ url })) : undefined;

beforeAll(async () => {
  if (!url) return;
  expect((await os(url, 'PUT', `/${index}`, ecsIndexBody(1))).status).toBe(200);
  const lines = DOCS.flatMap((d, i) => [JSON.stringify({ index: { _id: `d${i + 1}` } }), JSON.stringify(d)]).join('\n') + '\n';
  const res = await fetch(`${url}/${index}/_bulk?refresh=true`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: lines });
  expect(((await res.json()) as { errors: boolean }).errors).toBe(false);
});
afterAll(async () => {
  await client?.close();
  await deleteIndex(url, index);
});
beforeEach((ctx) => void requireOpenSearch(ctx));

const minuteOf = (e: CanonicalEvent): number => new Date(e.time * 1000).getUTCMinutes();

describe('the ECS history refill', () => {
  it('finds each user by the first field of the map each document holds, as the adapter reads it', async () => {
    expect(historyFieldsFor(adapter).entityPaths).toEqual(['user.name', 'winlog.event_data.TargetUserName']);
    const load = createHistoryLoader({ client: client!, adapter, fields: historyFieldsFor(adapter), timeoutMs: 10_000 });
    const until = Date.UTC(2024, 0, 2) / 1000;
    const got: Record<string, number[]> = {};
    for (const user of ['alice', 'bob', 'carol']) got[user] = (await load(index, user, until, 50)).map(minuteOf);
    // what the adapter itself says each document's user is
    const want: Record<string, number[]> = { alice: [], bob: [], carol: [] };
    DOCS.forEach((d, i) => want[(adapter.parse(d, { file: 'x', line: i + 1 }) as CanonicalEvent).entities.user as string]!.push(i + 1));
    expect(got).toEqual(want);
    expect(got).toEqual({ alice: [1, 2, 5], bob: [3], carol: [4] });
  });
});
