// Entity notables without anyone running `seqsentry aggregate`: the schedule that `serve` (aggregate.index) and
// `enrich --follow` (--aggregate-every) run makes the bad user notable from recent scored events, picks up a late
// event on its next pass, and stops with its process.
import { spawn } from 'node:child_process';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { ENTITIES_INDEX } from '../src/aggregate/aggregate-options.js';
import { DEFAULT_NOTABLE_SETTINGS } from '../src/aggregate/run.js';
import { startAggregateSchedule } from '../src/aggregate/schedule.js';
import { DEFAULT_BACKOFF } from '../src/enrich/retry.js';
import { createOpenSearchClient } from '../src/opensearch/client.js';
import { OpenSearchConfigSchema } from '../src/opensearch/config.js';
import { scoredLogon } from './support/notables-fixture.js';
import { loadIndex, os } from './support/enrich-fixture.js';
import { CLI, hasBuild, REPO_ROOT } from './support/env.js';
import { ecsModel } from './support/model-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';
import { startTestSidecar } from './support/sidecar-fixture.js';

const W = 15 * 60_000;
/** Six windows ending before now, so every pass with a 3-hour lookback reads them all. */
const START = Math.floor((Date.now() - 2 * 3_600_000) / W) * W;
const LOOKBACK_MS = 3 * 3_600_000;
const RUN = `${process.pid}`;


/** Three ordinary users in six windows, and `bad` anomalous in windows 1 and 2 (notable from window 2). */
function seeded(bad: string): Record<string, unknown>[] {
  const docs: Record<string, unknown>[] = [];
  for (let w = 0; w < 6; w++) for (const [k, user] of [`a-${RUN}`, `b-${RUN}`, `c-${RUN}`].entries()) docs.push(scoredLogon(START + w * W + 60_000 * (k + 1), user, 'srv-1', 0.2));
  docs.push(scoredLogon(START + W + 300_000, bad, 'srv-x', 0.999), scoredLogon(START + 2 * W + 300_000, bad, 'srv-y', 0.998));
  return docs;
}

/** The user notables of `user`, by window start. */
async function userWindows(url: string, user: string): Promise<Map<number, { notable: boolean; events: number }>> {
  await os(url, 'POST', `/${ENTITIES_INDEX}/_refresh`);
  const res = await os(url, 'POST', `/${ENTITIES_INDEX}/_search`, { size: 100, query: { bool: { filter: [{ term: { 'entity.kind': 'user' } }, { term: { 'entity.value': user } }] } } });
  const hits = (res.json?.hits?.hits ?? []) as { _source: { window: { start: string | number }; notable: boolean; events: number } }[];
  return new Map(hits.map((h) => [new Date(h._source.window.start).getTime(), { notable: h._source.notable, events: h._source.events }]));
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('entity notables kept current on a schedule', () => {
  let url = '';
  const indices: string[] = [];
  const seed = async (name: string, bad: string) => {
    const index = `seqsentry-sched-${name}-${RUN}`;
    indices.push(index);
    await loadIndex(url, index, seeded(bad));
    return index;
  };

  beforeEach((ctx) => {
    url = requireOpenSearch(ctx);
  });

  afterAll(async () => {
    if (!url) return;
    for (const index of indices) await os(url, 'DELETE', `/${index}`);
    await os(url, 'POST', `/${ENTITIES_INDEX}/_refresh`);
    // This test's windows are the recent ones; the other notables tests use fixed days in January 2026.
    const found = await os(url, 'POST', `/${ENTITIES_INDEX}/_search`, { size: 1000, _source: false, query: { range: { 'window.start': { gte: START, lt: START + 7 * W, format: 'epoch_millis' } } } });
    const ids = ((found.json?.hits?.hits ?? []) as { _id: string }[]).map((h) => h._id);
    if (ids.length) await os(url, 'POST', '/_bulk?refresh=true', ids.map((id) => JSON.stringify({ delete: { _index: ENTITIES_INDEX, _id: id } })).join('\n') + '\n');
  });

  it('marks the bad user notable, rewrites a late event\'s window on the next pass, and runs no pass after stop', async () => {
    const bad = `mallory-lib-${RUN}`;
    const index = await seed('lib', bad);
    const client = createOpenSearchClient(OpenSearchConfigSchema.parse({ url }));
    const schedule = startAggregateSchedule(client, { pattern: index, adapter: createAdapter('ecs'), ...DEFAULT_NOTABLE_SETTINGS, backoff: DEFAULT_BACKOFF, everyMs: 300, lookbackMs: LOOKBACK_MS });
    try {
      const windows = await until('the notable window', async () => {
        const w = await userWindows(url, bad);
        return w.get(START + 2 * W)?.notable ? w : undefined;
      });
      expect(windows.get(START + W)?.notable).toBe(false); // one anomalous window is not yet notable
      expect(schedule.lastError).toBeUndefined();

      // A late anomalous logon of the bad user in window 4: its window appears on a later pass.
      await os(url, 'POST', `/${index}/_doc?refresh=true`, scoredLogon(START + 4 * W + 120_000, bad, 'srv-z', 0.997));
      const late = await until('the late window', async () => (await userWindows(url, bad)).get(START + 4 * W));
      expect(late.notable).toBe(true); // anomalous again within the 2-hour stretch
    } finally {
      await schedule.stop();
      await client.close();
    }
    const passes = schedule.passes;
    expect(passes).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 1000));
    expect(schedule.passes).toBe(passes);
  });

  it('runs in serve when aggregate.index is set, and stops with it', async () => {
    const bad = `mallory-serve-${RUN}`;
    const index = await seed('serve', bad);
    const sidecar = await startTestSidecar({ 'opensearch.url': url, 'aggregate.index': index, 'aggregate.every_ms': 1000, 'aggregate.lookback_ms': LOOKBACK_MS });
    try {
      const windows = await until('serve\'s notables', async () => {
        const w = await userWindows(url, bad);
        return w.get(START + 2 * W)?.notable ? w : undefined;
      });
      expect(windows.size).toBe(2);
    } finally {
      await sidecar.shutdown();
    }
  });

  it.runIf(hasBuild())('runs in enrich --follow (--aggregate-every), and stops with it', async () => {
    const bad = `mallory-enrich-${RUN}`;
    const index = await seed('enrich', bad);
    const modelDir = await ecsModel();
    const child = spawn(process.execPath, [CLI, 'enrich', '--index', index, '--model-dir', modelDir, '--since', '3h', '--follow', '--poll-interval', '1', '--aggregate-every', '1s', '--aggregate-lookback', '3h'], { cwd: REPO_ROOT, env: { ...process.env, OPENSEARCH_URL: url } });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      await until('enrich\'s notables', async () => ((await userWindows(url, bad)).get(START + 2 * W)?.notable ? true : undefined), 120_000);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).toContain('entity notables updated');
  }, 180_000);
});
