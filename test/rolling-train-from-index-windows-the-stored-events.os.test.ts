// `train --rolling --from-index`: the events stored in OpenSearch, read once oldest first, cut into the same UTC
// days as the files would be, one version per day, the second warm-started from the first.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { OpenSearchConfigSchema } from '../src/opensearch/config.js';
import { runRolling } from '../src/rolling/run.js';
import { ecsDocs, FIXTURE_START_MS } from './support/ecs-fixture.js';
import { loadIndex, os } from './support/enrich-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';
import { DAY_SECONDS } from './support/rolling-fixture.js';

const INDEX = `seqsentry-test-rolling-index-${process.pid}`;
const url = inject('opensearchUrl');
const dir = mkdtempSync(join(tmpdir(), 'seqsentry-rolling-index-'));

beforeAll(async () => {
  if (!url) return;
  await loadIndex(url, INDEX, ecsDocs({ days: 2 })); // 30 users x 12 logons x 2 days
}, 120_000);
afterAll(async () => {
  if (url) await os(url, 'DELETE', `/${INDEX}`);
  rmSync(dir, { recursive: true, force: true });
});
beforeEach((ctx) => void requireOpenSearch(ctx));

describe('rolling retraining from an index', () => {
  it('trains one warm-started version per stored day', { timeout: 900_000 }, async () => {
    const reports = await runRolling(
      {
        format: 'ecs', inputs: [], modelDir: join(dir, 'models'), kind: 'transformer-mlm', epochs: 1, seed: 1, context: 4, minCount: 1, hourToken: true, strict: true,
        fromIndex: { pattern: INDEX, since: new Date(FIXTURE_START_MS - 86_400_000).toISOString(), pageSize: 200, opensearch: OpenSearchConfigSchema.parse({ url }) },
      },
      { window: DAY_SECONDS, runId: 'index' },
    );
    expect(reports.map((r) => [r.window.start, r.window.events])).toEqual([['2026-01-05T00:00:00.000Z', 360], ['2026-01-06T00:00:00.000Z', 360]]);
    expect(reports.map((r) => r.version?.event_counts.memory)).toEqual([360, 720]);
    expect(reports[0]!.next?.events).toBe(360);
    const second = JSON.parse(readFileSync(join(reports[1]!.version!.path, 'bundle.json'), 'utf8')) as { version: string; training: { warm_start: boolean } };
    expect(second).toMatchObject({ version: 'index-20260106T000000Z', training: { warm_start: true } });
  });
});
