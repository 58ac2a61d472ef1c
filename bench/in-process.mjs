#!/usr/bin/env node
// Issue 7's floor as a figure: `Scorer.score` in-process on a LANL file in batches one after another (each awaited,
// as a caller that waits for its scores does), events/s by the wall clock and CPU µs per event (user + system, every
// thread: the ONNX worker's too), with a checksum of every score's bits so that two builds can be shown to agree.
// Usage: node bench/in-process.mjs --model-dir DIR --input FILE.csv [--batch 1024] [--rounds 2] [--explain-above 1]
//   [--window-cache N] [--against CHECKOUT --pairs 3]
// --window-cache: the context-free model's (a cascade's screen's) window cache, default its default; each row prints
// the share of events it answered (cache_hits) and the share a cascade escalated.
// --explain-above: results at or above it get their whole explanation (1: the top field only, as `score --compact`
// and most anomaly fields; 0: every field of every event). Each round scores the whole file from an empty history;
// each round loads the scorer afresh (empty history and window cache); the first round also starts the JIT cold.
// --against: another checkout (built, dist/) runs the same loop in its own process, alternated with this one,
// --pairs times; each process prints one row per round (as JSON when run with --dist DIR, the build to import, which
// --against passes to each child).
import { spawnSync } from 'node:child_process';
import { loadavg, cpus } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const { values } = parseArgs({
  options: {
    'model-dir': { type: 'string' },
    input: { type: 'string' },
    batch: { type: 'string', default: '1024' },
    rounds: { type: 'string', default: '2' },
    'explain-above': { type: 'string', default: '1' },
    against: { type: 'string' },
    pairs: { type: 'string', default: '3' },
    dist: { type: 'string' },
    'window-cache': { type: 'string' },
  },
});
if (!values['model-dir'] || !values.input) throw new Error('usage: node bench/in-process.mjs --model-dir DIR --input FILE.csv [--against CHECKOUT]');
const self = fileURLToPath(import.meta.url);
const here = resolve(self, '../..');

if (values.against) {
  const against = resolve(values.against);
  const pass = ['--model-dir', values['model-dir'], '--input', values.input, '--batch', values.batch, '--rounds', values.rounds, '--explain-above', values['explain-above'], ...(values['window-cache'] ? ['--window-cache', values['window-cache']] : [])];
  console.log(`\nScorer.score in-process, batch ${values.batch}, ${values.rounds} rounds per process — ${cpus().length} cores, node ${process.version}; base ${against}, this ${here}`);
  console.log('| pair | checkout | round | events/s | CPU µs/event | load average | checksum |');
  console.log('|---:|---|---:|---:|---:|---:|---|');
  for (let pair = 1; pair <= Number(values.pairs); pair++) {
    const order = pair % 2 ? [['base', against], ['this', here]] : [['this', here], ['base', against]];
    for (const [name, checkout] of order) {
      const r = spawnSync(process.execPath, [self, ...pass, '--dist', resolve(checkout, 'dist')], { encoding: 'utf8', maxBuffer: 1 << 24 });
      if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr.slice(-2000)}`);
      for (const line of r.stdout.trim().split('\n')) {
        const row = JSON.parse(line);
        console.log(`| ${pair} | ${name} | ${row.round} | ${Math.round(row.events_per_s).toLocaleString('en-US')} | ${row.cpu_us_per_event.toFixed(1)} | ${row.load.toFixed(1)} | ${row.checksum} |`);
      }
    }
  }
} else {
  const dist = values.dist ? new URL(`file://${resolve(values.dist)}/`) : new URL('../dist/', import.meta.url);
  const { Scorer } = await import(new URL('scorer/scorer.js', dist));
  const { createAdapter } = await import(new URL('adapters/registry.js', dist));
  const { readEvents } = await import(new URL('adapters/read.js', dist));
  const B = Number(values.batch);
  const explainAbove = Number(values['explain-above']);
  const load = () => Scorer.load(resolve(values['model-dir']), { maxBatch: B, ...(values['window-cache'] ? { windowCache: Number(values['window-cache']) } : {}) });
  let scorer = await load();
  const adapter = createAdapter(scorer.bundle.format, scorer.bundle.adapter_options);
  const events = [];
  for await (const item of readEvents([resolve(values.input)], adapter)) if (item.event) events.push(item.event);
  const batches = [];
  for (let i = 0; i < events.length; i += B) batches.push(events.slice(i, i + B));
  for (let round = 1; round <= Number(values.rounds); round++) {
    // A fresh scorer per round: an empty history and window cache, as a file seen once meets them.
    if (round > 1) {
      await scorer.close();
      scorer = await load();
    }
    const bits = new Float64Array(2);
    const words = new Uint32Array(bits.buffer);
    let h = 0x811c9dc5;
    const loadAverage = loadavg()[0];
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (const batch of batches) {
      const results = await scorer.score(batch, undefined, undefined, explainAbove);
      for (const r of results) {
        bits[0] = r.raw;
        bits[1] = r.anomaly_score;
        for (let w = 0; w < 4; w++) h = Math.imul(h ^ (words[w] ?? 0), 0x01000193);
      }
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const c = process.cpuUsage(c0);
    console.log(JSON.stringify({ round, events: events.length, events_per_s: events.length / seconds, cpu_us_per_event: (c.user + c.system) / events.length, load: loadAverage, checksum: (h >>> 0).toString(16), ...(scorer.screenStats ? { escalated: scorer.screenStats.escalated / scorer.screenStats.screened } : {}), ...(scorer.windowCache ? { cache_hits: scorer.windowCache.hits / (scorer.windowCache.hits + scorer.windowCache.misses), cache_off: scorer.windowCache.off } : {}) }));
  }
  await scorer.close();
}
