#!/usr/bin/env node
// Where the scoring hot path spends its time: each stage of scoring a LANL file in batches, run on its own over all
// events, timed by the process's CPU (user + system, every thread: the ONNX worker's too) and by the wall clock, with
// the garbage collector's pauses that fell in it. CPU per event is what a loaded, shared machine distorts least.
// Usage: node bench/hot-path.mjs --model-dir DIR --input FILE.csv [--batch 1024] [--intra-op-threads N] [--window-cache N]
//   [--out bench/results]
// --window-cache: the context-free model's window cache (window-cache.ts; default its default, 0: none); the hit rate
// of the model stage and of Scorer.score is printed.
// Reads the compiled library in dist/ (npm run build). The stages mirror Scorer.score; the last row is the real
// Scorer.score on the same events, which overlaps the memory statistics with the model.
import { writeFile, mkdir } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

const dist = new URL('../dist/', import.meta.url);
const { Scorer } = await import(new URL('scorer/scorer.js', dist));
const { canonicalOrder } = await import(new URL('scorer/order.js', dist));
const { loadBundle } = await import(new URL('model/bundle.js', dist));
const { MODEL_KINDS } = await import(new URL('model/kinds.js', dist));
const { RUNTIMES } = await import(new URL('model/runtime.js', dist));
const { createAdapter } = await import(new URL('adapters/registry.js', dist));
const { readEvents } = await import(new URL('adapters/read.js', dist));
const { scoreLine } = await import(new URL('output/score-line.js', dist));

const { values } = parseArgs({ options: { 'model-dir': { type: 'string' }, input: { type: 'string' }, batch: { type: 'string', default: '1024' }, 'intra-op-threads': { type: 'string' }, 'window-cache': { type: 'string' }, out: { type: 'string', default: 'bench/results' } } });
if (!values['model-dir'] || !values.input) throw new Error('usage: node bench/hot-path.mjs --model-dir DIR --input FILE.csv [--batch 1024]');
const modelDir = resolve(values['model-dir']);
const B = Number(values.batch);
const session = { ...(values['intra-op-threads'] ? { intraOpThreads: Number(values['intra-op-threads']) } : {}), ...(values['window-cache'] ? { windowCache: Number(values['window-cache']) } : {}) };

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
}).observe({ entryTypes: ['gc'] });

const rows = [];
let n = 0;
/** Runs one stage, records CPU µs/event (every thread), wall µs/event and GC ms. */
async function stage(name, fn) {
  const gc0 = gcMs;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const result = await fn();
  const wall = Number(process.hrtime.bigint() - t0) / 1e3;
  const c = process.cpuUsage(c0);
  rows.push({ stage: name, cpu_us_per_event: (c.user + c.system) / n, wall_us_per_event: wall / n, gc_ms: gcMs - gc0 });
  return result;
}

const scorer = await Scorer.load(modelDir, { maxBatch: B, ...session });
const loaded = await loadBundle(modelDir);
const model = await RUNTIMES[MODEL_KINDS[loaded.bundle.kind].runtime](loaded, session);
const adapter = createAdapter(scorer.bundle.format, scorer.bundle.adapter_options);
n = 1; // read first, then count per event
const events = [];
await stage('read + parse', async () => {
  for await (const item of readEvents([resolve(values.input)], adapter)) if (item.event) events.push(item.event);
});
n = events.length;
rows[0].cpu_us_per_event /= n;
rows[0].wall_us_per_event /= n;
const batches = [];
for (let i = 0; i < n; i += B) batches.push(events.slice(i, i + B));
await model.score({ events: batches[0], rows: batches[0].map((e) => scorer.encode(e)), pasts: batches[0].map(() => []) }); // warm-up (the cache keeps its first batch)
const warm = model.cache ? { hits: model.cache.hits, misses: model.cache.misses } : null;

