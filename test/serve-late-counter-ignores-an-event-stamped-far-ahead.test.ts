// Review 2026-12-07: one event of a user stamped in 2030 made every later event of that user count in
// seqsentry_events_late_total for as long as the user stayed in the history. A stamp past the clock is no later event.
import { describe, expect, it } from 'vitest';
import { habitualLogon } from './support/ecs-fixture.js';
import { call, startTestSidecar } from './support/sidecar-fixture.js';

const late = (text: string) => Number(/^seqsentry_events_late_total (\d+)/m.exec(text)?.[1] ?? NaN);

describe('the late events counter', () => {
  it('counts an event behind a real later one of its entity, not behind one stamped far ahead', async () => {
    const sidecar = await startTestSidecar({});
    try {
      const now = Date.now();
      const at = (ms: number, u: number) => ({ ...habitualLogon(u), '@timestamp': new Date(ms).toISOString() });
      // user 1: one event stamped years ahead, then real ones
      await call(sidecar.url, 'POST', '/v1/score', { body: { scope: 'logs', events: [at(Date.UTC(2030, 0, 1), 1)] } });
      for (let i = 0; i < 5; i++) await call(sidecar.url, 'POST', '/v1/score', { body: { scope: 'logs', events: [at(now - 60_000 + i * 1000, 1)] } });
      expect(late((await call(sidecar.url, 'GET', '/metrics')).text)).toBe(0);
      // user 2: a real event, then one from before it
      await call(sidecar.url, 'POST', '/v1/score', { body: { scope: 'logs', events: [at(now - 10_000, 2)] } });
      await call(sidecar.url, 'POST', '/v1/score', { body: { scope: 'logs', events: [at(now - 20_000, 2)] } });
      expect(late((await call(sidecar.url, 'GET', '/metrics')).text)).toBe(1);
    } finally {
      await sidecar.shutdown();
    }
  });
});
