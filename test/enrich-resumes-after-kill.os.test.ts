// A `seqsentry enrich` killed with SIGKILL mid-run resumes from its checkpoint when restarted: every event ends up
// scored exactly once (_version 2: indexed, then one partial update) with the scores an uninterrupted run gives,
// for ECS documents (history refilled by user.name) and for LANL lines in `message` (refilled by the anomaly.entity
// and anomaly.time that SeqSentry writes with each score).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { Scorer } from '../src/scorer/scorer.js';
import { runCli, type CliResult } from './support/cli.js';
import { ecsDocs, FIXTURE_START_MS } from './support/ecs-fixture.js';
import { allDocs, dropCheckpoints, loadIndex, os } from './support/enrich-fixture.js';
import { CLI, hasBuild, hasPython, hasSharedData, REPO_ROOT, shared } from './support/env.js';
import { ecsModel, lanlModel } from './support/model-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';

const DAY = 86_400_000;

/** 5,000 real LANL logons as a shipper stores them: the line in `message`, @timestamp from its time. */
function lanlDocs(): Array<Record<string, unknown>> {
  const lines = readFileSync(shared('lanl', 'safekit-heads', 'day1_head_decoded.csv'), 'utf8').trim().split('\n').slice(1);
  return lines.map((message) => ({ '@timestamp': new Date(Date.UTC(2026, 2, 1) + Number(message.split(',')[0]) * 1000).toISOString(), message }));
}

const CASES = [
  { format: 'ecs', docs: () => ecsDocs({ seed: 321, days: 14, startMs: FIXTURE_START_MS + 30 * DAY }), model: () => ecsModel(), ready: hasBuild() }, // 5040 events
  { format: 'lanl', docs: lanlDocs, model: lanlModel, ready: hasBuild() && hasSharedData() && hasPython() },
] as const;

for (const c of CASES) {
const INDEX = `seqsentry-enrich-kill-${c.format}-${process.pid}`;
const JOB = `test-kill-${c.format}-${process.pid}`;
const docs = c.ready ? c.docs() : [];

function args(modelDir: string): string[] {
  // Small pages: many bulks and checkpoints, so the kill lands mid-run.
  return ['enrich', '--index', INDEX, '--model-dir', modelDir, '--since', '2026-01-01T00:00:00Z', '--job', JOB, '--page-size', '100', '--batch-size', '100', '--explain-above', '0'];
}

/** Starts enrich as a child process and SIGKILLs it as soon as its first checkpoint with progress is stored. */
async function killAfterFirstCheckpoint(url: string, modelDir: string): Promise<{ signal: NodeJS.Signals | null; checkpoint: any }> {
  const child = spawn(process.execPath, [CLI, ...args(modelDir)], { cwd: REPO_ROOT, env: { ...process.env, OPENSEARCH_URL: url }, stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
  let checkpoint: any = null;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const res = await os(url, 'GET', `/.seqsentry-state/_doc/checkpoint:${JOB}:0`);
    if (res.json?.found && res.json._source.scored > 0) {
      child.kill('SIGKILL');
      checkpoint = res.json._source;
      break;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  return { signal: await exited, checkpoint };
}

describe.runIf(c.ready)(`enrich resumes after kill (${c.format})`, () => {
  let url = '';
  let modelDir = '';
  let killed: Awaited<ReturnType<typeof killAfterFirstCheckpoint>>;
  let scoredAtKill = 0;
  let restart: CliResult;

  beforeAll(async () => {
    url = inject('opensearchUrl');
    if (!url) return;
    modelDir = await c.model();
    await loadIndex(url, INDEX, docs);
    await dropCheckpoints(url, JOB);
    killed = await killAfterFirstCheckpoint(url, modelDir);
    await os(url, 'POST', `/${INDEX}/_refresh`);
    scoredAtKill = (await os(url, 'POST', `/${INDEX}/_count`, { query: { exists: { field: 'anomaly_score' } } })).json.count;
    restart = runCli(args(modelDir), { OPENSEARCH_URL: url });
  }, 600_000);

  afterAll(async () => {
    if (!url) return;
    await os(url, 'DELETE', `/${INDEX}`);
    await dropCheckpoints(url, JOB);
  });

  beforeEach((ctx) => {
    url = requireOpenSearch(ctx);
  });

  it('was killed mid-run, after a checkpoint and before the end', () => {
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.checkpoint).toMatchObject({ status: 'running', job: JOB, slice_id: 0 });
    expect(scoredAtKill).toBeGreaterThan(0);
    expect(scoredAtKill).toBeLessThan(docs.length);
  });

  it('restarts from the checkpoint and finishes', async () => {
    expect(restart.status, restart.stderr).toBe(0);
    expect(restart.stderr).toContain('resuming from checkpoint');
    const cp = await os(url, 'GET', `/.seqsentry-state/_doc/checkpoint:${JOB}:0`);
    expect(cp.json._source.status).toBe('done');
    // Those the killed run scored past its checkpoint count too: every event once.
    expect(cp.json._source.scored).toBe(docs.length);
    expect(restart.stdout).toMatch(/^enriched \d+ events, 0 errors/m);
  });

  it('scored every event exactly once', async () => {
    const stored = await allDocs(url, INDEX);
    expect(stored.size).toBe(docs.length);
    for (const [id, doc] of stored) {
      expect(doc.version, id).toBe(2);
      expect(doc.source.anomaly.scored_at, id).toBeTypeOf('string');
      expect(doc.source.anomaly_score, id).toBeTypeOf('number');
    }
  });

  it('gives the scores an uninterrupted run gives: the restart refills history from the index', async () => {
    const scorer = await Scorer.load(modelDir, { maxBatch: 256 });
    try {
      const adapter = createAdapter(c.format);
      const events = docs.map((d, i) => adapter.parse(d, { file: 'inline', line: i + 1 })!);
      const inline = await scorer.score(events, events.map(() => INDEX));
      const stored = await allDocs(url, INDEX);
      // To 5e-4: onnxruntime's float32 sums differ in the last bits with the batch an event lands in (the kill moves
      // the batch boundaries), and the sequence tail's slope can magnify that to ~1e-4; a lost history moves raw by nats.
      inline.forEach((r, i) => expect(stored.get(`d${i}`)!.source.anomaly.raw, `d${i}`).toBeCloseTo(r.raw, 3));
    } finally {
      await scorer.close();
    }
  });
});
}
