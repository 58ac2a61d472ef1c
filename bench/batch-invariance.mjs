#!/usr/bin/env node
// Whether a window's model output depends on the batch it is scored in: the same windows (each event's token window
// as the scorer builds it: the entity's previous rows in canonical order, then the event) scored by the kind's
// runtime in batches of 1,024 in stream order, then in other layouts (the stream rotated so every batch holds other
// windows at other positions, odd batch sizes, the inline session's batches of 16 and 1), each compared with the
// first to the bit: per-field surprisal, the expected id, the raw score, and what is written (anomaly.raw in 9
// digits, anomaly_score rounded down to a millionth, the unfused calibration).
// Usage: node bench/batch-invariance.mjs --model-dir DIR --input FILE [--events 300000] [--single 3000] [--out bench/results]
// Reads the compiled library in dist/ (npm run build).
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const dist = new URL('../dist/', import.meta.url);
const { Scorer } = await import(new URL('scorer/scorer.js', dist));
const { canonicalOrder } = await import(new URL('scorer/order.js', dist));
const { loadBundle } = await import(new URL('model/bundle.js', dist));
const { MODEL_KINDS } = await import(new URL('model/kinds.js', dist));
const { RUNTIMES } = await import(new URL('model/runtime.js', dist));
const { createAdapter } = await import(new URL('adapters/registry.js', dist));
const { readEvents } = await import(new URL('adapters/read.js', dist));
const { storedRaw, storedScore } = await import(new URL('service/anomaly-fields.js', dist));

const { values } = parseArgs({ options: { 'model-dir': { type: 'string' }, input: { type: 'string' }, events: { type: 'string', default: '300000' }, single: { type: 'string', default: '3000' }, out: { type: 'string', default: 'bench/results' } } });
if (!values['model-dir'] || !values.input) throw new Error('usage: node bench/batch-invariance.mjs --model-dir DIR --input FILE');
const modelDir = resolve(values['model-dir']);
const scorer = await Scorer.load(modelDir);
const loaded = await loadBundle(modelDir);
const runtime = await RUNTIMES[MODEL_KINDS[loaded.bundle.kind].runtime](loaded, {});
const adapter = createAdapter(scorer.bundle.format, scorer.bundle.adapter_options);

const all = [];
for await (const item of readEvents([resolve(values.input)], adapter)) {
  if (item.event) all.push(item.event);
  if (all.length >= Number(values.events)) break;
}
// Each event's window in the canonical order `score` uses: its entity's previous rows, at most the model's context.
const rows0 = all.map((e) => scorer.encode(e));
const keys0 = all.map((e) => scorer.historyKey(e));
const order = canonicalOrder(all.map((e) => e.time), rows0, keys0);
const events = order.map((i) => all[i]);
const rows = order.map((i) => rows0[i]);
const pasts = [];
const history = new Map();
order.forEach((i) => {
  const past = history.get(keys0[i]) ?? [];
  pasts.push(past.slice());
  past.push(rows0[i]);
  if (past.length > scorer.context) past.shift();
  history.set(keys0[i], past);
});
const n = events.length;

/** Scores positions `idx` in batches of `size`; per position: the surprisals and expected words of every field, and the raw score. */
async function layout(idx, size) {
  const out = new Array(n);
  for (let s = 0; s < idx.length; s += size) {
    const part = idx.slice(s, s + size);
    const scored = await runtime.score({ events: part.map((i) => events[i]), rows: part.map((i) => rows[i]), pasts: part.map((i) => pasts[i]) });
    part.forEach((i, k) => {
      const fields = scored[k].explain(true).sort((a, b) => (a.field < b.field ? -1 : 1));
      out[i] = { raw: scored[k].raw, surprisal: fields.map((f) => f.surprisal), expected: fields.map((f) => f.expected), order: scored[k].explain(true).map((f) => f.field).join() };
    });
  }
  return out;
}

