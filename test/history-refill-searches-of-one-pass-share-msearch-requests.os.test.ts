// The history refills asked for together (a bulk's new entities) go to OpenSearch as a few _msearch requests, not one
// request per search, and each entity gets exactly the events it gets when refilled on its own.
import { Client } from '@opensearch-project/opensearch';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { createHistoryLoader, historyFieldsFor } from '../src/opensearch/history-loader.js';
import { DEFAULT_SEARCHES_PER_REQUEST } from '../src/opensearch/multi-search.js';
import { ecsDocs, FIXTURE_START_MS, userName } from './support/ecs-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';
import { deleteIndex, os, uniqueIndex } from './support/os-helpers.js';

const url = inject('opensearchUrl');
const index = uniqueIndex('msearch-refill');
const USERS = 150;
let client: Client;
/** Searches in each _msearch request the loader sent. */
const requests: number[] = [];

beforeAll(async () => {
  if (!url) return;
  const docs = ecsDocs({ users: USERS, days: 2, perDay: 6 });
  const bulk = docs.map((d) => `{"index":{}}\n${JSON.stringify(d)}\n`).join('');
  const res = await os(url, 'POST', `/${index}/_bulk?refresh=true`, bulk);
  expect(res.json.errors).toBe(false);
  client = new Client({ node: url });
  // a real client, counted: every search it sends goes through msearch
  const msearch = client.msearch.bind(client) as (params: { body: unknown[] }, options: unknown) => Promise<unknown>;
  (client as unknown as { msearch: typeof msearch }).msearch = (params, options) => {
    requests.push(params.body.length / 2);
    return msearch(params, options);
  };
});
afterAll(async () => {
  await client?.close();
  await deleteIndex(url, index);
});
beforeEach((ctx) => void requireOpenSearch(ctx));

describe('history refills asked for together', () => {
  it('share _msearch requests and load what each entity loads alone', async () => {
    const adapter = createAdapter('ecs');
    const load = createHistoryLoader({ client, adapter, fields: historyFieldsFor(adapter), timeoutMs: 60_000 });
    const until = FIXTURE_START_MS / 1000 + 1.5 * 86_400; // the middle of the second day
    const users = Array.from({ length: USERS }, (_, u) => userName(u));

    const alone = [];
    for (const user of users) alone.push(await load(index, user, until, 8));
    const aloneRequests = requests.splice(0);
    expect(aloneRequests.length).toBeGreaterThanOrEqual(USERS); // one pass each: its own request(s)

    const together = await Promise.all(users.map((user) => load(index, user, until, 8)));
    const searches = requests.reduce((a, b) => a + b, 0);
    // two searches per entity, a third where the 8 found may cut off events of the oldest one's time
    expect(searches).toBeGreaterThanOrEqual(2 * USERS);
    expect(requests[0]).toBe(DEFAULT_SEARCHES_PER_REQUEST);
    expect(requests.length).toBeLessThanOrEqual(Math.ceil(searches / DEFAULT_SEARCHES_PER_REQUEST) + 2);

    expect(together).toEqual(alone);
    expect(alone.filter((events) => events.length === 8).length).toBeGreaterThan(USERS / 2);
  });
});
