#!/usr/bin/env node
// Detection benchmark (issue 7): for each enterprise of the simulator's matrix and each seed, train each model
// variant, score the test days, and print AUC, AP and TPR at 0.1% FPR beside the rarity baseline, per campaign
// class the share caught at 0.1% FPR, the upper median rank and the share of 1 − AUC its events account for (AUC cost),
// then the mean and the worst case over the matrix.
// Usage: node bench/detection.mjs [--profiles m01,m04-u150 (a name or its prefix)] [--seeds 1,2]
//          [--render lanl,windows,ecs,weblogin (each enterprise in each rendering; default lanl)]
//          [--variants fused,sequence,fused-no-recall,fused-r64,fused-r128,fused-r256,fused-src-host,fused-dst-host,fused-long,fused-wide,fused-c0,fused-c2,fused-c4,fused-c8]
//          [--kind lstm-lm (or a list: transformer-mlm,lstm-lm; default: each rendering's format's default kind,
//          models/kinds.json)] [--epochs N] [--out bench/results] [--dump]
// With several kinds, each variant is trained per kind on the same simulated enterprise and reported as KIND/VARIANT.
// --dump writes, per run and variant, each test event's component ln p, field surprisals, label and class (components.json beside
// the run's model) for studying how components combine.
// Reads the compiled code in dist/ (npm run build). The labels (campaigns.tsv) are read with the test events, before
// training, but only the metrics use them: train and score never see them.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { quiet } from './lib/ecs-bench.mjs';
import { classSummary, componentDump, detectionModules, loadRun, perClass, rankKey } from './lib/detection-run.mjs';

const dist = new URL('../dist/', import.meta.url);
const { DETECTION_MATRIX, matrixOptions } = await import(new URL('sim/matrix.js', dist));
const { simulate } = await import(new URL('sim/simulate.js', dist));
const m = await detectionModules(dist);
const { RENDERINGS, evaluateRanking } = m;
const { train } = await import(new URL('commands/train.js', dist));
const { defaultKindFor } = await import(new URL('model/kinds.js', dist));
const { Scorer } = await import(new URL('scorer/scorer.js', dist));

const { values } = parseArgs({
  options: {
    profiles: { type: 'string', default: DETECTION_MATRIX.map((e) => e.name).join(',') },
    seeds: { type: 'string', default: '1,2' },
    render: { type: 'string', default: 'lanl' },
    variants: { type: 'string', default: 'fused,sequence' },
    kind: { type: 'string' },
    epochs: { type: 'string' },
    out: { type: 'string', default: 'bench/results' },
    dump: { type: 'boolean', default: false },
  },
});
const VARIANTS = {
  fused: { fusion: true }, sequence: { fusion: false }, 'fused-no-recall': { fusion: true, recall: 0 },
  // the memory recalling more of the entity's recent events than the default 32 (train --recall N)
  'fused-r64': { fusion: true, recall: 64 }, 'fused-r128': { fusion: true, recall: 128 }, 'fused-r256': { fusion: true, recall: 256 },
  'fused-src-host': { fusion: true, entity: 'src_host' }, 'fused-dst-host': { fusion: true, entity: 'dst_host' },
  // issue 7's capacity directions: 4x the default cap of 150 steps per epoch (an epoch still stops at one pass over
  // the training events), and twice the transformers' width of 32
  'fused-long': { fusion: true, capacity: { stepsPerEpoch: 600 } }, 'fused-wide': { fusion: true, capacity: { width: 64 } },
  // one block instead of the transformers' two: the model at about half the CPU per event (docs/benchmarks.md "One block")
  'fused-l1': { fusion: true, capacity: { layers: 1 } },
  // no context (train --context 0): whether the entity's previous events help the sequence model or, holding an
  // attacker's earlier events, make its next ones predictable (README, Known limits)
  'fused-c0': { fusion: true, context: 0 },
  // shorter contexts than the default 8 (docs/benchmarks.md "How much context"): detection against the model's cost;
  // each model scores every event (no cascade, train --no-screen), as bench/cascade.mjs composes them
  'fused-c2': { fusion: true, context: 2, screen: null }, 'fused-c4': { fusion: true, context: 4, screen: null }, 'fused-c8': { fusion: true, context: 8, screen: null },
};
const out = resolve(values.out);
const work = join(out, 'detection-work');
await mkdir(work, { recursive: true });
const profiles = values.profiles.split(',').map((name) => {
  const e = DETECTION_MATRIX.find((m) => m.name === name || m.name.startsWith(`${name}-`));
  if (!e) throw new Error(`--profiles: unknown profile ${name} (known: ${DETECTION_MATRIX.map((m) => m.name).join(', ')})`);
  return e;
});
const seeds = values.seeds.split(',').map(Number);
const renders = values.render.split(',');
for (const r of renders) if (!Object.hasOwn(RENDERINGS, r)) throw new Error(`--render: unknown ${r} (known: ${Object.keys(RENDERINGS).join(', ')})`);
const variants = values.variants.split(',');
// null: the format's default kind (what `seqsentry train` trains without --kind)
const kinds = values.kind ? values.kind.split(',') : [null];
// one kind keeps the rows named by variant alone, as before; several name each row KIND/VARIANT
const runs = kinds.flatMap((kind) => variants.map((v) => ({ kind, v, name: kinds.length > 1 ? `${kind}/${v}` : v })));
for (const v of variants) if (!(v in VARIANTS)) throw new Error(`--variants: unknown ${v} (known: ${Object.keys(VARIANTS).join(', ')})`);

