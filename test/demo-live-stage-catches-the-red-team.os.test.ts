// The demo's live stage on a small simulated enterprise against a real node: install, the test days through the
// sidecar's proxy, aggregate, install again, the filled monitors run over the test days. The notables exist, a monitor
// names a red-team entity, the dashboards file is importable, and the sidecar is gone afterwards, also when the
// stage is aborted (what the demo's SIGINT/SIGTERM do).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { scoreFiles } from '../src/commands/score.js';
import { train } from '../src/commands/train.js';
import { InterruptedError } from '../src/core/errors.js';
import { monitorsFor } from '../src/demo/entity-report.js';
import { DEMO_INDEX, deleteDemoNotables, runLiveStage, type LiveOptions, type LiveResult } from '../src/demo/live-opensearch.js';
import { labelKey, labelledValues, readLabels } from '../src/eval/labels.js';
import { createOpenSearchClient } from '../src/opensearch/client.js';
import { simulate } from '../src/sim/simulate.js';
import { withInstallLock } from './support/ml-sidecar.js';
import { requireOpenSearch } from './support/opensearch.js';
import { os } from './support/os-helpers.js';

const DAYS = 5;

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

describe('the demo\'s live stage', () => {
  let url = '';
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-demo-live-'));
  let options: LiveOptions;
  let result: LiveResult;
  const lines: string[] = [];

  beforeAll(async () => {
    url = requireOpenSearch({ skip: () => {} });
    if (!url) return;
    const data = join(dir, 'data');
    await simulate({ days: DAYS, seed: 3, outDir: data, profile: { users: 120 } });
    const modelDir = join(dir, 'model');
    await train({ format: 'lanl', inputs: [join(data, 'train.csv')], modelDir, kind: 'transformer-mlm', epochs: 2, seed: 3, minCount: 1, hourToken: true, strict: true });
    const offline = join(dir, 'scores.jsonl');
    await scoreFiles({ modelDir, inputs: [join(data, 'test.csv')], output: offline, format: 'lanl', strict: true, batchSize: 256 });
    const labels = await readLabels(join(data, 'redteam.txt'), createAdapter('lanl').labelEntities);
    options = {
      modelDir, testCsv: join(data, 'test.csv'), offlineScores: offline, days: DAYS, outDir: dir,
      isRedTeam: (time, user, src, dst) => labels.keys.has(labelKey(time, [user, src, dst]) ?? ''),
      redTeam: { users: labelledValues(labels, 'user'), hosts: new Set([...labelledValues(labels, 'src_host'), ...labelledValues(labels, 'dst_host')]) },
      opensearchUrl: url, overInstall: true, keepOpenSearch: true,
      say: (line) => lines.push(line),
    };
    result = await withInstallLock(() => runLiveStage(options));
  }, 900_000);
  afterAll(async () => {
    if (url) {
      await os(url, 'DELETE', `/${DEMO_INDEX}?ignore_unavailable=true`);
      const client = createOpenSearchClient({ url, tls: { reject_unauthorized: true }, request_timeout_ms: 60_000 });
      await deleteDemoNotables(client);
      await client.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach((ctx) => {
    url = requireOpenSearch(ctx);
  });

  it('writes entity notables for the test days', async () => {
    expect(result.aggregate.notable).toBeGreaterThan(0);
    const res = await os(url, 'POST', '/seqsentry-entities/_count', { query: { bool: { filter: [{ term: { notable: true } }, { term: { 'top_events.index': DEMO_INDEX } }] } } });
    expect(res.json.count).toBe(result.aggregate.notable);
    expect(lines.some((l) => l.trimStart().startsWith('top users by risk'))).toBe(true);
  });

  it('runs every filled monitor, and one of them names a red-team user or host', () => {
    expect(result.monitors.map((m) => m.name).sort()).toEqual(['seqsentry-hosts-at-risk', 'seqsentry-users-at-risk', 'seqsentry-very-high-score']);
    for (const m of result.monitors) if (m.type === 'bucket') expect(m.runs).toBeGreaterThan(2 * 24 * 4 - 1);
    const alerted = [
      ...[...options.redTeam.users].filter((u) => monitorsFor(result.monitors, 'user', u).length > 0),
      ...[...options.redTeam.hosts].filter((h) => monitorsFor(result.monitors, 'host', h).length > 0),
    ];
    expect(alerted.length).toBeGreaterThan(0);
    expect(result.caught.user.length + result.caught.host.length).toBeGreaterThanOrEqual(alerted.length);
    expect(lines.some((l) => /^ {2}red-team users: \d+ of \d+ caught$/.test(l))).toBe(true);
  });

  it('writes the dashboards\' saved objects for import, placeholders filled, and prints the import command', () => {
    expect(result.dashboardsFile).toBe(join(dir, 'seqsentry-dashboards.ndjson'));
    const text = readFileSync(result.dashboardsFile!, 'utf8');
    expect(text).not.toContain('{{seqsentry:');
    const patterns = text.trim().split('\n').map((l) => JSON.parse(l)).filter((o) => o.type === 'index-pattern').map((o) => o.attributes.title);
    expect(patterns.sort()).toEqual([DEMO_INDEX, 'seqsentry-entities']);
    expect(lines).toContain(`  curl -X POST 'http://localhost:5601/api/saved_objects/_import?overwrite=true' -H 'osd-xsrf: true' -F 'file=@${result.dashboardsFile}'`);
    expect(existsSync(join(dir, 'seqsentry-monitors.json'))).toBe(true);
  });

  it('shuts the sidecar down when it ends', async () => {
    expect(result.sidecarUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await answers(result.sidecarUrl)).toBe(false);
  });

  it('stops when aborted and shuts the sidecar down', async () => {
    const ac = new AbortController();
    let sidecarUrl = '';
    const said: string[] = [];
    const run = withInstallLock(() => runLiveStage({
      ...options,
      signal: ac.signal,
      say: (line) => {
        said.push(line);
        const m = /through the sidecar's _bulk proxy \((http:\/\/[^)]+)\)/.exec(line);
        if (m) {
          sidecarUrl = m[1]!;
          ac.abort(new InterruptedError('SIGINT'));
        }
      },
    }));
    await expect(run).rejects.toBeInstanceOf(InterruptedError);
    expect(sidecarUrl).not.toBe('');
    expect(await answers(sidecarUrl)).toBe(false);
    expect(said.some((l) => l.startsWith('seqsentry aggregate'))).toBe(false);
  }, 300_000);
});
