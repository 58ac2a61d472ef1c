// `seqsentry serve` validates its configuration at start-up and names the bad key (and where it came from).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadServeConfig } from '../src/config/load-serve-config.js';
import { ConfigError } from '../src/core/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'seqsentry-config-'));
const TOKEN = 'a-long-enough-token-123';
const env = { SEQSENTRY_TOKEN: TOKEN, SEQSENTRY_MODEL_DIR: '/models/ecs' };

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function failure(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('serve configuration', () => {
  it('has working defaults with only a token and a model dir', () => {
    const c = loadServeConfig({ env });
    expect(c.listen).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(c.auth.tokens).toEqual([TOKEN]);
    expect(c.model_dir).toBe('/models/ecs');
    expect(c.opensearch.url).toBe('http://127.0.0.1:9200');
    expect(c.batching).toEqual({ max_batch: 512, max_delay_ms: 5, onnx_threads: 0, window_cache: 262_144 });
    expect(c.history).toMatchObject({ max_entities: 100_000, refill: true, default_scope: '' });
    expect(c.max_body_bytes).toBe(100 * 1024 * 1024);
    expect(c.adapter.format).toBeUndefined(); // the bundle's format decides
  });

  it('names a bad value in the file with its dotted key and the file', () => {
    const path = file('bad-port.json', { listen: { port: 'eighty' } });
    const err = failure(() => loadServeConfig({ file: path, env }));
    expect(err.key).toBe(`listen.port (in ${path})`);
    expect(err.message).toMatch(/^config listen\.port .*: .*number/);
  });

  it('names an unknown key', () => {
    const err = failure(() => loadServeConfig({ file: file('typo.json', { batching: { max_dealy_ms: 3 } }), env }));
    expect(err.message).toContain('batching.max_dealy_ms');
  });

  it('names the environment variable a bad value came from', () => {
    const err = failure(() => loadServeConfig({ env: { ...env, SEQSENTRY_PORT: 'http' } }));
    expect(err.message).toContain('listen.port (from SEQSENTRY_PORT)');
    const os = failure(() => loadServeConfig({ env: { ...env, OPENSEARCH_URL: 'not a url' } }));
    expect(os.message).toContain('opensearch.url');
  });

  it('refuses to start without a token unless auth is disabled, and refuses short tokens', () => {
    expect(failure(() => loadServeConfig({ env: { SEQSENTRY_MODEL_DIR: '/m' } })).key).toBe('auth.tokens');
    expect(loadServeConfig({ env: { SEQSENTRY_MODEL_DIR: '/m' }, overrides: { 'auth.enabled': false } }).auth.enabled).toBe(false);
    expect(failure(() => loadServeConfig({ env: { ...env, SEQSENTRY_TOKEN: 'short' } })).message).toContain('auth.tokens.0 (from SEQSENTRY_TOKEN)');
  });

  it('requires a model dir', () => {
    expect(failure(() => loadServeConfig({ env: { SEQSENTRY_TOKEN: TOKEN } })).message).toMatch(/^config model_dir: required/);
  });

  it('reads tokens from a token file relative to the config file, skipping comments', () => {
    file('tokens.txt', `# rotated 2026-01\n${TOKEN}\n\nsecond-token-abcdefghijkl\n`);
    const c = loadServeConfig({ file: file('with-tokens.json', { model_dir: 'model', auth: { token_file: 'tokens.txt' } }), env: {} });
    expect(c.auth.tokens).toEqual([TOKEN, 'second-token-abcdefghijkl']);
    expect(c.model_dir).toBe(join(dir, 'model'));
    const missing = failure(() => loadServeConfig({ file: file('no-tokens.json', { model_dir: 'm', auth: { token_file: 'nope.txt' } }), env: {} }));
    expect(missing.key).toBe('auth.token_file');
  });

  it('layers file < environment < flags', () => {
    const path = file('layers.json', { listen: { port: 1000, host: '0.0.0.0' }, opensearch: { url: 'http://file:9200', username: 'u', password: 'p' } });
    const c = loadServeConfig({ file: path, env: { ...env, SEQSENTRY_PORT: '2000', OPENSEARCH_URL: 'https://env:9200' }, overrides: { 'listen.port': 3000 } });
    expect(c.listen).toEqual({ host: '0.0.0.0', port: 3000 });
    expect(c.opensearch).toMatchObject({ url: 'https://env:9200', username: 'u', password: 'p' });
  });

  it('says what is wrong with the file itself', () => {
    expect(failure(() => loadServeConfig({ file: file('broken.json', '{"listen":'), env })).message).toMatch(/^config --config: .*is not JSON/);
    expect(failure(() => loadServeConfig({ file: join(dir, 'absent.json'), env })).message).toContain('cannot read');
  });
});
