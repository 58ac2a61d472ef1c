#!/usr/bin/env node
// Refits the fusion of bundles that bench/detection.mjs trained and kept (`--render weblogin --variants fused`), with
// variants of the memory's travel component, and scores the same test logins: the sequence model is the same in every
// variant, so what moves is the fusion. Prints per run AUC, AP and TPR at 0.1% FPR beside the rarity rule, then the
// mean and worst over the runs, the runs above the rule, and per campaign class the share caught and median rank.
// Usage: node bench/refit-travel.mjs --work bench/results/detection-work[,another] [--profiles m01,m02] [--seeds 1,2]
//          [--variants main,outcome,main@6,main@24,main@none] [--dist dist] [--dump VARIANT] [--history] [--json rows.json]
// A variant is `main` (the memory as bundles were fitted before outcomes counted: every login is a place) or
// `outcome` (the adapter's spec: only a successful login is), with `@H` a horizon of H hours instead of the adapter's
// (`@none`: a year). `main` is checked against the scores the bench dumped (components.json, `--dump`): the refit of
// unchanged code must give the same scores. `--history` adds each variant again as `V+history`: its travel component
// recalling the training days as a sidecar running for days would (lib/travel-history.mjs). Labels are read only
// after scoring, to measure.
import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { quiet } from './lib/ecs-bench.mjs';
import { classSummary, detectionModules, perClass, testLabels } from './lib/detection-run.mjs';
import { travelLogP } from './lib/travel-history.mjs';

