#!/usr/bin/env node
// Refits the fusion of bench/detection.mjs's trained bundles with a build's code, as `train` fits it (fitFusion on the
// same training file and held-out rule, the same sequence model), then scores the test days and prints AUC, AP and
// TPR at 0.1% FPR beside the rarity rule, per campaign class the share caught and the median rank: a change to the
// memory or the fusion measured on the detection matrix without training again. A refit with unchanged code
// reproduces the bench's scores.
// Usage: node bench/refit-fusion.mjs --runs m04-u150-x-s2-windows,... (run directories under --work, or `all`)
//          [--work bench/results/detection-work] [--model model-fused] [--dist dist (another build's dist/)]
//          [--tag refit] [--dump] [--out FILE.json]
// Each refit writes its bundle to MODEL-TAG beside the trained one (which stays as trained); --dump writes
// components-TAG.json there. Labels are read only to measure, after scoring.
import { createHash } from 'node:crypto';
import { cp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { quiet } from './lib/ecs-bench.mjs';
import { classSummary, componentDump, detectionModules, loadRun, perClass } from './lib/detection-run.mjs';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: 'all' },
    work: { type: 'string', default: 'bench/results/detection-work' },
    model: { type: 'string', default: 'model-fused' },
    dist: { type: 'string', default: new URL('../dist/', import.meta.url).pathname },
    tag: { type: 'string', default: 'refit' },
    dump: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const dist = pathToFileURL(resolve(values.dist) + '/');
const m = await detectionModules(dist);
const { fitFusion } = await import(new URL('train/fit-fusion.js', dist));
const { Scorer } = await import(new URL('scorer/scorer.js', dist));
const work = resolve(values.work);
const runs = values.runs === 'all' ? (await readdir(work)).sort() : values.runs.split(',');

const fmt = (x, d = 4) => (x === null || x === undefined ? '   -  ' : x.toFixed(d));
const all = [];
process.stdout.write(`refit with ${dist.pathname}\nrun                                  scorer            events  pos    AUC     AP   TPR@0.1%\n`);
for (const run of runs) {
  const dir = join(work, run);
  const render = run.slice(run.lastIndexOf('-') + 1);
  const r = await loadRun(m, join(dir, 'sim'), render);
  const trained = join(dir, values.model);
  const modelDir = `${trained}-${values.tag}`;
  await rm(modelDir, { recursive: true, force: true });
  await cp(trained, modelDir, { recursive: true });
  // the trained bundle's own dump is not this refit's
  await rm(join(modelDir, 'components.json'), { force: true });
  const bundle = JSON.parse(await readFile(join(trained, 'bundle.json'), 'utf8'));
  const heldOut = bundle.metrics.fusion.held_out;
  // A cascade's screen shares the fusion (one memory, the same recall rule): refitted with it, then named again by
  // its new manifest's sha256, as train does.
  const screen = bundle.screen;
  await quiet(() => fitFusion(modelDir, r.adapter, bundle.entity_key, () => m.readEvents([r.trainFile], r.adapter), Infinity, heldOut, bundle.fusion.recall ?? 0, screen ? { also: [join(modelDir, screen.dir)] } : {}));
  if (screen) {
    const path = join(modelDir, 'bundle.json');
    const refitted = JSON.parse(await readFile(path, 'utf8'));
    refitted.screen = { ...screen, bundle_sha256: createHash('sha256').update(await readFile(join(modelDir, screen.dir, 'bundle.json'))).digest('hex') };
    await writeFile(`${path}.tmp`, JSON.stringify(refitted, null, 1) + '\n');
    await rename(`${path}.tmp`, path);
  }
  const scorer = await Scorer.load(modelDir);
  const results = await scorer.score(r.test);
  await scorer.close();
  const raw = Float64Array.from(results, (x) => x.raw);
  if (values.dump) await writeFile(join(modelDir, 'components.json'), JSON.stringify(componentDump(results, raw, r.baseline, r.labels, r.classes)));
  for (const [scorer, score] of [[values.tag, raw], ['rarity-baseline', r.baseline]]) {
    const row = { run, scorer, ...m.evaluateRanking(score, score, r.labels).metrics, classes: perClass(score, r.labels, r.classes) };
    all.push(row);
    process.stdout.write(`${run.padEnd(36)} ${scorer.padEnd(16)} ${String(row.events).padStart(7)} ${String(row.positives).padStart(4)} ${fmt(row.auc)} ${fmt(row.ap)} ${fmt(row.tprAtFpr)}\n`);
  }
}
const scorers = [values.tag, 'rarity-baseline'];
process.stdout.write('\nover the runs: mean (worst)\n');
for (const s of scorers) {
  const rows = all.filter((r) => r.scorer === s);
  const agg = (k) => `${fmt(rows.reduce((a, r) => a + r[k], 0) / rows.length)} (${fmt(Math.min(...rows.map((r) => r[k])))})`;
  process.stdout.write(`${s.padEnd(16)} AUC ${agg('auc')}  AP ${agg('ap')}  TPR@0.1% ${agg('tprAtFpr')}\n`);
}
const pairs = all.filter((r) => r.scorer === values.tag).map((r) => [r, all.find((b) => b.scorer === 'rarity-baseline' && b.run === r.run)]);
process.stdout.write(`beats the rule on AUC in ${pairs.filter(([a, b]) => a.auc > b.auc).length}/${pairs.length} runs, on AP in ${pairs.filter(([a, b]) => a.ap > b.ap).length}/${pairs.length}\n`);
process.stdout.write('\nper campaign class: share caught at 0.1% FPR / median rank (upper median over runs) / AUC cost (the share of 1 − AUC its events account for, mean over runs)\n');
for (const [cls, line] of classSummary(all, scorers)) process.stdout.write(`${cls.padEnd(24)} ${line.join('   ')}\n`);
if (values.out) await writeFile(resolve(values.out), JSON.stringify(all, null, 1) + '\n');
