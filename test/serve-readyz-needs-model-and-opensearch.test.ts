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

beforeAll(async () => {
  upstream = await startUpstream((_req, res) => void (healthy ? res.writeHead(200).end('{"version":{"number":"2.19.6"}}') : res.writeHead(503).end('{}')));
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
    const down = await call(sidecar.url, 'GET', '/readyz', { token: null });
    const wrong = await call(sidecar.url, 'GET', '/readyz', { token: 'not-the-token-0123456789' });
    healthy = true;
    expect(down.status).toBe(503);
    expect(down.json).toEqual({ status: 'not_ready' });
    expect(wrong.json).toEqual({ status: 'not_ready' });
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
