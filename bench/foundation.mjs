#!/usr/bin/env node
// Foundation benchmark: training time and model size per kind, scoring throughput at batch 1, 64 and 1024.
// Usage: node bench/foundation.mjs [--train-events 100000] [--kinds transformer-mlm,lstm-lm,transformer-lm] [--epochs N] [--out bench/results]
//        [--model-dir DIR]  score with an already trained bundle of the one kind given (no training: train s is blank),
//        e.g. the same bundle under two builds in one run, for a before/after ratio
// --epochs caps training (the trainer's default otherwise) when a slow kind must fit a short run; train s then covers N epochs.
// Reads the compiled CLI in dist/ (npm run build). Prints a table and writes the rows as JSON.
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { quiet } from './lib/ecs-bench.mjs';

const dist = new URL('../dist/', import.meta.url);
const { default: simulate } = await import(new URL('commands/simulate.js', dist));
const { train } = await import(new URL('commands/train.js', dist));
const { Scorer } = await import(new URL('scorer/scorer.js', dist));
const { createAdapter } = await import(new URL('adapters/registry.js', dist));
const { readEvents } = await import(new URL('adapters/read.js', dist));

const { values } = parseArgs({
  options: {
    'train-events': { type: 'string', default: '100000' },
    kinds: { type: 'string', default: 'transformer-mlm,lstm-lm,transformer-lm' },
    out: { type: 'string', default: 'bench/results' },
    days: { type: 'string', default: '9' },
    'score-events': { type: 'string', default: '50000' },
    epochs: { type: 'string' },
    'model-dir': { type: 'string' },
  },
});
const out = resolve(values.out);
const work = join(out, 'foundation-work');
await mkdir(work, { recursive: true });
const trainEvents = Number(values['train-events']);
// The simulator makes ~20k events a weekday: enough days for the training size plus 2 test days.
const days = Math.max(Number(values.days), Math.ceil(trainEvents / 15000) + 2);

await quiet(() => simulate.run(['--days', String(days), '--seed', '3', '--out', join(work, 'data')]));
const adapter = createAdapter('lanl');
const testEvents = [];
for await (const item of readEvents([join(work, 'data', 'test.csv')], adapter)) {
  if (item.event) testEvents.push(item.event);
  if (testEvents.length >= Number(values['score-events'])) break;
}

async function throughput(scorer, batch, limit) {
  const events = testEvents.slice(0, limit);
  scorer.history.clear();
  await scorer.score(events.slice(0, Math.min(batch, events.length))); // warm-up
  scorer.history.clear();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < events.length; i += batch) await scorer.score(events.slice(i, i + batch));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return events.length / seconds;
}

const rows = [];
for (const kind of values.kinds.split(',')) {
  const given = values['model-dir'] !== undefined;
  const modelDir = given ? resolve(values['model-dir']) : join(work, `model-${kind}`);
  const t0 = Date.now();
  if (!given) await quiet(() => train({ format: 'lanl', inputs: [join(work, 'data', 'train.csv')], modelDir, kind, seed: 1, minCount: 2, hourToken: true, strict: false, maxEvents: trainEvents, ...(values.epochs ? { epochs: Number(values.epochs) } : {}) }));
  const trainSeconds = given ? NaN : (Date.now() - t0) / 1000;
  const size = (await stat(join(modelDir, 'model.onnx'))).size;
  const scorer = await Scorer.load(modelDir, { maxBatch: 1024 });
  const row = { kind, train_events: trainEvents, train_seconds: trainSeconds, model_bytes: size };
  for (const [batch, limit] of [[1, 3000], [64, 20000], [1024, testEvents.length]]) {
    row[`events_per_s_b${batch}`] = await throughput(scorer, batch, limit);
  }
  row.rss_mb = process.memoryUsage().rss / 2 ** 20;
  await scorer.close();
  rows.push(row);
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
console.log(`\nSeqSentry foundation benchmark — ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}`);
console.log('| kind | train events | train s | model KiB | ev/s batch 1 | ev/s batch 64 | ev/s batch 1024 | RSS MiB |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.kind} | ${fmt(r.train_events)} | ${r.train_seconds.toFixed(1)} | ${fmt(r.model_bytes / 1024)} | ${fmt(r.events_per_s_b1)} | ${fmt(r.events_per_s_b64)} | ${fmt(r.events_per_s_b1024)} | ${fmt(r.rss_mb)} |`);
}
await writeFile(join(out, `foundation-${trainEvents}.json`), JSON.stringify({ cores: cpus().length, node: process.version, rows }, null, 2));
