// What the detection benches read of a simulated run's labels, only after scoring: each red-team event's campaign
// class (campaigns.tsv), and per class the share caught at 0.1% FPR and the median rank among the normal events.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** campaigns.tsv: time, user, src, dst, class, instance per red-team event; keyed by `labelKey`. */
async function campaignClasses(dir, labelKey) {
  const byKey = new Map();
  const lines = (await readFile(join(dir, 'campaigns.tsv'), 'utf8')).trim().split('\n').slice(1);
  for (const line of lines) {
    const [time, user, src, dst, cls] = line.split('\t');
    byKey.set(labelKey(Number(time), [user, src, dst]), cls);
  }
  return byKey;
}

/**
 * A run's test events' labels (1 = red team) and [index, class] of each red one, from its simulation's campaigns.tsv;
 * `dist` is the compiled code's directory URL.
 */
export async function testLabels(dist, simDir, adapter, test) {
  const { eventLabelKey, labelKey } = await import(new URL('eval/labels.js', dist));
  const byKey = await campaignClasses(simDir, labelKey);
  const labels = new Uint8Array(test.length);
  const classes = [];
  test.forEach((e, i) => {
    const cls = byKey.get(eventLabelKey({ entities: adapter.labelEntities }, e.time, e.entities));
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
 * Share of a class's events above the 0.1%-FPR threshold, and their median rank: the normal events scoring above
 * them, ties counted half (a score with many ties, as the baseline's counts have, gets no credit from file order).
 */
export function perClass(score, labels, classes) {
  const negatives = Float64Array.from(score.filter((_, i) => !labels[i])).sort();
  const threshold = negatives[negatives.length - 1 - Math.floor(0.001 * negatives.length)] ?? Infinity; // 0.1% of normal events score above
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
    return [cls, { n: r.n, tpr: r.caught / r.n, median_rank: ranks[ranks.length >> 1] }];
  }));
}

/** Per class over the rows of one scorer: the share caught (weighted by events) and the median of the runs' median ranks. */
export function classSummary(rows) {
  const n = rows.reduce((a, c) => a + c.n, 0);
  const tpr = rows.reduce((a, c) => a + c.tpr * c.n, 0) / n;
  const ranks = rows.map((c) => c.median_rank).sort((a, b) => a - b);
  return `${tpr.toFixed(2)} / ${ranks[ranks.length >> 1]}`;
}
