// /readyz is 200 only with the model loaded and OpenSearch answering; otherwise 503, with the reason for a token holder.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadServeConfig } from '../src/config/load-serve-config.js';
import { ModelLoadError } from '../src/core/errors.js';
import { startSidecar, type Sidecar } from '../src/server/sidecar.js';
import { call, closedPort, startTestSidecar, startUpstream, TOKEN, type Upstream } from './support/sidecar-fixture.js';

let upstream: Upstream;
let healthy = true;
let sidecar: Sidecar;

let pings = 0;

beforeAll(async () => {
  upstream = await startUpstream((_req, res) => {
    pings += 1;
    void (healthy ? res.writeHead(200).end('{"version":{"number":"2.19.6"}}') : res.writeHead(503).end('{}'));
  });
  sidecar = await startTestSidecar({ 'opensearch.url': upstream.url });
});
afterAll(async () => {
  await sidecar?.shutdown();
  await upstream?.close();
});

describe('GET /readyz', () => {
  it('is ready with the model loaded and OpenSearch answering', async () => {
    const res = await call(sidecar.url, 'GET', '/readyz');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'ready', model: { kind: 'transformer-mlm' } });
  });

  it('tells an anonymous caller up or down and nothing else', async () => {
    const up = await call(sidecar.url, 'GET', '/readyz', { token: null });
    expect(up.status).toBe(200);
    expect(up.json).toEqual({ status: 'ready' });
    healthy = false;
    // Anonymous probes share one ping a second (a flood of them is one request to OpenSearch a second).
    await new Promise((r) => setTimeout(r, 1_100));
    const down = await call(sidecar.url, 'GET', '/readyz', { token: null });
    const wrong = await call(sidecar.url, 'GET', '/readyz', { token: 'not-the-token-0123456789' });
    healthy = true;
    await new Promise((r) => setTimeout(r, 1_100));
    expect(down.status).toBe(503);
    expect(down.json).toEqual({ status: 'not_ready' });
    expect(wrong.json).toEqual({ status: 'not_ready' });
  });

  it('asks OpenSearch at most once a second for a flood of anonymous probes', async () => {
    await new Promise((r) => setTimeout(r, 1_100));
    const before = pings;
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 60 }, () => call(sidecar.url, 'GET', '/readyz', { token: null })));
    const seconds = Math.ceil((Date.now() - started) / 1000);
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200]));
    expect(pings - before).toBeLessThanOrEqual(seconds + 1);
  });

  it('is not ready while OpenSearch answers with an error', async () => {
    healthy = false;
    const res = await call(sidecar.url, 'GET', '/readyz');
    healthy = true;
    expect(res.status).toBe(503);
    expect(res.json.reasons).toEqual([`OpenSearch not reachable: OpenSearch at ${upstream.url} answered HTTP 503`]);
  });

  it('is not ready when OpenSearch cannot be reached, and says where it tried', async () => {
    const port = await closedPort();
    const other = await startTestSidecar({ 'opensearch.url': `http://127.0.0.1:${port}` });
    try {
      const res = await call(other.url, 'GET', '/readyz');
      expect(res.status).toBe(503);
      expect(res.json.reasons[0]).toMatch(new RegExp(`^OpenSearch not reachable: .*cannot reach http://127\\.0\\.0\\.1:${port}.*ECONNREFUSED`));
      expect((await call(other.url, 'GET', '/healthz', { token: null })).status).toBe(200);
    } finally {
      await other.shutdown();
    }
  });

  it('fails start-up with the model error when the bundle cannot be loaded, releasing the port', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'seqsentry-nomodel-'));
    const config = loadServeConfig({ env: { SEQSENTRY_TOKEN: TOKEN }, overrides: { model_dir: empty, 'listen.port': 0 } });
    await expect(startSidecar(config)).rejects.toThrow(ModelLoadError);
  });
});
