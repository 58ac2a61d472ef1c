// A context-free bundle's window cache is counted in /metrics (hits, misses, entries), and a model switch starts an
// empty one: the outputs of the old model are never given as the new one's, and the counts restart with it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { habitualLogon } from './support/ecs-fixture.js';
import { ecsModel } from './support/model-fixture.js';
import { copyBundle, rewriteBundle } from './support/bundle-versions.js';
import { call, metricValue, startTestSidecar } from './support/sidecar-fixture.js';

let sidecar: Sidecar;
let bundle: ReturnType<typeof copyBundle>;

beforeAll(async () => {
  bundle = copyBundle(await ecsModel({ context: 0 }));
  sidecar = await startTestSidecar({ model_dir: bundle.dir, 'model.watch': true, 'model.watch_interval_ms': 100 });
}, 600_000);
afterAll(async () => {
  await sidecar?.shutdown();
  bundle?.remove();
});

// The same user's habitual logon at the same time: the same token ids each time, so one window.
const scoreOne = async () => (await call(sidecar.url, 'POST', '/v1/score', { body: habitualLogon(3) })).json.results[0].anomaly.model.version as string;
const metric = (name: string) => metricValue(sidecar.url, name);

describe('window cache in the sidecar', () => {
  it('counts hits in /metrics and starts empty after a model switch', async () => {
    for (let i = 0; i < 5; i++) await scoreOne();
    const before = sidecar.state.models.current!.scorer;
    expect(before.context).toBe(0);
    expect([await metric('seqsentry_window_cache_hits_total'), await metric('seqsentry_window_cache_misses_total'), await metric('seqsentry_window_cache_entries')]).toEqual([4, 1, 1]);

    rewriteBundle(bundle.dir, { version: 'b2' });
    const deadline = Date.now() + 20_000;
    while ((await scoreOne()) !== 'b2') {
      if (Date.now() > deadline) throw new Error('the sidecar did not switch to version b2 within 20 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    const after = sidecar.state.models.current!.scorer;
    expect(after.windowCache).not.toBe(before.windowCache);
    // The one event b2 has scored went to its model: the window the old cache held is not known to the new one.
    expect([await metric('seqsentry_window_cache_hits_total'), await metric('seqsentry_window_cache_misses_total'), await metric('seqsentry_window_cache_entries')]).toEqual([0, 1, 1]);
  }, 60_000);
});
