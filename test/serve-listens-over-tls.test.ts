// Review 2026-12-07: the sidecar listened on plain HTTP only, so shippers' tokens and events crossed the network in
// clear. With listen.tls it serves HTTPS with the given certificate (a self-signed one here, made by openssl): a client
// that trusts it is answered, a plain HTTP request is not, and a file that is no certificate is named at start-up.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestSidecar, TOKEN } from './support/sidecar-fixture.js';

function selfSigned(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=sidecar', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return { cert, key };
}

function get(url: string, ca: Buffer, path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { ca, headers: { authorization: `Bearer ${TOKEN}` } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serve over TLS', () => {
  it('answers HTTPS with its certificate, refuses plain HTTP, and names a file that is no certificate', async () => {
    const { cert, key } = selfSigned();
    const sidecar = await startTestSidecar({ 'listen.tls': { cert_file: cert, key_file: key } });
    try {
      expect(sidecar.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect((await get(sidecar.url, readFileSync(cert), '/healthz')).status).toBe(200);
      const metrics = await get(sidecar.url, readFileSync(cert), '/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.text).toContain('seqsentry_http_requests_total');
      // a client speaking plain HTTP to it gets no answer it can read
      await expect(fetch(sidecar.url.replace('https:', 'http:') + '/healthz').then((r) => r.status)).rejects.toThrow();
    } finally {
      await sidecar.shutdown();
    }
    const dir = mkdtempSync(join(tmpdir(), 'seqsentry-tls-'));
    writeFileSync(join(dir, 'not.pem'), 'no certificate\n');
    await expect(startTestSidecar({ 'listen.tls': { cert_file: join(dir, 'not.pem'), key_file: key } })).rejects.toThrow(/listen\.tls\.cert_file.*no PEM certificate/);
  }, 60_000);
});
