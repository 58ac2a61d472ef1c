// `train --from-index` with an empty --exclude-query must not train as if no query were given (the attacks it was
// meant to leave out would be learnt as normal): it is refused before anything is read. And an OpenSearch error's
// root cause (a query that does not parse) reaches the message, not only "all shards failed".
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reasonOf } from '../src/enrich/os-call.js';
import { runCli } from './support/cli.js';
import { hasBuild } from './support/env.js';

describe('train --from-index --exclude-query', () => {
  it.runIf(hasBuild())('refuses an empty or blank query before reading anything', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqsentry-exclude-'));
    for (const q of ['', '  ']) {
      // a closed port: the refusal must come before any call to OpenSearch
      const r = runCli(['train', '--format', 'ecs', '--from-index', 'logs-*', '--exclude-query', q, '--opensearch-url', 'http://127.0.0.1:9', '--model-dir', join(dir, 'model')]);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('--exclude-query is empty');
    }
  }, 60_000);

  it('names the root cause of a failed search', () => {
    const body = { error: { type: 'search_phase_execution_exception', reason: 'all shards failed', root_cause: [{ type: 'query_shard_exception', reason: 'Failed to parse query [tags:(malicious]' }] }, status: 400 };
    expect(reasonOf(body, 'x')).toBe('search_phase_execution_exception: all shards failed (root cause: query_shard_exception: Failed to parse query [tags:(malicious])');
    expect(reasonOf({ error: { type: 't', reason: 'r', root_cause: [{ type: 't', reason: 'r' }] } }, 'x')).toBe('t: r');
    expect(reasonOf({ error: { type: 't', reason: 'x'.repeat(5_000) } }, 'x').length).toBe(600);
  });
});
