// A suppression whose entity kind no adapter has (a typo) would be stored, listed as active and never hold back a
// window; an expiry too far ahead cannot be written as a date. Both are refused, named, before OpenSearch is called.
import { describe, expect, it } from 'vitest';
import { durationMs } from '../src/aggregate/duration.js';
import { runCli } from './support/cli.js';
import { hasBuild } from './support/env.js';

describe('seqsentry suppress', () => {
  it.runIf(hasBuild())('refuses an unknown entity kind and an expiry beyond 10 years, with a closed OpenSearch port', () => {
    const closed = ['--opensearch-url', 'http://127.0.0.1:9'];
    const typo = runCli(['suppress', '--entity', 'usr:alice', ...closed]);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain('--entity "usr:alice": no entity kind "usr" (known: user, src_host, dst_host');
    const far = runCli(['suppress', '--entity', 'user:alice', '--expires', '99999999d', ...closed]);
    expect(far.status).toBe(2);
    expect(far.stderr).toContain('--expires "99999999d": at most 10 years (3650d)');
  }, 60_000);

  it('bounds every duration option at 10 years', () => {
    expect(durationMs('3650d', 'window')).toBe(3650 * 86_400_000);
    expect(() => durationMs('3651d', 'window')).toThrow('--window "3651d": at most 10 years');
    expect(() => durationMs('99999999999999999999w', 'x')).toThrow('at most 10 years');
  });
});
