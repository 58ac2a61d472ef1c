// Review 2026-12-07: install and uninstall checked Dashboards' certificate against Node's own CAs only, so a Dashboards
// signed by the cluster's private CA was reachable only through NODE_EXTRA_CA_CERTS. --dashboards-ca-file (default
// $OPENSEARCH_CA_FILE) is trusted beside Node's CAs: the saved-object calls reach an HTTPS Dashboards signed by it, and
// fail naming the certificate without it; a file that is no certificate is named before anything is sent.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardsOption } from '../src/commands/options.js';
import { bulkGet, importSavedObjects } from '../src/install/dashboards-api.js';
import { startFakeDashboards, type FakeDashboards } from './support/fake-dashboards.js';

const dir = mkdtempSync(join(tmpdir(), 'seqsentry-osd-ca-'));
const path = (name: string) => join(dir, name);

/** A private CA, and a certificate for 127.0.0.1 it signed: what a cluster's own PKI gives Dashboards. */
function privatePki(): void {
  const run = (args: string[]) => {
    const r = spawnSync('openssl', args, { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  };
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path('ca.key'), '-out', path('ca.pem'), '-days', '2', '-subj', '/CN=private-ca']);
  // the cluster's own CA, another than Dashboards'
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path('cluster-ca.key'), '-out', path('cluster-ca.pem'), '-days', '2', '-subj', '/CN=cluster-ca']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', path('osd.key'), '-out', path('osd.csr'), '-subj', '/CN=dashboards']);
  writeFileSync(path('ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  run(['x509', '-req', '-in', path('osd.csr'), '-CA', path('ca.pem'), '-CAkey', path('ca.key'), '-CAcreateserial', '-out', path('osd.pem'), '-days', '2', '-extfile', path('ext.cnf')]);
}

describe('Dashboards over HTTPS with a private CA', () => {
  let osd: FakeDashboards;
  const ndjson = JSON.stringify({ id: 'seqsentry-a', type: 'index-pattern', attributes: { title: 'logs-*' }, references: [] }) + '\n';

  beforeAll(async () => {
    privatePki();
    osd = await startFakeDashboards({ cert: readFileSync(path('osd.pem')), key: readFileSync(path('osd.key')) });
  });
  afterAll(() => osd?.close());

  it('imports and reads through --dashboards-ca-file, and fails naming the certificate without it', async () => {
    const withCa = dashboardsOption(osd.url, path('ca.pem'), {})!;
    expect(await importSavedObjects(withCa, ndjson, 'seqsentry.ndjson')).toBe(1);
    expect((await bulkGet(withCa, [{ type: 'index-pattern', id: 'seqsentry-a' }])).get('index-pattern:seqsentry-a')?.attributes).toEqual({ title: 'logs-*' });
    const before = osd.requests.length;
    await expect(bulkGet(dashboardsOption(osd.url, undefined, {})!, [{ type: 'index-pattern', id: 'seqsentry-a' }])).rejects.toThrow(/_bulk_get.*did not answer: .*(certificate|self.signed|issuer)/i);
    expect(osd.requests.length).toBe(before); // refused at the handshake: nothing reached Dashboards
  });

  it('takes OPENSEARCH_CA_FILE when no --dashboards-ca-file is given', async () => {
    const target = dashboardsOption(osd.url, undefined, { OPENSEARCH_CA_FILE: path('ca.pem') })!;
    expect((await bulkGet(target, [{ type: 'index-pattern', id: 'seqsentry-a' }])).has('index-pattern:seqsentry-a')).toBe(true);
  });

  it('keeps NODE_EXTRA_CA_CERTS trusted when OPENSEARCH_CA_FILE is the cluster\'s other CA, and names the file on a failure', async () => {
    const both = dashboardsOption(osd.url, undefined, { OPENSEARCH_CA_FILE: path('cluster-ca.pem'), NODE_EXTRA_CA_CERTS: path('ca.pem') })!;
    expect((await bulkGet(both, [{ type: 'index-pattern', id: 'seqsentry-a' }])).has('index-pattern:seqsentry-a')).toBe(true);
    const clusterOnly = dashboardsOption(osd.url, undefined, { OPENSEARCH_CA_FILE: path('cluster-ca.pem') })!;
    await expect(bulkGet(clusterOnly, [{ type: 'index-pattern', id: 'seqsentry-a' }])).rejects.toThrow(/did not answer: .*(certificate|issuer).*checked against Node's bundled CAs and .*cluster-ca\.pem\)/i);
    // A NODE_EXTRA_CA_CERTS Node could not read is warned about (as Node does), not fatal.
    const unreadable = dashboardsOption(osd.url, undefined, { OPENSEARCH_CA_FILE: path('ca.pem'), NODE_EXTRA_CA_CERTS: path('missing.pem') })!;
    expect((await bulkGet(unreadable, [{ type: 'index-pattern', id: 'seqsentry-a' }])).has('index-pattern:seqsentry-a')).toBe(true);
    expect(unreadable.caFile).toBe(path('ca.pem'));
  });

  it('names a CA file that holds no certificate, a CA file without a URL, and one for plain http', () => {
    writeFileSync(path('not.pem'), 'no certificate\n');
    expect(() => dashboardsOption(osd.url, path('not.pem'), {})).toThrow(/--dashboards-ca-file.*not\.pem holds no PEM certificate/);
    expect(() => dashboardsOption(osd.url, path('missing.pem'), {})).toThrow(/--dashboards-ca-file.*cannot read/);
    expect(() => dashboardsOption(undefined, path('ca.pem'), {})).toThrow(/--dashboards-ca-file needs --dashboards-url/);
    expect(() => dashboardsOption('http://127.0.0.1:5601', path('ca.pem'), {})).toThrow(/not reached over https/);
    // OPENSEARCH_CA_FILE for an http Dashboards is the cluster's, not a mistake: left unused
    expect(dashboardsOption('http://127.0.0.1:5601', undefined, { OPENSEARCH_CA_FILE: path('not.pem') })).toEqual({ url: 'http://127.0.0.1:5601' });
  });
});
