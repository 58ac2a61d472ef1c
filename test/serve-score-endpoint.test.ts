// POST /v1/score takes one event, a list, or adapter records and answers scores with explanations, in order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { ecsDocs, habitualLogon, outOfHabitLogon } from './support/ecs-fixture.js';
import { call, startTestSidecar } from './support/sidecar-fixture.js';

let sidecar: Sidecar;

beforeAll(async () => {
  // Every event explained in full, to check the explanation itself (the default explains the top 1% only: below).
  sidecar = await startTestSidecar({ 'batching.max_delay_ms': 20, 'explanation.full_above': 0 });
});
afterAll(() => sidecar?.shutdown());

const score = (body: unknown) => call(sidecar.url, 'POST', '/v1/score', { body });

describe('POST /v1/score', () => {
  it('scores a single ECS document and explains the score', async () => {
    const res = await score(habitualLogon(3));
    expect(res.status).toBe(200);
    expect(res.json.model).toMatchObject({ kind: 'transformer-mlm', name: expect.any(String), version: expect.any(String) });
    expect(res.json.results).toHaveLength(1);
    const [r] = res.json.results;
    expect(r.anomaly_score).toBeGreaterThanOrEqual(0);
    expect(r.anomaly_score).toBeLessThanOrEqual(1);
    expect(r.anomaly.is_anomaly).toBe(r.anomaly_score >= r.anomaly.threshold);
    expect(r.anomaly.fields.length).toBeGreaterThan(0);
    expect(r.anomaly.fields[0]).toEqual({ name: expect.any(String), value: expect.any(String), surprisal: expect.any(Number), expected: expect.any(String) });
    // Listed by share of the raw score (surprisal × the bundle's field weight), largest first.
    const { tokenizer, field_weights: weights } = sidecar.state.models.current!.scorer.bundle;
    const shares = r.anomaly.fields.map((f: { name: string; surprisal: number }) => f.surprisal * weights[tokenizer.fields.indexOf(f.name)]!);
    expect(shares).toEqual([...shares].sort((a, b) => b - a));
  });

  it('by default explains in full from an anomaly_score of 0.99, and gives the top field only below it', async () => {
    const plain = await startTestSidecar({ 'batching.max_delay_ms': 20 });
    try {
      const history = ecsDocs({ users: 8, days: 2 }).filter((d) => (d.user as { name: string }).name === 'user06');
      const res = await call(plain.url, 'POST', '/v1/score', { body: { scope: 'explain', events: [...history, outOfHabitLogon(6)] } });
      expect(res.status).toBe(200);
      const results = res.json.results as { anomaly_score: number; anomaly: { threshold?: number; fields: { surprisal?: number }[] } }[];
      const full = results.filter((r) => r.anomaly_score >= 0.99);
      const compact = results.filter((r) => r.anomaly_score < 0.99);
      expect(compact.length).toBeGreaterThan(0);
      for (const r of compact) {
        expect(r.anomaly.fields).toHaveLength(1);
        expect(r.anomaly.fields[0]!.surprisal).toBeUndefined();
        expect(r.anomaly.threshold).toBeUndefined();
      }
      for (const r of full) {
        expect(r.anomaly.fields.length).toBeGreaterThan(1);
        expect(r.anomaly.threshold).toEqual(expect.any(Number));
      }
    } finally {
      await plain.shutdown();
    }
  });

  it('scores {"events":[...]} and a bare array in order, an out-of-habit logon above the usual one', async () => {
    // Give users 5 and 6 their recent history first, in scope "warmup".
    const history = ecsDocs({ users: 8, days: 2 }).filter((d) => ['user05', 'user06'].includes((d.user as { name: string }).name));
    expect((await score({ scope: 'warmup', events: history })).status).toBe(200);
    const res = await score({ scope: 'warmup', events: [habitualLogon(5), outOfHabitLogon(6)] });
    expect(res.status).toBe(200);
    expect(res.json.scope).toBe('warmup');
    const [usual, odd] = res.json.results;
    expect(odd.anomaly.raw).toBeGreaterThan(usual.anomaly.raw);
    expect(odd.anomaly_score).toBeGreaterThan(usual.anomaly_score);
    const arr = await score([habitualLogon(1), habitualLogon(2)]);
    expect(arr.json.results).toHaveLength(2);
  });

  it('reads {"format":"ecs","records":[...]} with JSON text records', async () => {
    const res = await score({ format: 'ecs', records: [JSON.stringify(habitualLogon(7)), habitualLogon(8)] });
    expect(res.status).toBe(200);
    expect(res.json.results.map((r: { anomaly_score?: number }) => typeof r.anomaly_score)).toEqual(['number', 'number']);
  });

  it('gives an unreadable record a located anomaly.error and still scores the others', async () => {
    const res = await score({ events: [habitualLogon(1), { user: { name: 'x' } }, habitualLogon(2)] });
    expect(res.status).toBe(200);
    const [a, bad, c] = res.json.results;
    expect(a.anomaly_score).toBeTypeOf('number');
    expect(c.anomaly_score).toBeTypeOf('number');
    expect(bad.anomaly_score).toBeUndefined();
    expect(bad.anomaly.error).toBe('request:2: field @timestamp: no timestamp (looked at @timestamp, event.created, timestamp)');
  });

  it('refuses a format the model was not trained on, bad JSON and unknown keys with 400', async () => {
    const lanl = await score({ format: 'lanl', records: ['1,U1@D,U1@D,C1,C2,NTLM,Network,LogOn,Success'] });
    expect(lanl.status).toBe(400);
    expect(lanl.json.error.reason).toBe('format "lanl": the served model reads ecs records');
    const bad = await call(sidecar.url, 'POST', '/v1/score', { body: '{"events": [', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.type).toBe('parse_exception');
    const extra = await score({ events: [], scopes: 'x' });
    expect(extra.status).toBe(400);
    expect(extra.json.error.reason).toContain('scopes');
    expect((await call(sidecar.url, 'GET', '/v1/score')).status).toBe(405);
  });

  it('micro-batches requests that arrive while a batch runs into shared ONNX calls', async () => {
    const before = batchCount((await call(sidecar.url, 'GET', '/metrics')).text);
    // A large request keeps the scorer busy; the single-event requests sent meanwhile wait and share the next calls.
    const big = score({ events: ecsDocs({ users: 30, days: 10 }) });
    const singles = Array.from({ length: 24 }, (_, i) => score(habitualLogon(i % 30)));
    const results = await Promise.all([big, ...singles]);
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.slice(1).every((r) => r.json.results.length === 1 && typeof r.json.results[0].anomaly_score === 'number')).toBe(true);
    const batches = batchCount((await call(sidecar.url, 'GET', '/metrics')).text) - before;
    expect(batches).toBeGreaterThan(0);
    expect(batches).toBeLessThan(1 + 24);
  });

  it('answers a lone request without waiting for company (max_delay_ms applies only while a batch runs)', async () => {
    const patient = await startTestSidecar({ 'batching.max_delay_ms': 5_000 });
    try {
      const res = await call(patient.url, 'POST', '/v1/score', { body: habitualLogon(4) });
      expect(res.status).toBe(200);
      expect(res.json.took_ms).toBeLessThan(2_500); // had it waited for the 5 s window, it would take >= 5,000
    } finally {
      await patient.shutdown();
    }
  });
});

function batchCount(metrics: string): number {
  return Number(/^seqsentry_batch_size_count (\d+)$/m.exec(metrics)?.[1] ?? NaN);
}
