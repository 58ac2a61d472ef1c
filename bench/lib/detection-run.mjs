// What bench/detection.mjs, bench/refit-fusion.mjs and the travel benches share: a run's test events with their labels and campaign
// classes (read from the simulator's files; labels only to measure), and the per-class figures.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Loads the compiled modules a detection run reads, from a build's dist/ (URL of the directory). */
export async function detectionModules(dist) {
  const load = (p) => import(new URL(p, dist));
  const [{ RENDERINGS }, { createAdapter }, { readEvents }, { RarityCounts, rarityPairs }, { evaluateRanking }, { eventLabelKey, labelKey }] = await Promise.all([
    load('sim/renderers.js'), load('adapters/registry.js'), load('adapters/read.js'), load('eval/baseline.js'), load('eval/metrics.js'), load('eval/labels.js'),
  ]);
  return { RENDERINGS, createAdapter, readEvents, RarityCounts, rarityPairs, evaluateRanking, eventLabelKey, labelKey };
}

/** campaigns.tsv: time, user, src, dst, class, instance per red-team event. */
async function campaignClasses(m, dir) {
  const byKey = new Map();
  const lines = (await readFile(join(dir, 'campaigns.tsv'), 'utf8')).trim().split('\n').slice(1);
  for (const line of lines) {
    const [time, user, src, dst, cls] = line.split('\t');
    byKey.set(m.labelKey(Number(time), [user, src, dst]), cls);
  }
  return byKey;
}

/**
 * A simulated run's rendering read back: the adapter, the train and test files, the test events, their labels and
 * classes ([index, class] of each red-team event), and the rarity rule's score of each test event: with the
 * training days' counts (`baseline`) and with counts kept up to date over the test days (`updating`).
 */
export async function loadRun(m, simDir, render) {
  const { format, files } = m.RENDERINGS[render];
  const adapter = m.createAdapter(format);
  const trainFile = join(simDir, files.train);
  const testFile = join(simDir, files.test);
  const counts = new m.RarityCounts(m.rarityPairs(adapter));
  for await (const item of m.readEvents([trainFile], adapter)) if (item.event) counts.add(item.event);
  const test = [];
  for await (const item of m.readEvents([testFile], adapter)) if (item.event) test.push(item.event);
  const { labels, classes } = await testLabels(m, simDir, adapter, test);
  const baseline = Float64Array.from(test, (e) => counts.score(e));
  return { format, adapter, trainFile, testFile, test, labels, classes, baseline, updating: counts.scoreUpdating(test) };
}

/** Test events' labels (1 = red team) and [index, class] of each red one, from the simulation's campaigns.tsv. */
export async function testLabels(m, simDir, adapter, test) {
  const byKey = await campaignClasses(m, simDir);
  const labels = new Uint8Array(test.length);
  const classes = [];
  test.forEach((e, i) => {
    const cls = byKey.get(m.eventLabelKey({ entities: adapter.labelEntities }, e.time, e.entities));
    if (cls !== undefined) { labels[i] = 1; classes.push([i, cls]); }
  });
  return { labels, classes };
}

/** Index of the first element > v (orEqual: >= v) in an ascending array. */
function bound(x, v, orEqual = false) {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (x[mid] < v || (!orEqual && x[mid] === v)) lo = mid + 1; else hi = mid; }
  return lo;
}

/**
 * One ranking key per event from a scorer's results: anomaly_score, ties broken by raw (a cascade's two stages have raw
 * scores on different scales, their anomaly_score one scale; one bundle's anomaly_score only saturates at the top, where
 * raw still orders it). Events equal in both share a key, so ties stay ties.
 */
export function rankKey(results) {
  const order = results.map((_, i) => i).sort((a, b) => results[a].anomaly_score - results[b].anomaly_score || results[a].raw - results[b].raw);
  const key = new Float64Array(results.length);
  let k = 0;
  order.forEach((i, n) => {
    const prev = results[order[n - 1]];
    if (n > 0 && (prev.anomaly_score !== results[i].anomaly_score || prev.raw !== results[i].raw)) k = n;
    key[i] = k;
  });
  return key;
}

/**
 * Share of a class's events above the 0.1%-FPR threshold, and their upper median rank (of an even count, the higher of
 * the two middle ones): the normal events scoring above
 * them, ties counted half (a score with many ties, as the baseline's counts have, gets no credit from file order).
 * And the class's AUC cost: the sum of its events' ranks over (normal events × red-team events), the share of 1 − AUC
 * its events account for (the classes' costs add up to the run's 1 − AUC, ties at half as the AUC counts them).
 */
export function perClass(score, labels, classes) {
  const negatives = Float64Array.from(score.filter((_, i) => !labels[i])).sort();
  const threshold = negatives[negatives.length - 1 - Math.floor(0.001 * negatives.length)] ?? Infinity; // 0.1% of normal events score above
  let positives = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]) positives += 1;
  const rows = {};
  for (const [i, cls] of classes) {
    (rows[cls] ??= { caught: 0, n: 0, ranks: [] }).n += 1;
    if (score[i] > threshold) rows[cls].caught += 1;
    const above = negatives.length - bound(negatives, score[i]);
    const ties = bound(negatives, score[i]) - bound(negatives, score[i], true);
    rows[cls].ranks.push(above + ties / 2);
  }
  return Object.fromEntries(Object.entries(rows).map(([cls, r]) => {
    const ranks = r.ranks.sort((a, b) => a - b);
    const cost = ranks.reduce((a, x) => a + x, 0) / (negatives.length * positives);
    return [cls, { n: r.n, tpr: r.caught / r.n, median_rank: ranks[ranks.length >> 1], auc_cost: cost }];
  }));
}

/**
 * Per campaign class over rows of {scorer, classes}: share caught, the upper median of the runs' median ranks, and the
 * mean AUC cost over the runs where the class is present (rows written before it: `-`).
 */
export function classSummary(all, scorers) {
  const classNames = [...new Set(all.flatMap((r) => Object.keys(r.classes)))].sort();
  return classNames.map((cls) => [cls, scorers.map((s) => {
    const rows = all.filter((r) => r.scorer === s && r.classes[cls]).map((r) => r.classes[cls]);
    if (rows.length === 0) return `${s} -`;
    const n = rows.reduce((a, c) => a + c.n, 0);
    const tpr = rows.reduce((a, c) => a + c.tpr * c.n, 0) / n;
    const ranks = rows.map((c) => c.median_rank).sort((a, b) => a - b);
    const cost = rows.every((c) => c.auc_cost !== undefined) ? (rows.reduce((a, c) => a + c.auc_cost, 0) / rows.length).toFixed(4) : '-';
    return `${s} ${tpr.toFixed(2)} / ${ranks[ranks.length >> 1]} / ${cost}`;
  })]);
}

/** Each test event's component ln p and field surprisals beside its label and class (components.json). */
export function componentDump(results, raw, baseline, labels, classes) {
  const n = results.length;
  const logP = {};
  const surprisal = {};
  results.forEach((r, i) => {
    for (const c of r.components) (logP[c.name] ??= new Array(n))[i] = c.log_p;
    for (const f of r.fields) (surprisal[f.field] ??= new Array(n))[i] = f.surprisal;
  });
  const cls = new Array(n).fill(null);
  for (const [i, c] of classes) cls[i] = c;
  return { raw: Array.from(raw), baseline: Array.from(baseline), logP, surprisal, labels: Array.from(labels), classes: cls };
}
