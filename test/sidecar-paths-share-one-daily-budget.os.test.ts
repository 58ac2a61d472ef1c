// The daily alert budget in the running sidecar, against the real OpenSearch: the _bulk proxy, the seqsentry-score
// ingest pipeline (OpenSearch's ML Commons calling the sidecar) and /v1/score score with one scorer, so they draw on
// one budget: the two whose events are stored together flag at most ceil(R × their events) although more of them pass
// the threshold, and /v1/score's events are judged against the same window without being counted into it;
// enrich, another process, keeps its own budget and respects it too; a restarted sidecar refills its window from
// the scored events in OpenSearch.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { install } from '../src/install/installer.js';
import { createOpenSearchClient } from '../src/opensearch/client.js';
import { OpenSearchConfigSchema } from '../src/opensearch/config.js';
import type { Sidecar } from '../src/server/sidecar.js';
import { ecsDocs, FIXTURE_START_MS, outOfHabitLogon, type EcsDoc } from './support/ecs-fixture.js';
import { allDocs as storedDocs, dropCheckpoints, ecsIndexBody, loadIndex, os as osCall, runEnrich } from './support/enrich-fixture.js';
import { holdSidecarPort, TEST_INSTALL_OPTIONS, TEST_SIDECAR_PORT, TEST_SIDECAR_TOKEN, withInstallLock } from './support/ml-sidecar.js';
import { ecsModel } from './support/model-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';
import { allDocs, deleteIndex } from './support/os-helpers.js';
import { call, ndjson, startTestSidecar } from './support/sidecar-fixture.js';

const DAY = 86_400_000;
const RATE = 0.02;
const url = inject('opensearchUrl');
const tag = `${process.pid}-${Date.now().toString(36)}`;
// Inside the test install's index pattern (seqsentry-itest-*), so the content pack's templates apply.
const proxyIndex = `seqsentry-itest-budget-proxy-${tag}`;
const pipelineIndex = `seqsentry-itest-budget-pipeline-${tag}`;
const enrichIndex = `seqsentry-itest-budget-enrich-${tag}`;
const job = `test-budget-${tag}`;
// One day after the fixture model's training days: 20 users' habitual logons and each user's out-of-habit one, all
// within 24 hours, so one window holds them all and the bound is ceil(R × all).
const day = FIXTURE_START_MS + 7 * DAY;
const docs: EcsDoc[] = [...ecsDocs({ users: 20, days: 1, perDay: 6, seed: 5, startMs: day }), ...Array.from({ length: 20 }, (_, u) => outOfHabitLogon(u, day))];
const userOf = (d: EcsDoc) => Number((d.user as { name: string }).name.slice(4));
let sidecar: Sidecar | undefined;
let releasePort: () => void = () => {};

beforeAll(async () => {
  if (!url) return;
  releasePort = await holdSidecarPort();
  const client = createOpenSearchClient(OpenSearchConfigSchema.parse({ url }));
  try {
    await withInstallLock(() => install(client, { ...TEST_INSTALL_OPTIONS, dryRun: false }));
  } finally {
    await client.close();
  }
  // The sidecar ML Commons calls (the connector names TEST_SIDECAR_PORT and its token), which is also the proxy.
  sidecar = await startTestSidecar({ 'opensearch.url': url, 'listen.port': TEST_SIDECAR_PORT, 'explanation.full_above': 0, 'budget.rate': RATE }, { SEQSENTRY_TOKEN: TEST_SIDECAR_TOKEN });
}, 600_000);
afterAll(async () => {
  await sidecar?.shutdown();
  releasePort();
  for (const index of [proxyIndex, pipelineIndex]) await deleteIndex(url, index);
  if (url) {
    await osCall(url, 'DELETE', `/${enrichIndex}?ignore_unavailable=true`);
    await dropCheckpoints(url, job);
  }
});
beforeEach((ctx) => void requireOpenSearch(ctx));

