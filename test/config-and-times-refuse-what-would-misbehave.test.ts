// Settings and times an on-call engineer met in review (2026-12-07): a timeout past Node's timer range fired after
// 1 ms (every bulk answered 504), request_timeout_ms below headers_timeout_ms crashed serve with a stack, a scoring
// token accepted as an admin token could reload the model, a URL without its scheme crashed, and ISO times rolled
// 2024-02-30 over into March while a valid `+05` offset was unreadable.
import { describe, expect, it } from 'vitest';
import { isoSeconds } from '../src/adapters/time.js';
import { loadServeConfig } from '../src/config/load-serve-config.js';
import { OpenSearchConfigSchema } from '../src/opensearch/config.js';

const TOKEN = 'a-token-of-sixteen-chars';
const load = (overrides: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => () => loadServeConfig({ env: { SEQSENTRY_TOKEN: TOKEN, ...env }, overrides: { model_dir: '/nonexistent', ...overrides } });

describe('settings that would misbehave', () => {
  it('refuses timeouts past Node\'s timer range and headers that may outlast the request, naming the key', () => {
    expect(load({ 'opensearch.request_timeout_ms': 3_000_000_000 })).toThrow(/opensearch\.request_timeout_ms/);
    expect(load({ shutdown_timeout_ms: 3e9 })).toThrow(/shutdown_timeout_ms/);
    expect(load({ 'aggregate.every_ms': 3e9 })).toThrow(/aggregate\.every_ms/);
    expect(load({ 'limits.request_timeout_ms': 10_000 })).toThrow(/headers_timeout_ms must not exceed request_timeout_ms/);
    expect(load({ 'limits.request_timeout_ms': 10_000, 'limits.headers_timeout_ms': 5_000 })).not.toThrow();
  });

  it('keeps admin tokens apart from scoring tokens', () => {
    expect(load({}, { SEQSENTRY_ADMIN_TOKEN: TOKEN })).toThrow(/auth\.admin_tokens.*also a scoring token/);
    expect(load({}, { SEQSENTRY_ADMIN_TOKEN: 'another-token-of-sixteen' })).not.toThrow();
  });

  it('takes only http and https URLs for OpenSearch', () => {
    expect(() => OpenSearchConfigSchema.parse({ url: 'localhost:9200' })).toThrow(/http:\/\/ or https:\/\//);
    expect(() => OpenSearchConfigSchema.parse({ url: 'ftp://h:21' })).toThrow(/http:\/\/ or https:\/\//);
    expect(OpenSearchConfigSchema.parse({ url: 'https://h:9200' }).url).toBe('https://h:9200');
  });

  it('reads ISO times strictly: no day a month lacks, every offset form', () => {
    expect(isoSeconds('2024-02-30T00:00:00Z')).toBeNaN();
    expect(isoSeconds('2024-04-31')).toBeNaN();
    expect(isoSeconds('2024-13-01')).toBeNaN();
    const utc = isoSeconds('2024-02-29T05:00:00Z');
    for (const v of ['2024-02-29T10:00:00+05', '2024-02-29T10:00:00+0500', '2024-02-29T10:00:00+05:00']) expect(isoSeconds(v), v).toBe(utc);
    expect(isoSeconds('2024-02-29')).toBe(isoSeconds('2024-02-29T00:00:00Z'));
  });
});
