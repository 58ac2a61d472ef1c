// A cascade served by the sidecar: /metrics counts the events its screen scored and those it escalated to the model
// with context (seqsentry_screen_events_total, seqsentry_screen_escalated_total), the screen's window cache is the one
// counted, and every event the sidecar answers at or above the screen threshold was among the escalated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { ecsDocs, FIXTURE_START_MS, habitualLogon, outOfHabitLogon } from './support/ecs-fixture.js';
import { ecsModel } from './support/model-fixture.js';
import { call, metricValue, startTestSidecar } from './support/sidecar-fixture.js';

/** Low, so that a fixture model escalates a good share of a day (the default, 0.99, a few events in a hundred). */
const THRESHOLD = 0.5;
const DAY_MS = 86_400_000;

let sidecar: Sidecar;

beforeAll(async () => {
  sidecar = await startTestSidecar({ model_dir: await ecsModel({ screen: THRESHOLD }) });
}, 600_000);
afterAll(async () => {
  await sidecar?.shutdown();
});

const metric = (name: string) => metricValue(sidecar.url, name);

describe('a cascade in the sidecar', () => {
  it('counts the events screened and escalated, as its scorer does', async () => {
    const scorer = sidecar.state.models.current!.scorer;
    expect(scorer.screenStats).toEqual({ threshold: THRESHOLD, screened: 0, escalated: 0 });
    // a new day of the same users, then logons far outside their habits, then one habitual logon five times
    const day = ecsDocs({ days: 1, seed: 12, startMs: FIXTURE_START_MS + 7 * DAY_MS });
    const odd = [1, 2, 3].map((u) => outOfHabitLogon(u, FIXTURE_START_MS + 8 * DAY_MS));
    const scores: number[] = [];
    for (const body of [day, odd]) {
      const r = await call(sidecar.url, 'POST', '/v1/score', { body });
      expect(r.status).toBe(200);
      for (const result of r.json.results) scores.push(result.anomaly_score as number);
    }
    expect(scores).toHaveLength(day.length + odd.length);
    expect(scores.every((s) => Number.isFinite(s))).toBe(true);
    for (let i = 0; i < 5; i++) await call(sidecar.url, 'POST', '/v1/score', { body: habitualLogon(3, FIXTURE_START_MS + 9 * DAY_MS) });
    const events = day.length + odd.length + 5;
    const stats = scorer.screenStats!;
    expect(stats.screened).toBe(events);
    expect(stats.escalated).toBeGreaterThan(0);
    expect(stats.escalated).toBeLessThan(events);
    // a result at or above the screen threshold is the model's (the screen's stay below it)
    expect(scores.filter((s) => s >= THRESHOLD).length).toBeLessThanOrEqual(stats.escalated);
    expect(await metric('seqsentry_screen_events_total')).toBe(events);
    expect(await metric('seqsentry_screen_escalated_total')).toBe(stats.escalated);
    // the screen reads no context: the habitual logon repeated is one window, answered from its cache after the first
    expect(scorer.windowCache).not.toBeNull();
    expect(await metric('seqsentry_window_cache_hits_total')).toBeGreaterThanOrEqual(4);
  }, 120_000);
});