const positions = Array.from({ length: n }, (_, i) => i);
const rotate = (by) => [...positions.slice(by), ...positions.slice(0, by)];
const single = positions.slice(0, Number(values.single));
const t0 = performance.now();
const base = await layout(positions, 1024);
const LAYOUTS = [
  ['batches of 1,024, stream order again', positions, 1024],
  ['batches of 1,024, stream rotated by 517', rotate(517), 1024],
  ['batches of 1,000, stream reversed', positions.slice().reverse(), 1000],
  ['batches of 17 (worker)', positions, 17],
  ['batches of 16 (inline session)', positions, 16],
  [`batches of 1 (inline session), first ${single.length}`, single, 1],
];
const rows_ = [];
for (const [name, idx, size] of LAYOUTS) {
  const got = await layout(idx, size);
  let fieldBits = 0, expectedDiff = 0, rawBits = 0, storedRawDiff = 0, storedScoreDiff = 0, orderDiff = 0, maxAbs = 0;
  for (const i of idx) {
    const a = base[i], b = got[i];
    if (a.surprisal.some((x, f) => x !== b.surprisal[f])) fieldBits += 1;
    for (let f = 0; f < a.surprisal.length; f++) maxAbs = Math.max(maxAbs, Math.abs(a.surprisal[f] - b.surprisal[f]));
    if (a.expected.some((x, f) => x !== b.expected[f])) expectedDiff += 1;
    if (a.raw !== b.raw) rawBits += 1;
    if (storedRaw(a.raw) !== storedRaw(b.raw)) storedRawDiff += 1;
    if (storedScore(scorer.calibrator.score(a.raw)) !== storedScore(scorer.calibrator.score(b.raw))) storedScoreDiff += 1;
    if (a.order !== b.order) orderDiff += 1;
  }
  const row = { layout: name, windows: idx.length, surprisal_differs: fieldBits, max_abs_nats: maxAbs, expected_differs: expectedDiff, raw_differs: rawBits, stored_raw_differs: storedRawDiff, stored_score_differs: storedScoreDiff, explanation_order_differs: orderDiff };
  rows_.push(row);
  console.log(Object.values(row).join(' | '));
}
// Control: each window against the next one's output in the first layout, to show the comparison sees a difference.
const control = positions.slice(0, n - 1).filter((i) => base[i].surprisal.some((x, f) => x !== base[i + 1].surprisal[f])).length;
// The cache's premise on this bundle's own tokenizer: a window equal to an earlier one (ids only) got the same output.
const F = scorer.width;
const firstOf = new Map();
let repeated = 0, repeatedDiffers = 0;
positions.forEach((i) => {
  const key = [...pasts[i].map((r) => r.subarray(0, F).join(',')), rows[i].subarray(0, F).join(',')].join('|');
  const first = firstOf.get(key);
  if (first === undefined) return void firstOf.set(key, i);
  repeated += 1;
  if (base[first].surprisal.some((x, f) => x !== base[i].surprisal[f]) || base[first].expected.some((x, f) => x !== base[i].expected[f])) repeatedDiffers += 1;
});
console.log(`windows equal to an earlier window (this bundle's ids, unbounded): ${repeated} of ${n} (${((100 * repeated) / n).toFixed(1)} %), ${repeatedDiffers} of them with another output`);
console.log(`control: ${control} of ${n - 1} windows differ from the next window's output`);
console.log(`${n} windows of ${loaded.bundle.kind} (context ${scorer.context}), ${((performance.now() - t0) / 1000).toFixed(0)} s, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
await runtime.release();
await scorer.close();
const out = resolve(values.out);
await mkdir(out, { recursive: true });
await writeFile(join(out, 'batch-invariance.json'), JSON.stringify({ at: new Date().toISOString(), model: modelDir, kind: loaded.bundle.kind, windows: n, layouts: rows_, control_differs: control, repeated_windows: repeated, repeated_with_other_output: repeatedDiffers }, null, 2));
