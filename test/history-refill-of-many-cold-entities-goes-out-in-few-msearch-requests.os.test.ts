// A fresh sidecar meets every entity cold. Each cold entity's refill was two or three searches of its own; sent one by
// one they flooded a busy node (hundreds of searches queued past their deadline, cancelled, retried). Now the refills
// asked together share one search per ENTITIES_PER_SEARCH entities of an index pattern (an aggregation each), in a
// request of its own. Against a real OpenSearch: 300 cold users refilled at once come back exactly as one user at a
// time does, in 10 searches; a time that more events share than the shared search reads is read again in full, as
// separate searches read it; a shared search that fails is tried again entity by entity, so a search that OpenSearch
// refuses fails only its own entity.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { OpenSearchError } from '../src/core/errors.js';
import { createOpenSearchClient } from '../src/opensearch/client.js';
import { OpenSearchConfigSchema } from '../src/opensearch/config.js';
import { createHistoryLoader, historyFieldsFor } from '../src/opensearch/history-loader.js';
import { BOUNDARY_READ, ENTITIES_PER_SEARCH, SAME_TIME_READ } from '../src/opensearch/shared-refill-search.js';
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
/** More events at one time than the shared search reads of a time, at the refill's own time or past the limit. */
const TIED = Math.max(SAME_TIME_READ, BOUNDARY_READ) + 24;
/** `tiedNow`: two events, then TIED at TIE_MS; `tiedThen`: TIED at TIE_MS, then one. */
const TIE_MS = START_MS + USERS * PER_USER * 1000 + 60_000;
const tied = (name: string, timeMs: number, n: number) =>
  Array.from({ length: n }, (_, k) => ecsLogon({ timeMs, user: name, srcHost: `ws-${name}`, srcIp: '10.9.0.1', dstHost: `srv-tie-${k}` }));
/** A limit past what an aggregation returns (top_hits, 100 by default): each part read by a search of its own. */
const SEPARATE = 100;

const client = url ? createOpenSearchClient(OpenSearchConfigSchema.parse({ url })) : undefined;
/** Requests the client sent, by the last part of their path (`_msearch`, `_search`), and the searches in them. */
const sent = new Map<string, number>();
let searches = 0;

beforeAll(async () => {
  if (!url || !client) return;
  expect((await os(url, 'PUT', `/${index}`, ecsIndexBody(1))).status).toBe(200);
  const docs = Array.from({ length: USERS * PER_USER }, (_, i) => {
    const u = i % USERS;
    return ecsLogon({ timeMs: START_MS + i * 1000, user: user(u), srcHost: `ws${u}`, srcIp: `10.0.${u >> 8}.${u & 255}`, dstHost: `srv${i % 7}` });
  });
  docs.push(...tied('tiedNow', TIE_MS - 5_000, 2), ...tied('tiedNow', TIE_MS, TIED));
  docs.push(...tied('tiedThen', TIE_MS, TIED), ...tied('tiedThen', TIE_MS + 5_000, 1));
  await loadIndex(url, index, docs);
  expect((await os(url, 'PUT', `/${broken}`, { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: { properties: { '@timestamp': { type: 'text' } } } })).status).toBe(200);
  const request = client.transport.request.bind(client.transport);
  client.transport.request = ((params: { path: string; bulkBody?: unknown[] }, options?: unknown) => {
    const what = params.path.split('/').pop() ?? '';
    sent.set(what, (sent.get(what) ?? 0) + 1);
    searches += what === '_msearch' ? (params.bulkBody?.length ?? 0) / 2 : 1;
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
    searches = 0;
    const all = await Promise.all(Array.from({ length: USERS }, (_, u) => load(index, user(u), until, 3)));
    // each user's latest 3 of its 4 events, oldest first; the first five as when loaded alone
    all.forEach((events, u) => expect(times(events)).toEqual([1, 2, 3].map((k) => START_MS / 1000 + k * USERS + u)));
    expect(all.slice(0, 5).map(times)).toEqual(one);
    // one search per ENTITIES_PER_SEARCH users, each its own request (the 4th event, read past the limit, ends the
    // boundary's time: no search of its own)
    expect(searches).toBe(Math.ceil(USERS / ENTITIES_PER_SEARCH));
    expect(sent.get('_msearch')).toBe(Math.ceil(USERS / ENTITIES_PER_SEARCH));
    expect(sent.get('_search') ?? 0).toBe(0);
  });

  it('reads every event of a time that more events share than the shared search reads, as separate searches do', async () => {
    const load = createHistoryLoader({ client: client!, adapter, fields: historyFieldsFor(adapter), timeoutMs: 20_000 });
    const hosts = (events: CanonicalEvent[]) => new Set(events.map((e) => e.entities.dst_host)).size;
    const tie = TIE_MS / 1000;
    // at the refill's own time: the two earlier events and all TIED at that time
    const now = await load(index, 'tiedNow', tie, 3);
    expect(times(now)).toEqual([tie - 5, tie - 5, ...Array<number>(TIED).fill(tie)]);
    expect(hosts(now)).toBe(TIED);
    // the latest two before the refill's time end inside a time of TIED events: all of them are read
    const then = await load(index, 'tiedThen', tie + 10, 2);
    expect(times(then)).toEqual([...Array<number>(TIED).fill(tie), tie + 5]);
    expect(hosts(then)).toBe(TIED);
    // the same events, in the same order, as each part read by a search of its own (every event of each fits there)
    expect(await load(index, 'tiedNow', tie, SEPARATE)).toEqual(now);
    expect(await load(index, 'tiedThen', tie + 10, SEPARATE)).toEqual(then);
  });

  it('finds no history, and no error, where no index matches the pattern yet', async () => {
    const load = createHistoryLoader({ client: client!, adapter, fields: historyFieldsFor(adapter), timeoutMs: 20_000 });
    const none = uniqueIndex('refill-none');
    expect(await Promise.all([load(none, user(1), START_MS / 1000, 3), load(`${none}-*`, user(2), START_MS / 1000, 3)])).toEqual([[], []]);
  });

  it('fails only the entity whose search OpenSearch refuses', async () => {
    const load = createHistoryLoader({ client: client!, adapter, fields: historyFieldsFor(adapter), timeoutMs: 20_000 });
    const until = START_MS / 1000 + USERS * PER_USER;
    sent.clear();
    searches = 0;
    const [good, bad, alsoGood] = await Promise.allSettled([load(index, user(1), until, 2), load(broken, user(2), until, 2), load(index, user(3), until, 2)]);
    // one shared search per index pattern; the refused one's entity then by its own two searches, in one request
    expect(sent.get('_msearch')).toBe(3);
    expect(searches).toBe(4);
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
