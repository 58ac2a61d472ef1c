// `train --from-index` trains on the events stored in OpenSearch, oldest first, within --since, and leaves out the
// events an analyst's query marks as attacks: the model's memory never counts them as normal.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { train } from '../src/commands/train.js';
import { createOpenSearchClient } from '../src/opensearch/client.js';
import { OpenSearchConfigSchema } from '../src/opensearch/config.js';
import { exportIndex } from '../src/train/from-index.js';
import { ecsDocs, FIXTURE_START_MS, outOfHabitLogon } from './support/ecs-fixture.js';
import { loadIndex, os } from './support/enrich-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';

const INDEX = `seqsentry-train-from-${process.pid}`;
const DAY = 86_400_000;

describe('train --from-index', () => {
  let url = '';
  let dir = '';
  const normal = ecsDocs({ seed: 21, users: 12, days: 6, startMs: FIXTURE_START_MS }); // 12 × 12 × 6 = 864
  // Attacks inside the window, marked by an analyst; one old event before --since.
  const attacks = [0, 3, 5].map((u, k) => ({ ...outOfHabitLogon(u, FIXTURE_START_MS + (2 + k) * DAY), tags: ['malicious'] }));
  const old = { ...normal[0]!, '@timestamp': new Date(FIXTURE_START_MS - 60 * DAY).toISOString(), source: { ip: '10.9.9.9' }, host: { name: 'old-host' } };

  beforeAll(async () => {
    url = inject('opensearchUrl');
    if (!url) return;
    dir = mkdtempSync(join(tmpdir(), 'seqsentry-from-index-'));
    await loadIndex(url, INDEX, [...normal, ...attacks, old]);
  }, 120_000);

  afterAll(async () => {
    if (!url) return;
    await os(url, 'DELETE', `/${INDEX}`);
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach((ctx) => {
    url = requireOpenSearch(ctx);
  });

  it('reads the window oldest first and keeps the marked attacks out of the model and its memory', async () => {
    const modelDir = join(dir, 'model');
    await train({
      format: 'ecs', inputs: [], modelDir, kind: 'transformer-mlm', epochs: 1, seed: 1, minCount: 1, hourToken: true, strict: true, context: 4,
      fromIndex: { pattern: INDEX, since: new Date(FIXTURE_START_MS - DAY).toISOString(), excludeQuery: 'tags:malicious', pageSize: 200, opensearch: OpenSearchConfigSchema.parse({ url }) },
    });
    const bundle = JSON.parse(readFileSync(join(modelDir, 'bundle.json'), 'utf8'));
    const memory = JSON.parse(readFileSync(join(modelDir, 'memory.json'), 'utf8'));
    // every normal event in the window, the attacks and the old one left out
    expect(memory.events).toBe(normal.length);
    expect(bundle.metrics.fusion.memory_events).toBe(normal.length);
    const keys = memory.pair_counts.flat().map(([k]: [string, number]) => k).join('\n');
    expect(keys).not.toContain('kiosk-77');
    expect(keys).not.toContain('old-host');
  }, 600_000);

  it('copies the window oldest first across pages, each document with its index and id', async () => {
    const file = join(dir, 'export.ndjson');
    const client = createOpenSearchClient(OpenSearchConfigSchema.parse({ url }));
    try {
      const n = await exportIndex(client, { pattern: INDEX, since: new Date(FIXTURE_START_MS - DAY).toISOString(), excludeQuery: 'tags:malicious', pageSize: 200 }, file);
      expect(n).toBe(normal.length);
    } finally {
      await client.close();
    }
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(normal.length);
    const times = lines.map((l) => Date.parse(l.s['@timestamp']));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(lines.map((l) => l.d)).size).toBe(normal.length);
    expect(lines.every((l) => l.i === INDEX)).toBe(true);
  });

  it('trains on the marked events too when no query leaves them out, and refuses a bad --since', async () => {
    const modelDir = join(dir, 'all');
    await train({
      format: 'ecs', inputs: [], modelDir, kind: 'transformer-mlm', epochs: 1, seed: 1, minCount: 1, hourToken: true, strict: true, context: 4, fusion: true,
      fromIndex: { pattern: INDEX, since: new Date(FIXTURE_START_MS - DAY).toISOString(), opensearch: OpenSearchConfigSchema.parse({ url }) },
    });
    const memory = JSON.parse(readFileSync(join(modelDir, 'memory.json'), 'utf8'));
    expect(memory.events).toBe(normal.length + attacks.length);
    await expect(train({
      format: 'ecs', inputs: [], modelDir: join(dir, 'bad'), kind: 'transformer-mlm', seed: 1, minCount: 1, hourToken: true, strict: true,
      fromIndex: { pattern: INDEX, since: 'last tuesday', opensearch: OpenSearchConfigSchema.parse({ url }) },
    })).rejects.toThrow(/--since "last tuesday"/);
  }, 600_000);
});
