// A fresh sidecar meets every entity cold, and each cold entity's refill is two or three searches. Sent one by one
// they flooded a busy node (hundreds of searches queued past their deadline, cancelled, retried); batched, the
// searches issued together go out as a few `_msearch` requests. Against a real OpenSearch: 300 cold users refilled
// at once come back exactly as one user at a time does, in about searches / 32 requests, and a search that
// OpenSearch refuses fails only its own entity.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { OpenSearchError } from '../src/core/errors.js';
import { createOpenSearchClient } from '../src/opensearch/client.js';
import { OpenSearchConfigSchema } from '../src/opensearch/config.js';
import { createHistoryLoader, historyFieldsFor } from '../src/opensearch/history-loader.js';
import { MAX_REQUESTS_IN_FLIGHT, MAX_SEARCHES_PER_REQUEST } from '../src/opensearch/search-batcher.js';
import { ecsLogon } from './support/ecs-fixture.js';
import { ecsIndexBody, loadIndex } from './support/enrich-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';
import { deleteIndex, os, uniqueIndex } from './support/os-helpers.js';

const url = inject('opensearchUrl');
const adapter = createAdapter('ecs');
const index = uniqueIndex('refill-batch');
/** Its @timestamp is text: OpenSearch refuses to sort on it, so each refill search there fails. */
const broken = uniqueIndex('refill-batch-text-time');
const USERS = 300;
const PER_USER = 4;
const START_MS = Date.UTC(2024, 2, 4, 8);
const user = (u: number) => `user${u}`;

const client = url ? createOpenSearchClient(OpenSearchConfigSchema.parse({ url })) : undefined;
/** Requests the client sent, by the last part of their path (`_msearch`, `_search`). */
const sent = new Map<string, number>();

beforeAll(async () => {
  if (!url || !client) return;
  expect((await os(url, 'PUT', `/${index}`, ecsIndexBody(1))).status).toBe(200);
  const docs = Array.from({ length: USERS * PER_USER }, (_, i) => {
    const u = i % USERS;
    return ecsLogon({ timeMs: START_MS + i * 1000, user: user(u), srcHost: `ws${u}`, srcIp: `10.0.${u >> 8}.${u & 255}`, dstHost: `srv${i % 7}` });
  });
  await loadIndex(url, index, docs);
  expect((await os(url, 'PUT', `/${broken}`, { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: { properties: { '@timestamp': { type: 'text' } } } })).status).toBe(200);
  const request = client.transport.request.bind(client.transport);
  client.transport.request = ((params: { path: string }, options?: unknown) => {
    const what = params.path.split('/').pop() ?? '';
    sent.set(what, (sent.get(what) ?? 0) + 1);
    return request(params as never, options as never);
  }) as typeof client.transport.request;
});
afterAll(async () => {
  await client?.close();
  await deleteIndex(url, index);
  await deleteIndex(url, broken);
});
beforeEach((ctx) => void requireOpenSearch(ctx));

const times = (events: CanonicalEvent[]) => events.map((e) => e.time);

describe('the history refill of many cold entities at once', () => {
  it('returns what one refill at a time returns, in few _msearch requests', async () => {
    const load = createHistoryLoader({ client: client!, adapter, fields: historyFieldsFor(adapter), timeoutMs: 20_000 });
    const until = START_MS / 1000 + USERS * PER_USER; // after every event
    const one: number[][] = [];
    for (let u = 0; u < 5; u++) one.push(times(await load(index, user(u), until, 3)));
    sent.clear();
    const all = await Promise.all(Array.from({ length: USERS }, (_, u) => load(index, user(u), until, 3)));
    // each user's latest 3 of its 4 events, oldest first; the first five as when loaded alone
    all.forEach((events, u) => expect(times(events)).toEqual([1, 2, 3].map((k) => START_MS / 1000 + k * USERS + u)));
    expect(all.slice(0, 5).map(times)).toEqual(one);
    // per user: the 3 latest before `until`, those at `until` itself, and the boundary time (the limit was reached)
    const searches = USERS * 3;
    expect(sent.get('_search') ?? 0).toBe(0);
    // full requests, but for the last ones: the boundary searches join the queue as the first answers come back
    const requests = sent.get('_msearch') ?? 0;
    expect(requests).toBeGreaterThanOrEqual(Math.ceil(searches / MAX_SEARCHES_PER_REQUEST));
    expect(requests).toBeLessThanOrEqual(Math.ceil(searches / MAX_SEARCHES_PER_REQUEST) + MAX_REQUESTS_IN_FLIGHT);
  });

  it('fails only the entity whose search OpenSearch refuses', async () => {
    const load = createHistoryLoader({ client: client!, adapter, fields: historyFieldsFor(adapter), timeoutMs: 20_000 });
    const until = START_MS / 1000 + USERS * PER_USER;
    sent.clear();
    const [good, bad, alsoGood] = await Promise.allSettled([load(index, user(1), until, 2), load(broken, user(2), until, 2), load(index, user(3), until, 2)]);
    // one for the three entities' first two searches, one for the boundary searches of the two that reached the limit
    expect(sent.get('_msearch')).toBe(2);
    expect(good.status).toBe('fulfilled');
    expect(alsoGood.status).toBe('fulfilled');
    expect(times((good as PromiseFulfilledResult<CanonicalEvent[]>).value)).toEqual([2, 3].map((k) => START_MS / 1000 + k * USERS + 1));
    expect(bad.status).toBe('rejected');
    const err = (bad as PromiseRejectedResult).reason as Error;
    expect(err).toBeInstanceOf(OpenSearchError);
    expect(err.message).toContain(`OpenSearch history search on ${broken}: `);
    expect(err.message).toMatch(/\(HTTP 400\)$/);
    expect(err.message).not.toMatch(/\bnull\b|undefined/);
  });
});