const encoded = await stage('encode (token ids, tie-break, recall hashes)', () => batches.map((batch) => batch.map((e) => scorer.encode(e))));
scorer.history.clear();
const fusion = scorer.fusion;
// As Scorer.scoreChunk: the recalled rows' recall parts copied out of the history (its columns), and no rows at all
// for a model without context.
const recallWidth = fusion?.recall ? fusion.memory.recallWidth : 0;
const stride = scorer.historyLength * recallWidth;
const prepared = await stage('order + history (keys, canonical sort, get/push)', () =>
  batches.map((batch, k) => {
    const keys = batch.map((e) => scorer.historyKey(e));
    const order = canonicalOrder(batch.map((e) => e.time), encoded[k], keys);
    const evs = order.map((i) => batch[i]);
    const rws = order.map((i) => encoded[k][i]);
    const columns = new Int32Array(batch.length * stride);
    const counts = new Int32Array(batch.length);
    const target = { out: columns, at: 0, count: 0 };
    const pasts = order.map((i, b) => {
      target.at = b * stride;
      let past = [];
      if (stride && scorer.context === 0) scorer.history.recall(keys[i], batch[i].time, encoded[k][i], undefined, target);
      else past = scorer.history.get(keys[i], batch[i].time, encoded[k][i], undefined, stride ? target : undefined);
      counts[b] = target.count;
      scorer.history.push(keys[i], encoded[k][i], batch[i].time);
      return past;
    });
    return { events: evs, rows: rws, pasts, columns, counts, contexts: pasts.map((p) => (p.length > scorer.context ? p.slice(p.length - scorer.context) : p)) };
  }),
);
const scored = await stage('model (tokens, worker round trip, ONNX run)', async () => {
  const out = [];
  for (const p of prepared) out.push(await model.score({ events: p.events, rows: p.rows, pasts: p.contexts }));
  return out;
});
const M = fusion ? fusion.memoryWidth : 0;
const memory = await stage('memory statistics (pairs, novelty, hour; recall)', () =>
  prepared.map((p) => {
    const m = new Float64Array(p.events.length * M);
    const offset = scorer.width + 1;
    if (fusion) p.events.forEach((e, b) => fusion.memoryStatistics(e, m, b * M, stride ? { row: p.rows[b], offset, columns: { out: p.columns, at: b * stride, count: p.counts[b] } } : { rows: p.pasts[b], row: p.rows[b], offset }));
    return m;
  }),
);
const logP = new Float64Array(fusion ? fusion.names.length : 0);
const anomaly = await stage('fusion tails + calibration', () =>
  scored.map((batch, k) => batch.map((s, b) => scorer.calibrator.score(fusion ? fusion.combine(s.total, memory[k], b * M, logP) : s.raw))),
);
const explained = await stage('explanation (top field)', () => scored.map((batch) => batch.map((s) => s.explain(false))));
await stage('output line (compact form)', () => {
  let bytes = 0;
  prepared.forEach((p, k) =>
    p.events.forEach((e, b) => {
      bytes += scoreLine({ line: b, time: e.time, entities: e.entities, anomaly_score: anomaly[k][b], raw: 0, is_anomaly: false, fields: explained[k][b].map((f) => ({ field: f.field, value: f.value })), components: [] }).length;
    }),
  );
  return bytes;
});
const stagesCpu = rows.reduce((s, r) => s + r.cpu_us_per_event, 0);
scorer.history.clear();
await stage('Scorer.score end to end (batches one after another)', async () => {
  for (const batch of batches) await scorer.score(batch, undefined, undefined, 1);
});
const hitRate = (c, hits, misses) => (c ? `${((100 * hits) / (hits + misses)).toFixed(1)} % of events hit (${c.size.toLocaleString('en-US')} windows kept)` : 'no cache');
const stageCache = model.cache && hitRate(model.cache, model.cache.hits - warm.hits, model.cache.misses - warm.misses);
const cacheNote = `window cache ${session.windowCache ?? 'default'}: model stage ${stageCache ?? 'no cache'}; Scorer.score ${hitRate(scorer.windowCache, scorer.windowCache?.hits, scorer.windowCache?.misses)}`;
await scorer.close();
await model.release();

const end = rows.at(-1);
console.log(`\nhot path, ${n.toLocaleString('en-US')} events, batch ${B}, ${scorer.bundle.kind}, intra-op threads ${session.intraOpThreads ?? 'default'} — ${cpus().length} cores, node ${process.version}`);
console.log('| stage | CPU µs/event | wall µs/event | GC ms |');
console.log('|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.stage} | ${r.cpu_us_per_event.toFixed(1)} | ${r.wall_us_per_event.toFixed(1)} | ${Math.round(r.gc_ms)} |`);
console.log(cacheNote);
console.log(`stages sum ${stagesCpu.toFixed(1)} CPU µs/event; Scorer.score ${Math.round(1e6 / end.wall_us_per_event).toLocaleString('en-US')} events/s`);
await mkdir(resolve(values.out), { recursive: true });
await writeFile(join(resolve(values.out), 'hot-path.json'), JSON.stringify({ events: n, batch: B, ...session, cache: cacheNote, rows }, null, 2));
