// The connector's fingerprint sits in its parameters, which anyone who may search connectors can read. Its
// credential part is scrypt(token, salt), salted per connector: a guessed token cannot be checked with one sha256,
// the same content with the same salt gives the same fingerprint (so a reinstall is "unchanged"), and a changed token
// changes it. A token shorter than serve accepts is refused before anything is installed.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { connectorFingerprint } from '../src/install/step-ml-connector.js';
import { install } from '../src/install/installer.js';
import type { OpenSearchClient } from '../src/opensearch/client.js';

const body = (token: string) => ({ name: 'seqsentry-sidecar', parameters: { endpoint: 'http://127.0.0.1:8080', seqsentry_fingerprint: '' }, credential: { token }, actions: [] });
const salt = '00112233445566778899aabbccddeeff';

describe('connector fingerprint', () => {
  it('is deterministic per salt, changes with the token and the salt, and is no plain sha256 of the body', () => {
    const f = connectorFingerprint(body('tok1-0123456789abcdef'), salt);
    expect(connectorFingerprint(body('tok1-0123456789abcdef'), salt)).toBe(f);
    expect(connectorFingerprint(body('tok2-0123456789abcdef'), salt)).not.toBe(f);
    expect(connectorFingerprint(body('tok1-0123456789abcdef'), 'ffeeddccbbaa99887766554433221100')).not.toBe(f);
    // what the fingerprint was before: sha256 of the body with the token in clear
    const plain = (b: Record<string, unknown>, params: Record<string, unknown>) => createHash('sha256').update(JSON.stringify({ ...b, parameters: params })).digest('hex');
    const b = body('tok1-0123456789abcdef');
    expect(plain(b, { ...b.parameters, seqsentry_fingerprint: '' })).not.toBe(f);
    expect(plain(b, { ...b.parameters, seqsentry_fingerprint: '', seqsentry_credential_salt: salt })).not.toBe(f);
  });

  it('refuses a token shorter than the sidecar accepts before touching the cluster', async () => {
    const untouched = new Proxy({}, { get: () => { throw new Error('the cluster was called'); } }) as unknown as OpenSearchClient;
    await expect(install(untouched, { sidecarUrl: 'http://127.0.0.1:8080', token: 'tok1', indexPatterns: ['logs-*'], dryRun: false })).rejects.toThrow(/at least 16 characters/);
  });
});
