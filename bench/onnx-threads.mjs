#!/usr/bin/env node
// ONNX Runtime's intra-op threads against the CPU and wall time of one inference call: each model of a bundle (the
// cascade's screen too) opened once per thread count, then calls of each batch size timed with the counts alternated
// round by round. CPU is the whole process's (user + system, every ONNX thread included), per call and per event.
// Which thread count the sidecar's sessions use is chosen from these figures (src/model/onnx.ts).
// Usage: node bench/onnx-threads.mjs [--model-dir DIR (default: the ECS bench model of bench/enrich.mjs)]
//        [--batches 1,4,16,64,1024] [--threads 1,2] [--rounds 6] [--events-per-round 4000]
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { ecsBenchModel } from './lib/ecs-bench.mjs';

const { values } = parseArgs({
  options: {
    'model-dir': { type: 'string' },
    batches: { type: 'string', default: '1,4,16,64,1024' },
    threads: { type: 'string', default: '1,2' },
    rounds: { type: 'string', default: '6' },
    'events-per-round': { type: 'string', default: '4000' },
    out: { type: 'string', default: 'bench/results' },
  },
});
const list = (s, name) => s.split(',').map((x) => {
  const n = Number(x);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: ${x} is not a positive integer`);
  return n;
});
const batches = list(values.batches, 'batches');
const threads = list(values.threads, 'threads');
const rounds = Number(values.rounds);
const perRound = Number(values['events-per-round']);
const modelDir = values['model-dir'] ? resolve(values['model-dir']) : await ecsBenchModel(join(resolve(values.out), 'enrich-work'));

const cpuMicros = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(label, dir) {
  const bundle = JSON.parse(await readFile(join(dir, 'bundle.json'), 'utf8'));
  const bytes = await readFile(join(dir, bundle.onnx.file));
  const rows = (bundle.context_length ?? 0) + 1;
  const width = bundle.tokenizer.fields.length;
  const sessions = new Map();
  for (const t of threads) {
    sessions.set(t, await ort.InferenceSession.create(bytes, {
      graphOptimizationLevel: 'all', executionProviders: ['cpu'], interOpNumThreads: 1, intraOpNumThreads: t,
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    }));
  }
  console.log(`\n${label}: ${dir} (tokens [B, ${rows}, ${width}]), load average ${(await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ')}`);
  console.log('| batch | intra-op threads | CPU µs per call | CPU µs per event | wall µs per call | CPU vs the first count |');
  console.log('|---:|---:|---:|---:|---:|---:|');
  for (const B of batches) {
    const feeds = { [bundle.onnx.inputs[0]]: new ort.Tensor('int64', new BigInt64Array(B * rows * width).fill(1n), [B, rows, width]) };
    const calls = Math.max(10, Math.round(perRound / B));
    for (const s of sessions.values()) for (let i = 0; i < Math.min(calls, 50); i++) await s.run(feeds); // warm-up
    const cpu = new Map(threads.map((t) => [t, []]));
    const wall = new Map(threads.map((t) => [t, []]));
    for (let r = 0; r < rounds; r++) {
      // alternate which count goes first, so drift in the machine's load falls on both
      for (const t of r % 2 === 0 ? threads : [...threads].reverse()) {
        const s = sessions.get(t);
        const c0 = cpuMicros();
        const w0 = performance.now();
        for (let i = 0; i < calls; i++) await s.run(feeds);
        cpu.get(t).push((cpuMicros() - c0) / calls);
        wall.get(t).push(((performance.now() - w0) * 1000) / calls);
      }
    }
    const base = median(cpu.get(threads[0]));
    for (const t of threads) {
      const c = median(cpu.get(t));
      console.log(`| ${B} | ${t} | ${c.toFixed(0)} | ${(c / B).toFixed(1)} | ${median(wall.get(t)).toFixed(0)} | ${(c / base).toFixed(2)}x |`);
    }
  }
  for (const s of sessions.values()) await s.release();
}

await measure('model', modelDir);
if (existsSync(join(modelDir, 'screen', 'bundle.json'))) await measure('screen (the cascade\'s context-free model)', join(modelDir, 'screen'));
