#!/usr/bin/env node
// Would a cascade keep context 8's ranking? For each run of bench/detection.mjs trained with --variants
// fused-c0,fused-c8 (its detection-work directories), the test days are scored by both bundles as the bench scores
// them; the cascade's score of an event is the context-8 bundle's anomaly_score where the context-0 bundle's reaches τ,
// the context-0 one's below (both are tail probabilities against held-out normal events, so τ is on the held-out
// scale). Prints AUC, AP and TPR at 0.1% FPR of each bundle and of the cascade at each τ, the share of events
// escalated, and per campaign class the share caught and median rank. Labels only to measure.
// Usage: node bench/cascade.mjs [--work bench/results/detection-work] [--runs RUN,...|all] [--taus 0.95,0.99,0.999]
//          [--out FILE.json]
import { readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { classSummary, detectionModules, loadRun, perClass } from './lib/detection-run.mjs';

const { values } = parseArgs({
  options: {
    work: { type: 'string', default: 'bench/results/detection-work' },
    runs: { type: 'string', default: 'all' },
    taus: { type: 'string', default: '0.95,0.99,0.999' },
    out: { type: 'string' },
  },
});
const dist = new URL('../dist/', import.meta.url);
const m = await detectionModules(dist);
const { Scorer } = await import(new URL('scorer/scorer.js', dist));
const work = resolve(values.work);
const names = values.runs === 'all' ? (await readdir(work)).sort() : values.runs.split(',');
const runs = names.filter((r) => ['model-fused-c0', 'model-fused-c8'].every((b) => existsSync(join(work, r, b, 'bundle.json'))));
if (runs.length === 0) throw new Error(`no run under ${work} has both model-fused-c0 and model-fused-c8 (bench/detection.mjs --variants fused-c0,fused-c8)`);
const taus = values.taus.split(',').map(Number);

const fmt = (x, d = 4) => x.toFixed(d);
const all = [];
for (const run of runs) {
  const { test, labels, classes } = await loadRun(m, join(work, run, 'sim'), run.split('-').at(-1));
  const got = {};
  for (const ctx of ['c0', 'c8']) {
    const scorer = await Scorer.load(join(work, run, `model-fused-${ctx}`));
    const results = await scorer.score(test);
    await scorer.close();
    got[ctx] = { raw: Float64Array.from(results, (r) => r.raw), score: Float64Array.from(results, (r) => r.anomaly_score) };
  }
  const measure = (score, tiebreak) => ({ ...m.evaluateRanking(score, tiebreak, labels).metrics, classes: perClass(score, labels, classes) });
  const row = { run, events: test.length, c0: measure(got.c0.raw, got.c0.raw), c8: measure(got.c8.raw, got.c8.raw), cascade: {} };
  for (const tau of taus) {
    const score = new Float64Array(test.length);
    const tiebreak = new Float64Array(test.length);
    let escalated = 0;
    for (let i = 0; i < test.length; i++) {
      const up = got.c0.score[i] >= tau;
      if (up) escalated++;
      score[i] = up ? got.c8.score[i] : got.c0.score[i];
      tiebreak[i] = up ? got.c8.raw[i] : got.c0.raw[i];
    }
    row.cascade[tau] = { escalated: escalated / test.length, ...measure(score, tiebreak) };
  }
  all.push(row);
  console.log(`${run}: AP c0 ${fmt(row.c0.ap, 3)}, c8 ${fmt(row.c8.ap, 3)}; cascade ${taus.map((t) => `τ ${t} ${fmt(row.cascade[t].ap, 3)} (${(100 * row.cascade[t].escalated).toFixed(1)} % escalated)`).join(', ')}`);
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const line = (name, rows, extra = '') => console.log(`| ${name} | ${extra} | ${fmt(mean(rows.map((r) => r.auc)))} (${fmt(Math.min(...rows.map((r) => r.auc)))}) | ${fmt(mean(rows.map((r) => r.ap)))} (${fmt(Math.min(...rows.map((r) => r.ap)), 3)}) | ${fmt(mean(rows.map((r) => r.tprAtFpr)), 3)} (${fmt(Math.min(...rows.map((r) => r.tprAtFpr)), 3)}) |`);
console.log(`\n${all.length} runs | escalated, mean (max) | AUC mean (worst) | AP mean (worst) | TPR at 0.1% FPR mean (worst) |\n|---|---|---|---|---|`);
line('context 0', all.map((r) => r.c0), '-');
line('context 8', all.map((r) => r.c8), '100 %');
for (const tau of taus) {
  const esc = all.map((r) => r.cascade[tau].escalated);
  line(`context 0, then 8 from τ = ${tau}`, all.map((r) => r.cascade[tau]), `${(100 * mean(esc)).toFixed(1)} % (${(100 * Math.max(...esc)).toFixed(1)} %)`);
}
// per class, as bench/detection.mjs prints it: share caught at 0.1% FPR (pooled) / upper median of the runs' median ranks
const columns = [['context-0', (r) => r.c0], ['context-8', (r) => r.c8], ...taus.map((t) => [`tau-${t}`, (r) => r.cascade[t]])];
const byScorer = all.flatMap((r) => columns.map(([scorer, pick]) => ({ scorer, classes: pick(r).classes })));
console.log('\nper class, share caught at 0.1% FPR / median rank / AUC cost (the share of 1 − AUC its events account for, mean over runs)');
for (const [cls, line] of classSummary(byScorer, columns.map(([scorer]) => scorer))) console.log(`${cls.padEnd(24)} ${line.join('   ')}`);
if (values.out) await writeFile(values.out, JSON.stringify(all));