describe('daily alert budget in the sidecar', () => {
  it('is one budget for the proxy and the ML Commons pipeline, which /v1/score is judged by: at most ceil(R × n) of the stored flagged, fewer than the threshold passes', async () => {
    // users split three ways: the proxy, the ingest pipeline (one document per bulk), /v1/score
    const viaProxy = docs.filter((d) => userOf(d) % 3 === 0);
    const viaPipeline = docs.filter((d) => userOf(d) % 3 === 1);
    const viaScore = docs.filter((d) => userOf(d) % 3 === 2);
    const bulk = await call(sidecar!.url, 'POST', `/${proxyIndex}/_bulk?refresh=true`, { token: TEST_SIDECAR_TOKEN, body: ndjson(...viaProxy.flatMap((d, i) => [{ index: { _id: `p${i}` } }, d])) });
    expect(bulk.status).toBe(200);
    expect(bulk.json.errors).toBe(false);
    await osCall(url, 'PUT', `/${pipelineIndex}`, ecsIndexBody());
    for (const [i, d] of viaPipeline.entries()) {
      const res = await osCall(url, 'POST', '/_bulk?pipeline=seqsentry-score', ndjson({ index: { _index: pipelineIndex, _id: `m${i}` } }, d));
      expect(res.status).toBe(200);
      expect(res.json.errors).toBe(false);
    }
    await osCall(url, 'POST', `/${pipelineIndex}/_refresh`);
    const scored = await call(sidecar!.url, 'POST', '/v1/score', { token: TEST_SIDECAR_TOKEN, body: { scope: proxyIndex, events: viaScore } });
    expect(scored.status).toBe(200);

    const stored = [...(await allDocs(url, proxyIndex)), ...(await allDocs(url, pipelineIndex))];
    expect(stored).toHaveLength(viaProxy.length + viaPipeline.length);
    for (const d of stored) expect(d.anomaly_score).toBeTypeOf('number');
    const answers = stored.map((d) => ({ score: d.anomaly_score as number, anomaly: d.anomaly }));
    const n = stored.length;
    const flagged = answers.filter((a) => a.anomaly.is_anomaly);
    const over = answers.filter((a) => a.score >= a.anomaly.threshold);
    expect(over.length, 'the threshold alone flags more than the budget allows').toBeGreaterThan(Math.ceil(RATE * n));
    expect(flagged.length).toBeGreaterThan(0);
    expect(flagged.length).toBeLessThanOrEqual(Math.ceil(RATE * n));
    for (const a of flagged) expect(a.score).toBeGreaterThanOrEqual(a.anomaly.threshold);
    const judged = (scored.json.results as { anomaly_score: number; anomaly: any }[]).filter((r) => r.anomaly.is_anomaly);
    for (const r of judged) expect(r.anomaly_score).toBeGreaterThanOrEqual(r.anomaly.threshold);
    // the two stored paths counted into the scorer's one budget, /v1/score's events not (budget.counted_routes)
    const budget = sidecar!.state.models.current!.scorer.budget!;
    expect(budget.rate).toBe(RATE);
    expect(budget.window()).toEqual({ events: n, flagged: flagged.length });
  });

  it('refills a restarted sidecar\'s window from the events it scored, as OpenSearch holds them', async () => {
    const restarted = await startTestSidecar({ 'opensearch.url': url, 'budget.rate': RATE, 'budget.refill_index': `seqsentry-itest-budget-p*-${tag}` });
    try {
      const stored = [...(await allDocs(url, proxyIndex)), ...(await allDocs(url, pipelineIndex))];
      expect(stored.length).toBeGreaterThan(0);
      expect(restarted.state.models.current!.scorer.budget!.window()).toEqual({ events: stored.length, flagged: stored.filter((d) => d.anomaly.is_anomaly).length });
    } finally {
      await restarted.shutdown();
    }
  });

  it('holds enrich, another process, to its own budget', async () => {
    await osCall(url, 'PUT', `/${enrichIndex}`, ecsIndexBody());
    await loadIndex(url, enrichIndex, docs);
    await dropCheckpoints(url, job);
    const stats = await runEnrich(url, await ecsModel(), { pattern: enrichIndex, job, pageSize: 50, batchSize: 256, explainAbove: 0, budget: RATE });
    expect(stats.scored).toBe(docs.length);
    const stored = [...(await storedDocs(url, enrichIndex)).values()].map((d) => d.source);
    const over = stored.filter((d) => d.anomaly_score >= d.anomaly.threshold).length;
    const flagged = stored.filter((d) => d.anomaly.is_anomaly).length;
    expect(over).toBeGreaterThan(Math.ceil(RATE * docs.length));
    expect(flagged).toBeGreaterThan(0);
    expect(flagged).toBeLessThanOrEqual(Math.ceil(RATE * docs.length));
  });

  it('refills a restarted enrich\'s window from the events scored before in the indices it enriches', async () => {
    const stored = [...(await storedDocs(url, enrichIndex)).values()].map((d) => d.source);
    expect(stored.filter((d) => d.anomaly.is_anomaly).length).toBeGreaterThan(0);
    let window: { events: number; flagged: number } | undefined;
    // Everything in the index is scored: the run reads the window and scores nothing.
    const stats = await runEnrich(url, await ecsModel(), { pattern: enrichIndex, job, pageSize: 50, batchSize: 256, explainAbove: 0, budget: RATE, budgetFrom: enrichIndex }, (service) => {
      window = service.scorer.budget!.window();
      return service;
    });
    expect(stats.scored).toBe(0);
    expect(window).toEqual({ events: stored.length, flagged: stored.filter((d) => d.anomaly.is_anomaly).length });
  });
});