const { values } = parseArgs({
  options: {
    work: { type: 'string', default: 'bench/results/detection-work' },
    profiles: { type: 'string' },
    seeds: { type: 'string' },
    variants: { type: 'string', default: 'main,outcome' },
    dist: { type: 'string', default: 'dist' },
    dump: { type: 'string' },
    history: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const dist = pathToFileURL(resolve(values.dist) + '/');
const { fitFusion, defaultMemorySpec } = await import(new URL('train/fit-fusion.js', dist));
const { Scorer } = await import(new URL('scorer/scorer.js', dist));
const { createAdapter } = await import(new URL('adapters/registry.js', dist));
const { readEvents } = await import(new URL('adapters/read.js', dist));
const { RarityCounts, rarityPairs } = await import(new URL('eval/baseline.js', dist));
const { evaluateRanking } = await import(new URL('eval/metrics.js', dist));
const { RENDERINGS } = await import(new URL('sim/renderers.js', dist));
const { EntityMemory } = await import(new URL('memory/entity-memory.js', dist));
const modules = await detectionModules(dist);
const { TailTable } = await import(new URL('memory/tail.js', dist));

const YEAR = 365 * 86_400;

/** The memory spec of a variant name (`outcome@24`) from the adapter's default one. */
function variantSpec(name, spec) {
  const [base, hours] = name.split('@');
  if (base !== 'main' && base !== 'outcome') throw new Error(`--variants: ${name}: main or outcome, optionally @HOURS or @none`);
  const { travel_outcome: outcome, ...rest } = spec;
  const within = hours === undefined ? spec.travel_within : hours === 'none' ? YEAR : Number(hours) * 3600;
  if (!(within > 0)) throw new Error(`--variants: ${name}: not a horizon`);
  return { ...rest, travel_within: within, ...(base === 'outcome' && outcome ? { travel_outcome: outcome } : {}) };
}

const runs = [];
for (const work of values.work.split(',')) {
  for (const name of (await readdir(work)).sort()) {
    const m = /^(m\d+)-.*-s(\d+)-weblogin$/.exec(name);
    if (!m || !existsSync(join(work, name, 'model-fused', 'bundle.json'))) continue;
    if (values.profiles && !values.profiles.split(',').includes(m[1])) continue;
    if (values.seeds && !values.seeds.split(',').includes(m[2])) continue;
    runs.push({ dir: join(work, name), profile: m[1], seed: Number(m[2]) });
  }
}
const variants = values.variants.split(',');
const { format, files } = RENDERINGS.weblogin;
const adapter = createAdapter(format);
const fmt = (x, d = 4) => x.toFixed(d);
const all = [];
process.stdout.write('profile seed scorer              AUC     AP   TPR@0.1%\n');
for (const run of runs) {
  const trainFile = join(run.dir, 'sim', files.train);
  const test = [];
  for await (const item of readEvents([join(run.dir, 'sim', files.test)], adapter)) if (item.event) test.push(item.event);
  const counts = new RarityCounts(rarityPairs(adapter));
  const train = [];
  for await (const item of readEvents([trainFile], adapter)) if (item.event) train.push(item.event);
  for (const e of train) counts.add(e);
  const byTime = (events) => events.map((e, i) => [e, i]).sort((a, b) => a[0].time - b[0].time || a[1] - b[1]).map(([e]) => e);
  const scores = { rule: Float64Array.from(test, (e) => counts.score(e)) };
  const original = join(run.dir, 'model-fused');
  const bundle = JSON.parse(await readFile(join(original, 'bundle.json'), 'utf8'));
  const limit = train.length;
  const components = {};
  const worst = { check: 0 };
  for (const v of variants) {
    const modelDir = join(run.dir, `refit-${v}`);
    await rm(modelDir, { recursive: true, force: true });
    await cp(original, modelDir, { recursive: true });
    const spec = variantSpec(v, defaultMemorySpec(adapter, bundle.entity_key, true));
    await quiet(() => fitFusion(modelDir, adapter, bundle.entity_key, () => readEvents([trainFile], adapter), limit, bundle.metrics.fusion.held_out, bundle.fusion.recall, { spec }));
    const scorer = await Scorer.load(modelDir);
    const results = await scorer.score(test);
    await scorer.close();
    scores[v] = Float64Array.from(results, (r) => r.raw);
    if (values.history) {
      const travelOf = (r) => r.components.find((c) => c.name.startsWith('travel:')).log_p;
      const order = test.map((e, i) => [e, i]).sort((a, b) => a[0].time - b[0].time || a[1] - b[1]).map(([, i]) => i);
      const inOrder = order.map((i) => test[i]);
      const mine = travelLogP({ EntityMemory, TailTable }, modelDir, byTime(train), inOrder, false);
      order.forEach((i, k) => { worst.check = Math.max(worst.check, Math.abs(mine[k] - travelOf(results[i]))); });
      const days = travelLogP({ EntityMemory, TailTable }, modelDir, byTime(train), inOrder, true);
      const h = new Float64Array(test.length);
      order.forEach((i, k) => { h[i] = scores[v][i] + travelOf(results[i]) - days[k]; });
      scores[`${v}+history`] = h;
    }
    if (v === values.dump) components[v] = results.map((r) => Object.fromEntries(r.components.map((c) => [c.name, c.log_p])));
  }
  // Labels from here on.
  const { labels, classes } = await testLabels(modules, join(run.dir, 'sim'), adapter, test);
  if (values.history) process.stdout.write(`${run.profile} ${run.seed} travel ln p walked offline against the scorer's: max |difference| ${worst.check.toExponential(2)}\n`);
  const dumped = join(original, 'components.json');
  if (scores.main && existsSync(dumped)) {
    const before = JSON.parse(await readFile(dumped, 'utf8')).raw;
    const diff = before.reduce((d, x, i) => Math.max(d, Math.abs(x - scores.main[i])), 0);
    process.stdout.write(`${run.profile} ${run.seed} main refit against the bench's scores: max |difference| ${diff.toExponential(2)}\n`);
  }
  if (values.dump && components[values.dump]) {
    await writeFile(join(run.dir, `refit-${values.dump}`, 'refit-components.json'), JSON.stringify({ time: test.map((e) => e.time), user: test.map((e) => e.entities.user), country: test.map((e) => e.fields[3]), outcome: test.map((e) => e.fields[8]), raw: Array.from(scores[values.dump]), components: components[values.dump], labels: Array.from(labels), classes: test.map((_, i) => classes.find(([j]) => j === i)?.[1] ?? null) }));
  }
  for (const [name, score] of Object.entries(scores)) {
    const r = { ...run, scorer: name, ...evaluateRanking(score, score, labels).metrics, classes: perClass(score, labels, classes) };
    all.push(r);
    process.stdout.write(`${r.profile.padEnd(7)} ${String(r.seed).padStart(4)} ${name.padEnd(16)} ${fmt(r.auc)} ${fmt(r.ap)} ${fmt(r.tprAtFpr)}\n`);
  }
}

process.stdout.write(`\nover ${runs.length} runs: mean (worst)\n`);
const scorerNames = ['rule', ...variants.flatMap((v) => (values.history ? [v, `${v}+history`] : [v]))];
for (const s of scorerNames) {
  const rows = all.filter((r) => r.scorer === s);
  const agg = (k) => `${fmt(rows.reduce((a, r) => a + r[k], 0) / rows.length)} (${fmt(Math.min(...rows.map((r) => r[k])))})`;
  const rule = (r) => all.find((b) => b.scorer === 'rule' && b.profile === r.profile && b.seed === r.seed);
  const beats = (k) => rows.filter((r) => r[k] > rule(r)[k]).length;
  const lost = rows.filter((r) => !(r.ap > rule(r).ap && r.auc > rule(r).auc)).map((r) => `${r.profile}/s${r.seed} AP ${fmt(r.ap, 3)} (rule ${fmt(rule(r).ap, 3)})`);
  process.stdout.write(`${s.padEnd(16)} AUC ${agg('auc')}  AP ${agg('ap')}  TPR@0.1% ${agg('tprAtFpr')}${s === 'rule' ? '' : `  above the rule on AUC ${beats('auc')}, AP ${beats('ap')}; not on both: ${lost.join(', ') || 'none'}`}\n`);
}
process.stdout.write('\nper campaign class: share caught at 0.1% FPR / median rank / AUC cost (the share of 1 − AUC its events account for, mean over runs)\n');
for (const [cls, line] of classSummary(all, scorerNames)) process.stdout.write(`${cls.padEnd(22)} ${line.join('   ')}\n`);
if (values.json) await writeFile(values.json, JSON.stringify(all, null, 1) + '\n');