async function runOne(entry, seed, render) {
  const dir = join(work, `${entry.name}-s${seed}-${render}`);
  await quiet(() => simulate({ ...matrixOptions(entry, seed, join(dir, 'sim')), render }));
  const { format, trainFile, test, labels, classes, baseline, updating } = await loadRun(m, join(dir, 'sim'), render);
  const scores = { 'rarity-baseline': baseline, 'rarity-updating': updating };
  const seconds = {};
  for (const { kind, v, name } of runs) {
    const modelDir = join(dir, `model-${name.replace('/', '-')}`);
    const t0 = performance.now();
    await quiet(() => train({ format, inputs: [trainFile], modelDir, kind: kind ?? defaultKindFor(format), seed, minCount: 2, hourToken: true, strict: false,
      fusion: VARIANTS[v].fusion, ...(VARIANTS[v].entity ? { entity: VARIANTS[v].entity } : {}), ...(VARIANTS[v].recall !== undefined ? { recall: VARIANTS[v].recall } : {}), ...(VARIANTS[v].capacity ? { capacity: VARIANTS[v].capacity } : {}), ...(VARIANTS[v].context !== undefined ? { context: VARIANTS[v].context } : {}), ...(VARIANTS[v].screen !== undefined ? { screen: VARIANTS[v].screen } : {}), ...(values.epochs ? { epochs: Number(values.epochs) } : {}) }));
    seconds[name] = (performance.now() - t0) / 1000;
    const scorer = await Scorer.load(modelDir);
    const results = await scorer.score(test);
    await scorer.close();
    const raw = Float64Array.from(results, (r) => r.raw);
    if (values.dump && results[0]?.components) await writeFile(join(modelDir, 'components.json'), JSON.stringify(componentDump(results, raw, baseline, labels, classes)));
    scores[name] = rankKey(results);
  }
  const rows = Object.entries(scores).map(([name, score]) => ({
    profile: entry.name, seed, render, scorer: name, train_seconds: seconds[name],
    ...evaluateRanking(score, score, labels).metrics, classes: perClass(score, labels, classes),
  }));
  return rows;
}

