// A model switch hands the daily alert budget on: the new bundle's scorer counts into the same trailing 24 hours,
// so a reload (or a rolling retraining's new version) does not open a fresh window and let a new warm-up through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { habitualLogon } from './support/ecs-fixture.js';
import { ecsModel } from './support/model-fixture.js';
import { copyBundle, rewriteBundle } from './support/bundle-versions.js';
import { call, startTestSidecar } from './support/sidecar-fixture.js';

let sidecar: Sidecar;
let bundle: ReturnType<typeof copyBundle>;

beforeAll(async () => {
  bundle = copyBundle(await ecsModel());
  // /v1/score's events counted (as the proxy's are by default), so that this fast test needs no OpenSearch
  sidecar = await startTestSidecar({ model_dir: bundle.dir, 'model.watch': true, 'model.watch_interval_ms': 100, 'budget.counted_routes': ['score'] });
});
afterAll(async () => {
  await sidecar?.shutdown();
  bundle?.remove();
});

const scoreOne = async (u: number) => (await call(sidecar.url, 'POST', '/v1/score', { body: habitualLogon(u) })).json.results[0].anomaly.model.version as string;

describe('model switch', () => {
  it('keeps counting into the same budget after a reload', async () => {
    for (let u = 0; u < 5; u++) await scoreOne(u);
    const before = sidecar.state.models.current!.scorer.budget!;
    expect(before.window().events).toBe(5);
    rewriteBundle(bundle.dir, { version: 'b2' });
    const deadline = Date.now() + 20_000;
    while ((await scoreOne(5)) !== 'b2') {
      if (Date.now() > deadline) throw new Error('the sidecar did not switch to version b2 within 20 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    const after = sidecar.state.models.current!.scorer;
    expect(after.bundle.version).toBe('b2');
    expect(after.budget).toBe(before);
    const counted = before.window().events;
    await scoreOne(6);
    expect(before.window().events).toBe(counted + 1);
    expect(counted).toBeGreaterThan(5);
  });
});
