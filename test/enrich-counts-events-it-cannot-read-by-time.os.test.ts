// enrich reads events by its time field (a range and a sort), so an event without it (dated only by event.created)
// or in an index mapping it as keyword is never read. Before, they stayed unscored with no word of them, and one such
// index in the pattern failed the whole walk (its sort on the time field fails on that index's shards); now the walk
// leaves such indices out and the run counts what it cannot read (`unseen` in its statistics and summary) and logs
// why. Against a real node.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatSummary } from '../src/commands/enrich.js';
import { createOpenSearchClient } from '../src/opensearch/client.js';
import { OpenSearchConfigSchema } from '../src/opensearch/config.js';
import { exportIndex } from '../src/train/from-index.js';
import { ecsLogon, FIXTURE_START_MS } from './support/ecs-fixture.js';
import { dropCheckpoints, loadIndex, os, runEnrich } from './support/enrich-fixture.js';
import { ecsModel } from './support/model-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';

const BASE = `seqsentry-enrich-unseen-${process.pid}`;
const DATED = `${BASE}-dated`;
const KEYWORD = `${BASE}-keyword`;
const JOB = `test-unseen-${process.pid}`;
const T0 = FIXTURE_START_MS + 3 * 86_400_000;

const logon = (k: number) => ecsLogon({ timeMs: T0 + k * 60_000, user: `u${k % 3}`, srcHost: `ws${k % 3}`, srcIp: '10.0.0.1', dstHost: 'srv-1' }) as Record<string, any>;

describe('enrich counts the events it cannot read by time', () => {
  let url = '';
  let modelDir = '';

  beforeAll(async () => {
    url = inject('opensearchUrl');
    if (!url) return;
    modelDir = await ecsModel();
    // 10 dated events; 3 dated only by event.created.
    const dated = Array.from({ length: 13 }, (_, k) => {
      const d = logon(k);
      if (k >= 10) {
        d.event.created = d['@timestamp'];
        delete d['@timestamp'];
      }
      return d;
    });
    await loadIndex(url, DATED, dated);
    // 4 events in an index that maps @timestamp as keyword.
    await os(url, 'DELETE', `/${KEYWORD}`);
    expect((await os(url, 'PUT', `/${KEYWORD}`, { mappings: { properties: { '@timestamp': { type: 'keyword' } } } })).status).toBe(200);
    const lines = Array.from({ length: 4 }, (_, k) => [JSON.stringify({ index: { _index: KEYWORD, _id: `k${k}` } }), JSON.stringify(logon(20 + k))]).flat();
    expect((await os(url, 'POST', '/_bulk?refresh=true', lines.join('\n') + '\n')).json.errors).toBe(false);
    await dropCheckpoints(url, JOB);
  }, 600_000);

  afterAll(async () => {
    if (!url) return;
    await os(url, 'DELETE', `/${DATED}`);
    await os(url, 'DELETE', `/${KEYWORD}`);
    await dropCheckpoints(url, JOB);
  });

  beforeEach((ctx) => {
    url = requireOpenSearch(ctx);
  });

  it('scores what it can read and counts the rest in its summary', async () => {
    const stats = await runEnrich(url, modelDir, { pattern: `${BASE}-*`, job: JOB, pageSize: 100, batchSize: 64 });
    expect(stats.scored).toBe(10);
    expect(stats.unseen).toBe(3 + 4);
    expect(formatSummary(stats, 1)).toContain('7 unscored events it cannot read by time left unscored');
    // A second run finds the same 7, nothing more to score.
    const again = await runEnrich(url, modelDir, { pattern: `${BASE}-*`, job: JOB, pageSize: 100, batchSize: 64 });
    expect(again).toMatchObject({ scored: 0, unseen: 7 });
  });

  it('train --from-index exports what it can read by time, and says what it leaves out', async () => {
    const client = createOpenSearchClient(OpenSearchConfigSchema.parse({ url }));
    const notes: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (notes.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      const n = await exportIndex(client, { pattern: `${BASE}-*`, since: '2026-01-01T00:00:00Z' }, join(tmpdir(), `seqsentry-export-${process.pid}.ndjson`));
      expect(n).toBe(10);
    } finally {
      process.stderr.write = write;
      await client.close();
    }
    expect(notes.join('')).toContain(`3 events of ${BASE}-* have no @timestamp`);
    expect(notes.join('')).toContain(`4 events of ${BASE}-* are in indices mapping @timestamp as another type than a date (${KEYWORD}: keyword)`);
  });

  it('reads nothing, without failing, from one index that maps the time as keyword', async () => {
    const stats = await runEnrich(url, modelDir, { pattern: KEYWORD, job: `${JOB}-k`, pageSize: 100, batchSize: 64 });
    expect(stats).toMatchObject({ scored: 0, failed: 0, unseen: 4 });
    await dropCheckpoints(url, `${JOB}-k`);
  });
});
