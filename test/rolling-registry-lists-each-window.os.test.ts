// The version registry in `.seqsentry-state`: rolling retraining over three days records one version per day with
// its window, event counts, held-out loss, training time, path and sha256, chained to its predecessor, each scored
// on the next day; `seqsentry models --list` prints them.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { DEFAULT_BACKOFF } from '../src/enrich/retry.js';
import { createOpenSearchClient } from '../src/opensearch/client.js';
import { openSearchConfig } from '../src/opensearch/config.js';
import { ModelVersionStore } from '../src/rolling/model-versions.js';
import { runCli } from './support/cli.js';
import { requireOpenSearch } from './support/opensearch.js';
import { rollingEcs } from './support/rolling-fixture.js';

const url = inject('opensearchUrl');
const root = mkdtempSync(join(tmpdir(), 'seqsentry-registry-'));
const runId = `reg${process.pid}${Date.now().toString(36)}`;
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeEach((ctx) => void requireOpenSearch(ctx));

describe('model version registry', () => {
  it('records one version per window with its window, counts, metrics and path', { timeout: 900_000 }, async () => {
    const reports = await rollingEcs(root, { days: 3, epochs: 2, registry: openSearchConfig(url), runId });
    const client = createOpenSearchClient(openSearchConfig(url));
    const versions = (await new ModelVersionStore(client, DEFAULT_BACKOFF).list().finally(() => client.close())).filter((v) => v.version.startsWith(`${runId}-`));

    expect(versions.map((v) => v.version)).toEqual([`${runId}-20260105T000000Z`, `${runId}-20260106T000000Z`, `${runId}-20260107T000000Z`]);
    expect(versions.map((v) => [v.window_start, v.window_end])).toEqual([
      ['2026-01-05T00:00:00.000Z', '2026-01-06T00:00:00.000Z'], ['2026-01-06T00:00:00.000Z', '2026-01-07T00:00:00.000Z'], ['2026-01-07T00:00:00.000Z', '2026-01-08T00:00:00.000Z'],
    ]);
    expect(versions.map((v) => v.previous_version)).toEqual([undefined, versions[0]!.version, versions[1]!.version]);
    // 30 users x 12 logons a day: each trains on its day, remembers every day so far, scores the next (the last: none yet)
    expect(versions.map((v) => v.event_counts)).toEqual([
      { train: 360, memory: 360, scored: 360, positives: null }, { train: 360, memory: 720, scored: 360, positives: null }, { train: 360, memory: 1080, scored: 0, positives: null },
    ]);
    for (const [i, v] of versions.entries()) {
      const text = readFileSync(join(v.path, 'bundle.json'), 'utf8');
      const bundle = JSON.parse(text) as { version: string; training: { best_val_loss: number } };
      expect(bundle.version).toBe(v.version);
      expect(v.sha256).toBe(createHash('sha256').update(text).digest('hex'));
      expect(v.metrics.held_out_loss).toBe(bundle.training.best_val_loss);
      expect(v.metrics.held_out_loss).toBeGreaterThan(0);
      expect(v.metrics.train_seconds).toBeGreaterThan(0);
      expect([v.metrics.auc, v.metrics.ap]).toEqual([null, null]); // no labels given
      expect(v.path).toBe(reports[i]!.version!.path);
    }

    const cli = runCli(['models', '--list', '--opensearch-url', url as string]);
    expect(cli.status).toBe(0);
    for (const v of versions) expect(cli.stdout).toContain(v.version);
    expect(cli.stdout.split('\n')[0]).toMatch(/^version\s+window \(UTC\)\s+train\s+memory\s+scored\s+held-out loss/);
  });
});
