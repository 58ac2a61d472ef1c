// A bundle switch under continuous load: many clients keep sending /v1/score and /_bulk (into a real OpenSearch)
// while the admin reloads a new version. No request fails, every request is scored by exactly one of the two
// versions, each client sees the versions change once (v1 … v1, v2 … v2), and a request sent after the reload
// answered is scored by the new version.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { FIXTURE_START_MS, habitualLogon } from './support/ecs-fixture.js';
import { ecsModel } from './support/model-fixture.js';
import { bundleVersion, copyBundle, rewriteBundle } from './support/bundle-versions.js';
import { requireOpenSearch } from './support/opensearch.js';
import { deleteIndex, os, uniqueIndex } from './support/os-helpers.js';
import { call, ndjson, startTestSidecar } from './support/sidecar-fixture.js';

const url = inject('opensearchUrl');
const ADMIN = 'admin-token-0123456789abcdef';
const DAY_MS = 86_400_000;
const CLIENTS = 8;
const DOCS_PER_BULK = 5;
const index = uniqueIndex('reload');
let sidecar: Sidecar;
let bundle: ReturnType<typeof copyBundle>;

beforeAll(async () => {
  if (!url) return;
  bundle = copyBundle(await ecsModel());
  sidecar = await startTestSidecar({ model_dir: bundle.dir, 'opensearch.url': url, 'history.refill': true, 'auth.admin_tokens': [ADMIN], 'history.reorder_window_ms': 2_000 }); // serve's default window
});
afterAll(async () => {
  await sidecar?.shutdown();
  bundle?.remove();
  await deleteIndex(url, index);
});
beforeEach((ctx) => void requireOpenSearch(ctx));

/** One request as a client saw it: when it was sent, and the bulk document ids or the /v1/score versions. */
interface Sent {
  client: number;
  sentAt: number;
  status: number;
  bulkIds?: string[];
  bulkErrors?: boolean;
  versions?: string[];
}

describe('reload under load', () => {
  it('drops no request and names exactly one version per request, changing once per client', async () => {
    const v1 = bundleVersion(bundle.dir);
    const v2 = `${v1}-next`;
    let stop = false;
    const sent: Sent[] = [];
    const client = async (c: number) => {
      for (let i = 0; !stop; i++) {
        const user = (c * 3 + i) % 10;
        const day = FIXTURE_START_MS + (8 + i) * DAY_MS;
        const sentAt = performance.now();
        if (i % 2 === 0) {
          const res = await call(sidecar.url, 'POST', '/v1/score', { body: { scope: `${index}-score`, events: [habitualLogon(user, day), habitualLogon(user, day + 60_000)] } });
          sent.push({ client: c, sentAt, status: res.status, versions: res.json?.results?.map((r: { anomaly: { model: { version: string } } }) => r.anomaly.model.version) ?? [] });
        } else {
          const ids = Array.from({ length: DOCS_PER_BULK }, (_, k) => `c${c}-r${i}-d${k}`);
          const body = ndjson(...ids.flatMap((id, k) => [{ index: { _id: id } }, habitualLogon((user + k) % 10, day + k * 60_000)]));
          const res = await call(sidecar.url, 'POST', `/${index}/_bulk`, { body });
          sent.push({ client: c, sentAt, status: res.status, bulkIds: ids, bulkErrors: res.json?.errors });
        }
      }
    };
    // Created first, so the load measures scoring and indexing rather than the index's creation.
    expect((await os(url, 'PUT', `/${index}`)).status).toBe(200);
    const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));
    // Under way: every client has had answers before the reload.
    while (new Set(sent.map((s) => s.client)).size < CLIENTS || sent.length < CLIENTS * 3) await new Promise((r) => setTimeout(r, 50));
    rewriteBundle(bundle.dir, { version: v2 });
    const reload = await call(sidecar.url, 'POST', '/v1/admin/reload', { token: ADMIN });
    const switchedAt = performance.now();
    expect(reload.status).toBe(200);
    expect(reload.json).toMatchObject({ status: 'switched', from: { version: v1 }, to: { version: v2 } });
    // Until every client has sent two requests after the reload answered (or the test's time runs out).
    const after = () => new Map(Array.from({ length: CLIENTS }, (_, c) => [c, sent.filter((s) => s.client === c && s.sentAt > switchedAt).length]));
    while ([...after().values()].some((n) => n < 2)) await new Promise((r) => setTimeout(r, 50));
    stop = true;
    await Promise.all(clients);

    // Every request answered 200 and every bulk item was indexed.
    expect(sent.every((s) => s.status === 200)).toBe(true);
    expect(sent.filter((s) => s.bulkIds).every((s) => s.bulkErrors === false)).toBe(true);

    // The version of each bulk request: read back from the stored documents.
    await os(url, 'POST', `/${index}/_refresh`);
    const allIds = sent.flatMap((s) => s.bulkIds ?? []);
    const stored = await os(url, 'POST', `/${index}/_search`, { size: 10_000, _source: ['anomaly.model.version'], query: { ids: { values: allIds } } });
    expect(stored.json.hits.hits).toHaveLength(allIds.length);
    const versionOf = new Map<string, string>(stored.json.hits.hits.map((h: { _id: string; _source: { anomaly: { model: { version: string } } } }) => [h._id, h._source.anomaly.model.version]));
    for (const s of sent) if (s.bulkIds) s.versions = s.bulkIds.map((id) => versionOf.get(id) as string);

    const one = sent.map((s) => [...new Set(s.versions)]);
    for (const versions of one) {
      expect(versions).toHaveLength(1);
      expect([v1, v2]).toContain(versions[0]);
    }
    // Per client, in the order it sent: v1 for a while, then v2 only.
    for (let c = 0; c < CLIENTS; c++) {
      const seq = sent.map((s, i) => ({ s, v: one[i]![0] })).filter(({ s }) => s.client === c).map(({ v }) => v);
      const firstV2 = seq.indexOf(v2);
      expect(firstV2).toBeGreaterThanOrEqual(0);
      expect(seq.slice(firstV2).every((v) => v === v2)).toBe(true);
    }
    expect(one.some((v) => v[0] === v1)).toBe(true);
    // Sent once the reload had answered: the new version, always.
    sent.forEach((s, i) => {
      if (s.sentAt > switchedAt) expect(one[i]![0]).toBe(v2);
    });
    expect(sent.length).toBeGreaterThan(CLIENTS * 4);
  });
});
