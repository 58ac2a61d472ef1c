// Towards OpenSearch the sidecar speaks TLS (custom CA or, when told, no verification) and sends its API key,
// for the bulk forwards, the GET / pass-through and the history refill search alike.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sidecar } from '../src/server/sidecar.js';
import { habitualLogon } from './support/ecs-fixture.js';
import { call, ndjson, startTestSidecar } from './support/sidecar-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'seqsentry-tls-'));
const API_KEY = Buffer.from('key-id:key-secret').toString('base64');
const seen: Array<{ url: string; authorization: string | undefined }> = [];
let server: Server;
let url = '';

beforeAll(async () => {
  // A throwaway self-signed certificate for 127.0.0.1.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'ca.pem'),
    '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'ca.pem')) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
      // the history refill's searches come as one _msearch: a header line and a query line each, an empty answer each
      const searches = Buffer.concat(chunks).toString('utf8').trim().split('\n').length / 2;
      const body = req.url?.includes('_msearch') ? JSON.stringify({ responses: Array.from({ length: searches }, () => ({ hits: { hits: [] } })) }) : req.url === '/' ? '{"version":{"distribution":"opensearch","number":"2.19.6"}}' : '{"took":1,"errors":false,"items":[]}';
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

async function withSidecar<T>(settings: Record<string, unknown>, fn: (s: Sidecar) => Promise<T>): Promise<T> {
  const sidecar = await startTestSidecar({ 'opensearch.url': url, 'opensearch.api_key': API_KEY, ...settings });
  try {
    return await fn(sidecar);
  } finally {
    await sidecar.shutdown();
  }
}

const bulk = (s: Sidecar) => call(s.url, 'POST', '/logs/_bulk', { body: ndjson({ index: {} }, habitualLogon(1)) });

describe('TLS and API key towards OpenSearch', () => {
  it('verifies OpenSearch against the configured CA and sends the API key on every call', async () => {
    seen.length = 0;
    await withSidecar({ 'opensearch.tls.ca_file': join(dir, 'ca.pem'), 'history.refill': true }, async (s) => {
      expect((await bulk(s)).status).toBe(200);
      const info = await call(s.url, 'GET', '/');
      expect(info.json.version.distribution).toBe('opensearch');
      expect((await call(s.url, 'GET', '/readyz', { token: null })).status).toBe(200);
    });
    expect(seen.map((r) => r.url.split('?')[0])).toEqual(expect.arrayContaining(['/_msearch', '/logs/_bulk', '/']));
    expect(new Set(seen.map((r) => r.authorization))).toEqual(new Set([`ApiKey ${API_KEY}`]));
  });

  it('refuses an OpenSearch certificate it cannot verify: 502, nothing acknowledged', async () => {
    await withSidecar({}, async (s) => {
      const res = await bulk(s);
      expect(res.status).toBe(502);
      expect(res.json.error.reason).toMatch(/self[- ]signed|certificate/i);
      // The handshake failed on our side: the request never left, so "nothing written" is true here.
      expect(res.json.error.reason).toMatch(/^bulk not forwarded, nothing written: /);
    });
  });

  it('skips verification only when tls.reject_unauthorized is false', async () => {
    await withSidecar({ 'opensearch.tls.reject_unauthorized': false }, async (s) => {
      expect((await bulk(s)).status).toBe(200);
    });
  });
});
