// Credentials and TLS as an auditor met them in review (2026-12-07): a password in --opensearch-url was printed by
// install and uninstall (and dropped by serve, which then got 401), the OpenSearch login went to an http Dashboards on
// another host in clear, a CA file that was no certificate failed later as "unable to verify", and turning
// verification off said nothing.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dashboardsTarget } from '../src/commands/options.js';
import { loadServeConfig } from '../src/config/load-serve-config.js';
import { OpenSearchConfigSchema, tlsOptions } from '../src/opensearch/config.js';

describe('OpenSearch credentials and TLS options', () => {
  it('moves credentials out of the URL, for every path alike, and refuses them twice', () => {
    const c = OpenSearchConfigSchema.parse({ url: 'https://seqsentry-installer:Ss1%21p%40ss@opensearch.example:9200' });
    expect(c).toMatchObject({ url: 'https://opensearch.example:9200', username: 'seqsentry-installer', password: 'Ss1!p@ss' });
    expect(() => OpenSearchConfigSchema.parse({ url: 'https://a:b@h:9200', username: 'c', password: 'd' })).toThrow(/holds credentials while username or api_key is set/);
    const serve = loadServeConfig({ env: { SEQSENTRY_TOKEN: 'a-token-of-sixteen-chars' }, overrides: { model_dir: '/nonexistent', 'opensearch.url': 'https://u:p@h:9200/' } });
    expect(serve.opensearch).toMatchObject({ url: 'https://h:9200/', username: 'u', password: 'p' });
  });

  it('sends a Dashboards login in clear only to this machine', () => {
    const env = { OPENSEARCH_USERNAME: 'seqsentry-installer', OPENSEARCH_PASSWORD: 'secret' };
    expect(() => dashboardsTarget('http://dashboards.example:5601', env)).toThrow(/http would send seqsentry-installer's password in clear/);
    expect(() => dashboardsTarget('http://x:y@dashboards.example:5601', {})).toThrow(/in clear/);
    expect(dashboardsTarget('http://127.0.0.1:5601', env)).toMatchObject({ url: 'http://127.0.0.1:5601', username: 'seqsentry-installer' });
    expect(dashboardsTarget('https://dashboards.example:5601', env)).toMatchObject({ url: 'https://dashboards.example:5601', password: 'secret' });
    expect(dashboardsTarget('http://dashboards.example:5601', {})).toEqual({ url: 'http://dashboards.example:5601' });
  });

  it('names a CA file that holds no certificate', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqsentry-ca-'));
    writeFileSync(join(dir, 'garbage.pem'), 'not a certificate\n');
    const c = OpenSearchConfigSchema.parse({ url: 'https://h:9200', tls: { ca_file: join(dir, 'garbage.pem') } });
    expect(() => tlsOptions(c)).toThrow(/garbage\.pem holds no PEM certificate/);
    expect(tlsOptions(OpenSearchConfigSchema.parse({ url: 'https://h:9200', tls: { reject_unauthorized: false } }))).toEqual({ rejectUnauthorized: false });
  });
});
