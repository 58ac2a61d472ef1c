// The same events reach the scorer three ways — the sidecar's _bulk proxy, OpenSearch's ingest pipeline through
// ML Commons, and the enrich loop over stored events — and end with the same anomaly fields (to 1e-6).
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { install } from '../src/install/installer.js';
import { createOpenSearchClient, type OpenSearchClient } from '../src/opensearch/client.js';
import { OpenSearchConfigSchema } from '../src/opensearch/config.js';
import type { Sidecar } from '../src/server/sidecar.js';
import { ecsDocs, FIXTURE_START_MS } from './support/ecs-fixture.js';
import { allDocs, dropCheckpoints, ecsIndexBody, loadIndex, os, runEnrich } from './support/enrich-fixture.js';
import { holdSidecarPort, TEST_INSTALL_OPTIONS, TEST_SIDECAR_PORT, TEST_SIDECAR_TOKEN, withInstallLock } from './support/ml-sidecar.js';
import { ecsModel } from './support/model-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';
import { call, ndjson, startTestSidecar } from './support/sidecar-fixture.js';

const DAY = 86_400_000;
const tag = `${process.pid}-${Date.now().toString(36)}`;
// Inside the test install's index pattern (seqsentry-itest-*), so the content pack's templates apply.
const INDEX = { proxy: `seqsentry-itest-proxy-${tag}`, pipeline: `seqsentry-itest-pipeline-${tag}`, enrich: `seqsentry-itest-enrich-${tag}` };
const JOB = `test-three-paths-${tag}`;
// 10 users × 2 days × 6 logons, in time order, after the fixture model's training days; plus out-of-habit logons.
const docs = ecsDocs({ users: 10, days: 2, perDay: 6, seed: 321, startMs: FIXTURE_START_MS + 21 * DAY });
docs.forEach((d, i) => {
  if (i % 17 === 5) (d.host as Record<string, unknown>).name = 'backup-vault-01';
  if (i % 23 === 9) (d.winlog as { event_data: Record<string, unknown> }).event_data.AuthenticationPackageName = 'NTLM';
});
const id = (i: number) => `d${i}`;

type Stored = Map<string, { version: number; source: any }>;
const stored: Partial<Record<keyof typeof INDEX, Stored>> = {};
let url = '';
let client: OpenSearchClient | undefined;
let sidecar: Sidecar | undefined;
let releasePort: () => void = () => {};

beforeAll(async () => {
  url = inject('opensearchUrl');
  if (!url) return;
  releasePort = await holdSidecarPort();
  client = createOpenSearchClient(OpenSearchConfigSchema.parse({ url }));
  await withInstallLock(() => install(client!, { ...TEST_INSTALL_OPTIONS, dryRun: false }));
  // The sidecar ML Commons calls (the connector names TEST_SIDECAR_PORT and its token), which is also the proxy.
  // Every event explained in full: the paths are compared by raw score too, written only with the full explanation.
  // The daily alert budget off: the pipeline follows the proxy into the same sidecar's budget, so is_anomaly is
  // compared as the threshold sets it (the budget's test: sidecar-paths-share-one-daily-budget.os.test.ts).
  sidecar = await startTestSidecar({ 'opensearch.url': url, 'history.refill': true, 'listen.port': TEST_SIDECAR_PORT, 'explanation.full_above': 0, 'budget.enabled': false }, { SEQSENTRY_TOKEN: TEST_SIDECAR_TOKEN });
  for (const index of [INDEX.proxy, INDEX.pipeline]) {
    const created = await os(url, 'PUT', `/${index}`, ecsIndexBody());
    if (created.status !== 200) throw new Error(`create ${index}: ${JSON.stringify(created.json)}`);
  }

  // (A) the proxy: one bulk request, as a shipper sends it.
  const proxied = await call(sidecar.url, 'POST', `/${INDEX.proxy}/_bulk?refresh=true`, {
    token: TEST_SIDECAR_TOKEN,
    body: ndjson(...docs.flatMap((d, i) => [{ index: { _id: id(i) } }, d])),
  });
  if (proxied.status !== 200 || proxied.json.errors) throw new Error(`proxy bulk: ${proxied.status} ${proxied.text.slice(0, 500)}`);

  // (B) the ingest pipeline: one document per bulk, in time order. Within one bulk OpenSearch sends the
  // ml_inference calls concurrently, so their arrival order (hence the history context) is not event order.
  for (let i = 0; i < docs.length; i++) {
    const res = await os(url, 'POST', '/_bulk?pipeline=seqsentry-score', ndjson({ index: { _index: INDEX.pipeline, _id: id(i) } }, docs[i]));
    if (res.status !== 200 || res.json.errors) throw new Error(`pipeline bulk ${i}: ${JSON.stringify(res.json)}`);
  }

  // (C) enrich: the events are stored unscored, then the enrich loop scores them in place.
  await loadIndex(url, INDEX.enrich, docs);
  await dropCheckpoints(url, JOB);
  const stats = await runEnrich(url, await ecsModel(), { pattern: INDEX.enrich, job: JOB, pageSize: 50, batchSize: 256, explainAbove: 0, budget: null });
  if (stats.scored !== docs.length) throw new Error(`enrich scored ${stats.scored} of ${docs.length}: ${JSON.stringify(stats)}`);
  for (const path of Object.keys(INDEX) as Array<keyof typeof INDEX>) stored[path] = await allDocs(url, INDEX[path]);
}, 600_000);

