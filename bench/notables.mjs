#!/usr/bin/env node
// Notables per day on the simulated enterprise, with the threshold alone and with the daily alert budget: the demo's
// enterprise (`seqsentry demo`: 9 days, seed 7, the last 2 the test days), the default kind trained on the first 7
// days as `seqsentry train` trains it, the test days scored in time order from a fresh scorer (as a sidecar started
// at the first test event), then for R = 0.001 / 0.003 / 0.01 / 0.02 / 0.05 per test day: events flagged, red-team
// events among them, distinct users and hosts (source or destination) flagged and the red-team ones among them.
// The budget is replayed per R on the scores (bench/lib/budget-replay.mjs); at the bundle's own rate the scorer's
// own flags are compared with the replay. One seed, one run.
// Usage: node bench/notables.mjs [--days 9] [--seed 7] [--kind transformer-mlm]. Needs the compiled code (npm run build) and .venv.
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { dist, quiet, root } from './lib/ecs-bench.mjs';
import { flagsAt, formatNotables, formatWarmUp, notablesTable } from './lib/budget-replay.mjs';

const { simulate } = await import(new URL('sim/simulate.js', dist));
const { train } = await import(new URL('commands/train.js', dist));
const { Scorer, budgetRate } = await import(new URL('scorer/scorer.js', dist));
const { createAdapter } = await import(new URL('adapters/registry.js', dist));
const { readEvents } = await import(new URL('adapters/read.js', dist));
const { labelKey, eventLabelKey } = await import(new URL('eval/labels.js', dist));

const { values } = parseArgs({ options: { days: { type: 'string', default: '9' }, seed: { type: 'string', default: '7' }, kind: { type: 'string', default: 'transformer-mlm' } } });
const days = Number(values.days);
const seed = Number(values.seed);
const work = await mkdtemp(join(tmpdir(), 'seqsentry-notables-'));
try {
  const data = join(work, 'data');
  await quiet(() => simulate({ days, seed, outDir: data }));
  const modelDir = join(work, 'model');
  const t0 = performance.now();
  // `seqsentry train`'s defaults (min count 2, hour token, the kind's fusion)
  await quiet(() => train({ format: 'lanl', inputs: [join(data, 'train.csv')], modelDir, kind: values.kind, seed, minCount: 2, hourToken: true, strict: false }));
  const trainSeconds = (performance.now() - t0) / 1000;

  const adapter = createAdapter('lanl');
  const redTeam = new Set((await readFile(join(data, 'campaigns.tsv'), 'utf8')).trim().split('\n').slice(1).map((line) => {
    const [time, user, src, dst] = line.split('\t');
    return labelKey(Number(time), [user, src, dst]);
  }));
  const test = [];
  for await (const item of readEvents([join(data, 'test.csv')], adapter)) if (item.event) test.push(item.event);
  test.sort((a, b) => a.time - b.time);

  const scorer = await Scorer.load(modelDir, { maxBatch: 1024 });
  const rows = [];
  try {
    for (let i = 0; i < test.length; i += 1024) {
      const chunk = test.slice(i, i + 1024);
      const results = await scorer.score(chunk);
      chunk.forEach((e, k) => {
        const r = results[k];
        rows.push({ time: e.time, score: r.anomaly_score, rarity: scorer.calibrator.rarity(r.raw), flagged: r.is_anomaly, user: e.entities.user, hosts: [e.entities.src_host, e.entities.dst_host],
          red: redTeam.has(eventLabelKey({ entities: adapter.labelEntities }, e.time, e.entities)) });
      });
    }
  } finally {
    await scorer.close();
  }
  // Within a chunk the scorer judges events in canonical order (time, then the event's tie-break): the replay follows
  // the time order of the input, so events of one second may reach the budget in another order.
  const rate = budgetRate(scorer.bundle);
  const own = flagsAt(rows, rate).budgeted;
  const disagree = own.filter((f, i) => f !== rows[i].flagged).length;
  const table = notablesTable(rows, { dayOf: (r) => `day ${Math.floor(r.time / 86_400)}`, classOf: (r) => (r.red ? 'red-team' : 'normal'), classes: ['red-team'], sets: { users: (r) => [r.user], hosts: (r) => r.hosts } });
  process.stdout.write(`${values.kind} (threshold ${scorer.bundle.threshold}, bundle rate ${rate}), trained in ${trainSeconds.toFixed(0)} s on ${days - 2} days; ${rows.length} test events, ${rows.filter((r) => r.red).length} red-team`);
  process.stdout.write(formatNotables(`notables per test day (the scorer's own flags at R = ${rate} differ from the replay on ${disagree} of ${rows.length} events)`, table));
  process.stdout.write(formatWarmUp(rows));
  process.stdout.write(`load average (1, 5, 15 min) at the end: ${loadavg().map((l) => l.toFixed(2)).join(', ')}\n`);
  const results = join(root, 'bench', 'results');
  await mkdir(results, { recursive: true });
  await writeFile(join(results, 'notables.json'), JSON.stringify({ kind: values.kind, days, seed, rate, disagree, table }, null, 2));
} finally {
  await rm(work, { recursive: true, force: true });
}
