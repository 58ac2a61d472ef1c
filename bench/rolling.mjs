#!/usr/bin/env node
// Rolling retraining benchmark (issue 12 item 6): a small simulated enterprise cut into one-day windows. Per window
// w that has a next window, prints the AUC and AP on window w+1 of (a) the rolling model (weights of w-1 carried
// forward, trained on window w alone, memory and fusion refitted on days 0..w), (b) a model trained from scratch on
// every day 0..w, (c) the rarity baseline counted over days 0..w, and each model's training time. Floor: the
// rolling AUC within 0.002 of the from-scratch AUC on every labelled window.
// Usage: node bench/rolling.mjs [--days 6] [--train-days 2] [--scale 0.3] [--seed 1] [--epochs 2] [--kind transformer-mlm]
//          [--out bench/results]
// Reads the compiled code in dist/ (npm run build). Labels are read only to compute the metrics, after scoring.
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { quiet } from './lib/ecs-bench.mjs';

const dist = new URL('../dist/', import.meta.url);
const { simulate } = await import(new URL('sim/simulate.js', dist));
const { createAdapter } = await import(new URL('adapters/registry.js', dist));
const { readEvents, newReadStats } = await import(new URL('adapters/read.js', dist));
const { MODEL_KINDS } = await import(new URL('model/kinds.js', dist));
const { RarityCounts, rarityPairs } = await import(new URL('eval/baseline.js', dist));
const { eventLabelKey, readLabels } = await import(new URL('eval/labels.js', dist));
const { readList, trainRolling } = await import(new URL('rolling/rolling-train.js', dist));
const { scoreWindow, windowMetrics } = await import(new URL('rolling/score-window.js', dist));
const { splitWindows } = await import(new URL('rolling/windows.js', dist));
const { trainSequenceModel } = await import(new URL('train/sequence-train.js', dist));

const { values } = parseArgs({
  options: {
    days: { type: 'string', default: '6' },
    'train-days': { type: 'string', default: '2' },
    scale: { type: 'string', default: '0.3' },
    seed: { type: 'string', default: '1' },
    epochs: { type: 'string', default: '2' },
    kind: { type: 'string', default: 'transformer-mlm' },
    out: { type: 'string', default: 'bench/results' },
  },
});
const DAY = 86_400;
const seed = Number(values.seed);
const epochs = Number(values.epochs);
const kind = MODEL_KINDS[values.kind];
if (!kind?.onnx) throw new Error(`--kind ${values.kind}: not a PyTorch kind`);
const work = join(resolve(values.out), 'rolling-work');
await rm(work, { recursive: true, force: true });
await mkdir(work, { recursive: true });
const sim = join(work, 'sim');
await quiet(() => simulate({ outDir: sim, days: Number(values.days), trainDays: Number(values['train-days']), seed, scale: Number(values.scale), render: 'lanl' }));
const adapter = createAdapter('lanl');
const labels = await readLabels(join(sim, 'redteam.txt'), adapter.labelEntities);
const isAnomaly = (e) => { const k = eventLabelKey(labels, e.time, e.entities); return k !== undefined && labels.keys.has(k); };
const files = [join(sim, 'train.csv'), join(sim, 'test.csv')];
const all = [];
for await (const item of readEvents(files, adapter)) if (item.event) all.push(item.event);
all.sort((a, b) => a.time - b.time);
const common = { kind, adapter, adapterOptions: {}, entityKey: adapter.entityKey, seed, minCount: 2, hourToken: true, fusion: true, epochs };

// (a) rolling
const reports = await quiet(() => trainRolling({ ...common, modelDir: join(work, 'rolling'), read: readList(all), what: 'simulated enterprise', window: DAY, isAnomaly, runId: 'bench' }));

// (b) from scratch on days 0..w and (c) the rarity baseline, scoring the same next window with the same context
const windows = splitWindows(all, DAY);
const rows = [];
for (let w = 0; w + 1 < windows.length; w++) {
  const report = reports[w];
  const next = windows[w + 1];
  if (!report.version || !report.next || next.events.length === 0) continue;
  const before = all.filter((e) => e.time < windows[w].end);
  const dir = join(work, `scratch-w${w}`);
  const scratchWork = join(work, `scratch-w${w}-tmp`);
  await mkdir(scratchWork, { recursive: true });
  const t0 = performance.now();
  await quiet(() => trainSequenceModel({ ...common, modelDir: dir, work: scratchWork, read: readList(before), what: `days 0..${w}` }));
  const scratchSeconds = (performance.now() - t0) / 1000;
  await rm(scratchWork, { recursive: true, force: true });
  const scratch = await scoreWindow(dir, windows[w].events, next.events, isAnomaly);
  const counts = new RarityCounts(rarityPairs(adapter));
  for (const e of before) counts.add(e);
  const baseline = windowMetrics(Float64Array.from(next.events, (e) => counts.score(e)), next.events, isAnomaly);
  rows.push({ w, trained: before.length, window: windows[w].events.length, scored: next.events.length, positives: scratch.positives,
    rolling: report.next, scratch, baseline, rollingSeconds: report.version.metrics.train_seconds, scratchSeconds });
}

const f = (x) => (x === null || x === undefined ? '   -  ' : x.toFixed(4));
process.stdout.write(`rolling retraining, ${values.kind}, ${epochs} epochs, simulated enterprise: ${values.days} days, scale ${values.scale}, seed ${seed}, ${all.length} events\n`);
process.stdout.write('trained on   scores  events  pos  | AUC rolling scratch baseline |  AP rolling scratch baseline | dAUC     | train s rolling scratch\n');
for (const r of rows) {
  const d = r.rolling.auc !== null && r.scratch.auc !== null ? r.rolling.auc - r.scratch.auc : null;
  process.stdout.write(`day ${String(r.w).padEnd(8)} day ${String(r.w + 1).padEnd(3)} ${String(r.scored).padStart(6)} ${String(r.positives).padStart(4)} |     ${f(r.rolling.auc)}  ${f(r.scratch.auc)}  ${f(r.baseline.auc)} |    ${f(r.rolling.ap)}  ${f(r.scratch.ap)}  ${f(r.baseline.ap)} | ${d === null ? '   -    ' : (d >= 0 ? '+' : '') + d.toFixed(4)}  | ${r.rollingSeconds.toFixed(1).padStart(7)} ${r.scratchSeconds.toFixed(1).padStart(7)}\n`);
}
const labelled = rows.filter((r) => r.rolling.auc !== null && r.scratch.auc !== null);
const worst = Math.min(...labelled.map((r) => r.rolling.auc - r.scratch.auc));
process.stdout.write(`labelled windows: ${labelled.length}; worst rolling - scratch AUC ${worst.toFixed(4)}: floor (>= -0.002) ${worst >= -0.002 ? 'met' : 'NOT met'}\n`);
process.stdout.write(`training time, sum over the compared windows: rolling ${labelled.reduce((a, r) => a + r.rollingSeconds, 0).toFixed(1)} s, scratch ${labelled.reduce((a, r) => a + r.scratchSeconds, 0).toFixed(1)} s\n`);
