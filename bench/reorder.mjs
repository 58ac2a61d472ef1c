#!/usr/bin/env node
// What reordering still changes (issue 8 item 11): real LANL logons (the shared safekit heads: day 0 to train, days
// 1 and 2 to score, whole seconds, so thousands of same-second ties) delivered out of order, against the scores of
// time order. `score` is given the file shuffled; the streaming service gets each event delayed by a random 0..J s
// of event time (a shipper's jitter) and sent in bulks of 100 as fast as it takes them (a backfill: the window's
// event-time watermark decides), for several reordering windows W. Prints the share of events whose raw score
// changed (> 1e-6) and how many the service counted late.
// Usage: node bench/reorder.mjs [--jitter 0,1,5,30] [--windows 0,2000,10000]. Needs the compiled CLI (npm run build).
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { root } from './lib/ecs-bench.mjs';

const { values } = parseArgs({
  options: {
    jitter: { type: 'string', default: '0,1,5,30' },
    windows: { type: 'string', default: '0,2000,10000' },
    out: { type: 'string', default: 'bench/results' },
  },
});
const dist = (p) => import(new URL(`../dist/${p}`, import.meta.url).href);
const { train } = await dist('commands/train.js');
const { scoreFiles } = await dist('commands/score.js');
const { Scorer } = await dist('scorer/scorer.js');
const { ScoringService } = await dist('service/scoring-service.js');
const { createAdapter } = await dist('adapters/registry.js');

const heads = join(root, '..', 'shared', 'data', 'lanl', 'safekit-heads');
const work = await mkdtemp(join(tmpdir(), 'seqsentry-reorder-'));
const modelDir = join(work, 'model');
await train({ format: 'lanl', inputs: [join(heads, 'day0_head_decoded.csv')], modelDir, kind: 'transformer-mlm', epochs: 4, seed: 5, minCount: 1, hourToken: true, strict: false });
const body = (name) => readFile(join(heads, name), 'utf8').then((t) => t.trim().split('\n').slice(1));
const lines = [...(await body('day1_head_decoded.csv')), ...(await body('day2_head_decoded.csv'))];
const adapter = createAdapter('lanl');
const events = lines.map((l, i) => adapter.parse(l, { file: 'bench', line: i + 1 }));

/** A seeded uniform [0, 1) generator (LCG; good enough to jitter). */
function rng(seed) {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const scorer = await Scorer.load(modelDir);
const reference = (await scorer.score(events, events.map(() => 'bench'))).map((r) => r.raw);
const compare = (raw) => {
  let changed = 0;
  let max = 0;
  raw.forEach((v, i) => {
    const d = Math.abs(v - reference[i]);
    if (d > 1e-6) changed += 1;
    max = Math.max(max, d);
  });
  return { changed, share: +(changed / raw.length).toFixed(4), max_delta_raw: +max.toFixed(4) };
};
const rows = [];

// `score` on the file shuffled: it orders by event time itself.
const shuffledPath = join(work, 'shuffled.csv');
const random = rng(7);
const order = lines.map((_, i) => [random(), i]).sort((a, b) => a[0] - b[0]).map(([, i]) => i);
await writeFile(shuffledPath, order.map((i) => lines[i]).join('\n') + '\n');
await scoreFiles({ modelDir, inputs: [shuffledPath], output: join(work, 'shuffled.jsonl'), format: 'lanl', strict: true, batchSize: 1024 });
const out = (await readFile(join(work, 'shuffled.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l).raw);
const back = new Array(lines.length);
order.forEach((i, k) => (back[i] = out[k]));
rows.push({ path: 'score (file shuffled)', jitter_s: 'all', window_ms: '-', events: lines.length, ...compare(back), late: '-' });

for (const jitter of values.jitter.split(',').map(Number)) {
  const delay = rng(11);
  const arrival = events.map((e, i) => [e.time + delay() * jitter, i]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i);
  for (const window of values.windows.split(',').map(Number)) {
    scorer.history.clear();
    const service = new ScoringService(scorer, adapter, { maxBatch: 1024, maxDelayMs: 2, reorderWindowMs: window });
    const answers = [];
    for (let k = 0; k < arrival.length; k += 100) {
      const part = arrival.slice(k, k + 100);
      answers.push(service.score(part.map((i) => ({ record: lines[i], scope: 'bench', source: { file: 'bench', line: i + 1 } }))).then((r) => [part, r]));
      await new Promise((r) => setImmediate(r));
    }
    await service.drain();
    const raw = new Array(lines.length);
    for (const [part, r] of await Promise.all(answers)) part.forEach((i, j) => (raw[i] = r[j].anomaly.raw));
    rows.push({ path: 'service (bulks of 100)', jitter_s: jitter, window_ms: window, events: lines.length, ...compare(raw), late: service.lateEvents });
  }
}
await scorer.close();
console.table(rows);
await mkdir(resolve(values.out), { recursive: true });
await writeFile(join(resolve(values.out), 'reorder.json'), JSON.stringify({ rows }, null, 2) + '\n');
