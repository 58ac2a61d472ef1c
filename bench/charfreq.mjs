#!/usr/bin/env node
// charfreq's throughput on one core (issue 9 floor: >= 200,000 messages/s). Trains charfreq on the real auth.log of
// ../shared/data/linux, then scores that sample's messages (cycled to --messages) on the main thread:
//   model:  CharfreqModel.score(source, message), the raw score and its explanation (what every scored event gets);
//   raw:    the statistics alone (no explanation);
//   scorer: Scorer.score on the canonical events in batches of 1024 (canonical order, runtime, calibration).
// Pin it to one core with `taskset -c 0`. Writes bench/results/charfreq.json.
// Usage: node bench/charfreq.mjs [--messages 1000000] [--out DIR]. Needs `npm run build`.
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { root } from './lib/ecs-bench.mjs';

const { values } = parseArgs({ options: { messages: { type: 'string', default: '1000000' }, out: { type: 'string', default: 'bench/results' } } });
const N = Number(values.messages);
const dist = (p) => import(new URL(`../dist/${p}`, import.meta.url).href);
const { train } = await dist('commands/train.js');
const { Scorer } = await dist('scorer/scorer.js');
const { createAdapter } = await dist('adapters/registry.js');
const { isNoEvent } = await dist('adapters/adapter.js');
const { CharfreqModel, sourceKey } = await dist('kinds/charfreq/model.js');

const sample = join(root, '..', 'shared', 'data', 'linux', 'ubuntu-internet-host-auth.log');
const options = { year: 2024 };
const modelDir = join(await mkdtemp(join(tmpdir(), 'seqsentry-bench-charfreq-')), 'model');
await train({ format: 'authlog', adapterOptions: options, inputs: [sample], modelDir, kind: 'charfreq', seed: 1, minCount: 2, hourToken: true, strict: false });

const adapter = createAdapter('authlog', options);
const events = (await readFile(sample, 'utf8')).split('\n').flatMap((line, i) => {
  const e = line.trim() ? adapter.parse(line, { file: 'bench', line: i + 1 }) : null;
  return e && !isNoEvent(e) ? [e] : [];
});
const params = JSON.parse(await readFile(join(modelDir, 'charfreq.json'), 'utf8'));
const model = new CharfreqModel(params);
const sources = events.map((e) => sourceKey(params.source, e));
const texts = events.map((e) => e.text);
const meanLength = texts.reduce((a, t) => a + t.length, 0) / texts.length;

/**
 * A stopwatch of wall time and of this process's CPU time: on a shared machine the wall clock also counts the time
 * other processes held the core, the CPU time only ours (GC helper threads included, so it errs low).
 */
function stopwatch() {
  const wall = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { wall: Number(process.hrtime.bigint() - wall) / 1e9, cpu: (used.user + used.system) / 1e6 };
  };
}

/** Messages per second (wall and CPU) of `step(i)` over N calls, after a warm-up of a tenth of that. */
function rate(step) {
  let sink = 0;
  for (let i = 0; i < N / 10; i++) sink += step(i % texts.length);
  const stop = stopwatch();
  for (let i = 0; i < N; i++) sink += step(i % texts.length);
  const t = stop();
  if (Number.isNaN(sink)) throw new Error('NaN score');
  return { wall: N / t.wall, cpu: N / t.cpu };
}

const modelRate = rate((i) => model.score(sources[i], texts[i]).raw);
const rawRate = rate((i) => model.raw(model.statistics(sources[i], texts[i])));

const scorer = await Scorer.load(modelDir);
const batch = 1024;
const batches = [];
for (let i = 0; i < events.length; i += batch) batches.push(events.slice(i, i + batch));
let done = 0;
for (const b of batches.slice(0, 5)) await scorer.score(b); // warm-up
const stop = stopwatch();
for (let k = 0; done < N / 2; k++) {
  const b = batches[k % batches.length];
  await scorer.score(b);
  done += b.length;
}
const t = stop();
const scorerRate = { wall: done / t.wall, cpu: done / t.cpu };
await scorer.close();

const fmt = (x) => Math.round(x).toLocaleString('en-US');
const line = (what, r) => console.log(`  ${what.padEnd(34)} ${fmt(r.cpu).padStart(9)} per CPU second, ${fmt(r.wall).padStart(9)} per wall second`);
console.log(`charfreq on ${events.length} real auth.log messages (mean ${meanLength.toFixed(1)} characters), one thread, load average ${loadavg()[0].toFixed(1)}:`);
line('model (score + explanation)', modelRate);
line('raw statistics only', rawRate);
line(`Scorer.score, batches of ${batch}`, scorerRate);
console.log(`floor 200,000 messages/s on one core (model with explanation, per CPU second): ${modelRate.cpu >= 200_000 ? 'met' : 'NOT met'}`);

await mkdir(resolve(values.out), { recursive: true });
const result = { messages: events.length, mean_length: meanLength, scored: N, load_average: loadavg()[0], model: modelRate, raw: rawRate, scorer: scorerRate, floor_met: modelRate.cpu >= 200_000 };
await writeFile(join(resolve(values.out), 'charfreq.json'), JSON.stringify(result, null, 1) + '\n');
