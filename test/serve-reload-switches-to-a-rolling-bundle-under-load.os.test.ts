// The hot switch with bundles that rolling retraining made: serve day 1's version, copy day 2's version into the
// served directory (the way a deploy publishes it) and reload while clients keep sending /v1/score. No request
// fails, and the version each answer names changes from day 1's to day 2's.
import { cpSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import type { WindowReport } from '../src/rolling/rolling-train.js';
import { FIXTURE_START_MS, habitualLogon } from './support/ecs-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';
import { call, startTestSidecar } from './support/sidecar-fixture.js';
import { rollingEcs } from './support/rolling-fixture.js';

const url = inject('opensearchUrl');
const ADMIN = 'admin-token-0123456789abcdef';
const DAY_MS = 86_400_000;
const CLIENTS = 6;
const root = mkdtempSync(join(tmpdir(), 'seqsentry-rolling-reload-'));
const served = join(root, 'served');
let reports: WindowReport[] = [];
let sidecar: Sidecar | undefined;

/** Publishes a bundle directory over the served one: files copied beside it, then swapped in by rename. */
function publish(from: string): void {
  const next = join(root, `next-${Date.now()}`);
  cpSync(from, next, { recursive: true });
  // model.onnx and memory.json first, bundle.json last: a reader sees the old bundle or the whole new one
  for (const f of readdirSync(next).sort((a, b) => Number(a === 'bundle.json') - Number(b === 'bundle.json'))) renameSync(join(next, f), join(served, f));
}

beforeAll(async () => {
  if (!url) return;
  reports = await rollingEcs(join(root, 'rolling'), { days: 2, epochs: 2, runId: `reload${process.pid}` });
  cpSync(reports[0]!.version!.path, served, { recursive: true });
  sidecar = await startTestSidecar({ model_dir: served, 'opensearch.url': url, 'history.refill': true, 'auth.admin_tokens': [ADMIN] });
}, 900_000);
afterAll(async () => {
  await sidecar?.shutdown();
  rmSync(root, { recursive: true, force: true });
});
beforeEach((ctx) => void requireOpenSearch(ctx));

describe('reload to a rolling bundle under load', () => {
  it('drops no /v1/score request and the version moves from day 1 to day 2', { timeout: 300_000 }, async () => {
    const [day1, day2] = reports.map((r) => r.version!.version) as [string, string];
    expect(day1).not.toBe(day2);
    let stop = false;
    const sent: { client: number; sentAt: number; status: number; versions: string[] }[] = [];
    const client = async (c: number) => {
      for (let i = 0; !stop; i++) {
        const day = FIXTURE_START_MS + (2 + i) * DAY_MS;
        const sentAt = performance.now();
        const res = await call(sidecar!.url, 'POST', '/v1/score', { body: { scope: `rolling-${c}`, events: [habitualLogon((c + i) % 10, day), habitualLogon((c + i + 1) % 10, day + 60_000)] } });
        sent.push({ client: c, sentAt, status: res.status, versions: res.json?.results?.map((r: { anomaly: { model: { version: string } } }) => r.anomaly.model.version) ?? [] });
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));
    while (new Set(sent.map((s) => s.client)).size < CLIENTS || sent.length < CLIENTS * 3) await new Promise((r) => setTimeout(r, 50));
    publish(reports[1]!.version!.path);
    const reload = await call(sidecar!.url, 'POST', '/v1/admin/reload', { token: ADMIN });
    const switchedAt = performance.now();
    expect(reload.status).toBe(200);
    expect(reload.json).toMatchObject({ status: 'switched', from: { version: day1 }, to: { version: day2 } });
    while (Array.from({ length: CLIENTS }, (_, c) => sent.filter((s) => s.client === c && s.sentAt > switchedAt).length).some((n) => n < 2)) await new Promise((r) => setTimeout(r, 50));
    stop = true;
    await Promise.all(clients);

    expect(sent.filter((s) => s.status !== 200)).toEqual([]);
    expect(sent.every((s) => s.versions.length === 2 && new Set(s.versions).size === 1)).toBe(true);
    const versions = sent.map((s) => s.versions[0]);
    expect(versions).toContain(day1);
    expect(versions).toContain(day2);
    expect(new Set(versions)).toEqual(new Set([day1, day2]));
    sent.forEach((s) => { if (s.sentAt > switchedAt) expect(s.versions[0]).toBe(day2); });
  });
});