/** The rarity rule with the training days' counts, and with counts kept up to date over the test days. */
const BASELINES = ['rarity-baseline', 'rarity-updating'];
const fmt = (x, d = 4) => (x === null || x === undefined ? '   -  ' : x.toFixed(d));
const all = [];
process.stdout.write('profile                  seed render   scorer                 events  pos    AUC     AP   TPR@0.1%  train s\n');
for (const entry of profiles) {
  for (const seed of seeds) {
    for (const render of renders) for (const r of await runOne(entry, seed, render)) {
      all.push(r);
      process.stdout.write(`${r.profile.padEnd(24)} ${String(r.seed).padStart(4)} ${r.render.padEnd(8)} ${r.scorer.padEnd(22)} ${String(r.events).padStart(7)} ${String(r.positives).padStart(4)} ${fmt(r.auc)} ${fmt(r.ap)} ${fmt(r.tprAtFpr)} ${r.train_seconds ? r.train_seconds.toFixed(0).padStart(7) : '      -'}\n`);
    }
  }
}

const scorers = [...new Set(all.map((r) => r.scorer))];
for (const render of renders) {
  process.stdout.write(`\nover the matrix, ${render}: mean (worst)\n`);
  const mine = all.filter((r) => r.render === render);
  const fewest = Math.min(...mine.map((r) => r.events - r.positives));
  // 0.1 % of fewer than 1,000 normal events is no false positive at all: TPR is then the share above every normal one
  if (fewest < 1000) process.stdout.write(`(a run has only ${fewest} normal events: TPR at 0.1% FPR allows ${Math.floor(fewest / 1000)} false positives there, not comparable with larger runs)\n`);
  for (const s of scorers) {
    const rows = mine.filter((r) => r.scorer === s);
    const agg = (k, worst) => `${fmt(rows.reduce((a, r) => a + r[k], 0) / rows.length)} (${fmt(worst(...rows.map((r) => r[k])))})`;
    process.stdout.write(`${s.padEnd(22)} AUC ${agg('auc', Math.min)}  AP ${agg('ap', Math.min)}  TPR@0.1% ${agg('tprAtFpr', Math.min)}\n`);
  }
  for (const s of scorers.filter((x) => !BASELINES.includes(x))) {
    for (const base of BASELINES) {
      const pairs = mine.filter((r) => r.scorer === s).map((r) => [r, mine.find((b) => b.scorer === base && b.profile === r.profile && b.seed === r.seed)]);
      const beats = (k) => pairs.filter(([r, b]) => r[k] > b[k]).length;
      process.stdout.write(`${s} beats ${base} on AUC in ${beats('auc')}/${pairs.length} runs, on AP in ${beats('ap')}/${pairs.length}\n`);
    }
  }
}
if (renders.includes('lanl') && renders.includes('windows')) {
  // The same enterprise written two ways must be scored alike (issue 9: AUC within 0.002)
  process.stdout.write('\nLANL vs Windows rendering of the same enterprise: AUC (windows - lanl)\n');
  for (const r of all.filter((x) => x.render === 'windows')) {
    const l = all.find((x) => x.render === 'lanl' && x.profile === r.profile && x.seed === r.seed && x.scorer === r.scorer);
    if (l) process.stdout.write(`${r.profile.padEnd(24)} ${String(r.seed).padStart(4)} ${r.scorer.padEnd(16)} ${fmt(l.auc)} ${fmt(r.auc)} ${(r.auc - l.auc >= 0 ? '+' : '') + (r.auc - l.auc).toFixed(4)}\n`);
  }
}
process.stdout.write('\nper campaign class: share caught at 0.1% FPR / upper median rank / AUC cost (the share of 1 − AUC its events account for, mean over runs) (over runs where the class is present)\n');
for (const [cls, line] of classSummary(all, scorers)) process.stdout.write(`${cls.padEnd(24)} ${line.join('   ')}\n`);
await writeFile(join(out, 'detection.json'), JSON.stringify(all, null, 1) + '\n');
process.stdout.write(`\nrows: ${join(out, 'detection.json')}\n`);
