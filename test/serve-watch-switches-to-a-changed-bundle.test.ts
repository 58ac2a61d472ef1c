// With model.watch, serve notices a new bundle.json in model_dir and switches to it without a restart; a broken
// one is refused (counted, the old one keeps serving) and a good one written after it is still picked up; a bundle
// copied in the wrong order (bundle.json before model.onnx) is refused, then taken once model.onnx has arrived.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { habitualLogon } from './support/ecs-fixture.js';
import { ecsModel } from './support/model-fixture.js';
import { bundleVersion, copyBundle, rewriteBundle } from './support/bundle-versions.js';
import { call, startTestSidecar } from './support/sidecar-fixture.js';

let sidecar: Sidecar;
let bundle: ReturnType<typeof copyBundle>;

beforeAll(async () => {
  bundle = copyBundle(await ecsModel());
  sidecar = await startTestSidecar({ model_dir: bundle.dir, 'model.watch': true, 'model.watch_interval_ms': 100 });
});
afterAll(async () => {
  await sidecar?.shutdown();
  bundle?.remove();
});

const scoredVersion = async () => (await call(sidecar.url, 'POST', '/v1/score', { body: habitualLogon(4) })).json.results[0].anomaly.model.version as string;
const metric = async (re: RegExp) => re.test((await call(sidecar.url, 'GET', '/metrics')).text);

async function until(what: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what.toString()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('model.watch', () => {
  it('switches to a rewritten bundle.json, refuses a broken one, then takes the next good one', async () => {
    const v1 = bundleVersion(bundle.dir);
    expect(await scoredVersion()).toBe(v1);

    rewriteBundle(bundle.dir, { version: 'w2' });
    await until(async () => (await scoredVersion()) === 'w2');
    expect((await call(sidecar.url, 'GET', '/readyz')).json.model.version).toBe('w2');

    const manifest = join(bundle.dir, 'bundle.json');
    const good = readFileSync(manifest, 'utf8');
    writeFileSync(manifest, '{"schema_version": 5, "version": "w3"'); // cut short mid-write
    await until(() => metric(/seqsentry_model_reloads_total\{trigger="watch",outcome="refused"\} 1/));
    expect(await scoredVersion()).toBe('w2');

    writeFileSync(manifest, good.replace('"version": "w2"', '"version": "w4"'));
    await until(async () => (await scoredVersion()) === 'w4');
    expect(await metric(/seqsentry_model_reloads_total\{trigger="watch",outcome="switched"\} 2/)).toBe(true);
  });

  it('tries a refused bundle again once the files it lacked have arrived', async () => {
    const model = join(bundle.dir, 'model.onnx');
    renameSync(model, `${model}.copying`); // the copy has not reached model.onnx yet
    rewriteBundle(bundle.dir, { version: 'w5' });
    await until(() => metric(/seqsentry_model_reloads_total\{trigger="watch",outcome="refused"\} 2/));
    // Polls go on without bundle.json changing: the refused bundle is not tried again while nothing else changed.
    await new Promise((r) => setTimeout(r, 500));
    expect(await metric(/seqsentry_model_reloads_total\{trigger="watch",outcome="refused"\} 2/)).toBe(true);
    expect(await scoredVersion()).toBe('w4');

    renameSync(`${model}.copying`, model);
    await until(async () => (await scoredVersion()) === 'w5');
    expect(await metric(/seqsentry_model_reloads_total\{trigger="watch",outcome="switched"\} 3/)).toBe(true);
    expect(await metric(/seqsentry_model_reloads_total\{trigger="watch",outcome="refused"\} 2/)).toBe(true);
  });
});