afterAll(async () => {
  await sidecar?.shutdown();
  releasePort();
  if (url) {
    for (const index of Object.values(INDEX)) await os(url, 'DELETE', `/${index}?ignore_unavailable=true`);
    await dropCheckpoints(url, JOB);
  }
  await client?.close();
});

beforeEach((ctx) => void requireOpenSearch(ctx));

describe('proxy, ingest pipeline and enrich', () => {
  it('each write every event once, with its original fields and an anomaly_score', () => {
    for (const path of Object.keys(INDEX) as Array<keyof typeof INDEX>) {
      const got = stored[path]!;
      expect(got.size, path).toBe(docs.length);
      docs.forEach((doc, i) => {
        const { anomaly_score: score, anomaly, ...rest } = got.get(id(i))!.source;
        expect(rest, `${path} ${id(i)}`).toEqual(doc);
        expect(anomaly.error, `${path} ${id(i)}`).toBeUndefined();
        expect(score, `${path} ${id(i)}`).toBeGreaterThanOrEqual(0);
        expect(score, `${path} ${id(i)}`).toBeLessThanOrEqual(1);
      });
    }
  });

  it('give every event the same anomaly_score, raw score and explanation', () => {
    const { proxy, pipeline, enrich } = stored as Required<typeof stored>;
    docs.forEach((_, i) => {
      const a = proxy.get(id(i))!.source;
      for (const [path, other] of [['pipeline', pipeline], ['enrich', enrich]] as const) {
        const b = other.get(id(i))!.source;
        expect(Math.abs(b.anomaly_score - a.anomaly_score), `${path} ${id(i)} anomaly_score`).toBeLessThan(1e-6);
        expect(Math.abs(b.anomaly.raw - a.anomaly.raw), `${path} ${id(i)} raw`).toBeLessThan(1e-6);
        expect(b.anomaly.fields.map((f: { name: string }) => f.name), `${path} ${id(i)} fields`).toEqual(a.anomaly.fields.map((f: { name: string }) => f.name));
        expect(b.anomaly.is_anomaly, `${path} ${id(i)}`).toBe(a.anomaly.is_anomaly);
        expect(b.anomaly.model, `${path} ${id(i)}`).toEqual(a.anomaly.model);
      }
    });
  });

  it('score with the entity history: out-of-habit logons rank above the habitual ones', () => {
    const scores = docs.map((_, i) => stored.proxy!.get(id(i))!.source.anomaly_score as number);
    const odd = scores.filter((_, i) => i % 17 === 5 || i % 23 === 9);
    const usual = scores.filter((_, i) => !(i % 17 === 5 || i % 23 === 9));
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean(odd)).toBeGreaterThan(mean(usual));
  });
});
