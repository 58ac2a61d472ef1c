// A reload of a broken or incompatible bundle is refused with a reason that names the file and the fault, and the
// serving bundle goes on scoring; a good bundle put in its place afterwards is switched to, and /readyz and
// /metrics name the new version.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { habitualLogon } from './support/ecs-fixture.js';
import { ecsModel } from './support/model-fixture.js';
import { bundleVersion, copyBundle, rewriteBundle } from './support/bundle-versions.js';
import { call, startTestSidecar } from './support/sidecar-fixture.js';

const ADMIN = 'admin-token-0123456789abcdef';
let sidecar: Sidecar;
let bundle: ReturnType<typeof copyBundle>;
let v1: string;
let onnx: Buffer;
/** bundle.json as trained: each case starts from it. */
let original: Record<string, unknown>;

beforeAll(async () => {
  bundle = copyBundle(await ecsModel());
  v1 = bundleVersion(bundle.dir);
  onnx = readFileSync(join(bundle.dir, 'model.onnx'));
  original = JSON.parse(readFileSync(join(bundle.dir, 'bundle.json'), 'utf8'));
  sidecar = await startTestSidecar({ model_dir: bundle.dir, 'auth.admin_tokens': [ADMIN] });
});
afterAll(async () => {
  await sidecar?.shutdown();
  bundle?.remove();
});

const reload = () => call(sidecar.url, 'POST', '/v1/admin/reload', { token: ADMIN });
const scoredVersion = async () => {
  const res = await call(sidecar.url, 'POST', '/v1/score', { body: habitualLogon(2) });
  expect(res.status).toBe(200);
  return res.json.results[0].anomaly.model.version as string;
};

describe('reloading a bad bundle', () => {
  it('refuses a truncated model file, naming the hash mismatch, and keeps scoring with the old bundle', async () => {
    writeFileSync(join(bundle.dir, 'model.onnx'), onnx.subarray(0, 100));
    rewriteBundle(bundle.dir, { version: `${v1}-broken` });
    const res = await reload();
    expect(res.status).toBe(422);
    expect(res.json.error.reason).toMatch(/bundle refused, the serving one stays/);
    expect(res.json.error.reason).toMatch(/sha256/);
    expect(res.json.error.reason).toContain(bundle.dir);
    expect(await scoredVersion()).toBe(v1);
  });

  it('refuses a manifest that is not valid, naming the field', async () => {
    writeFileSync(join(bundle.dir, 'model.onnx'), onnx);
    rewriteBundle(bundle.dir, { version: `${v1}-bad`, calibration: { levels: [0] } });
    const res = await reload();
    expect(res.status).toBe(422);
    expect(res.json.error.reason).toMatch(/calibration/);
    expect(await scoredVersion()).toBe(v1);
  });

  it('refuses a bundle keyed by another entity while serving', async () => {
    rewriteBundle(bundle.dir, { ...original, version: `${v1}-other`, entity_key: 'source_host' });
    const res = await reload();
    expect(res.status).toBe(422);
    expect(res.json.error.reason).toMatch(/entity key is source_host/);
    expect(await scoredVersion()).toBe(v1);
  });

  it('switches to a good bundle put in its place, and says so in /readyz and /metrics', async () => {
    rewriteBundle(bundle.dir, { ...original, version: 'v2' });
    const res = await reload();
    expect(res.status).toBe(200);
    expect(res.json.from.version).toBe(v1);
    expect(res.json.to.version).toBe('v2');
    expect(await scoredVersion()).toBe('v2');
    const ready = await call(sidecar.url, 'GET', '/readyz');
    expect(ready.json.model.version).toBe('v2');
    const metrics = await call(sidecar.url, 'GET', '/metrics');
    expect(metrics.text).toMatch(/seqsentry_model_info\{[^}]*version="v2"[^}]*\} 1/);
    expect(metrics.text).not.toMatch(new RegExp(`seqsentry_model_info\\{[^}]*version="${v1}"`));
    expect(metrics.text).toMatch(/seqsentry_model_reloads_total\{trigger="admin",outcome="refused"\} 3/);
    expect(metrics.text).toMatch(/seqsentry_model_reloads_total\{trigger="admin",outcome="switched"\} 1/);
  });
});
