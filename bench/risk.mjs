#!/usr/bin/env node
// Login-risk benchmark of the lstm-ae kind on simulated web logins (bench/lib/weblogins.mjs): training time, scoring
// throughput in-process at batch 1, 64 and 1024 (issue 9's floor: 20,000 logins/s at batch 1024), then POST /v1/risk
// latency from 1 and 16 concurrent clients (each sends its next login when the last one is answered; floor: p99 10 ms
// at 16 clients), beside /v1/score given the same logins by the same sidecar in the same run: on a shared machine the
// absolute figures move with the load, their ratio much less; so does the sidecar's CPU per login and the number of
// ONNX calls (micro-batches, from /metrics) per 100 logins, which say where a change saved work.
// Usage: node bench/risk.mjs [--users 500] [--days 14] [--epochs 10] [--requests 3000] [--concurrency 1,16]
//   [--routes /v1/risk,/v1/score] [--warmup 12000] [--model-dir DIR (skip training)] [--out bench/results]
// Needs the compiled CLI (npm run build). OpenSearch is not needed: the sidecar's history refill is off.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { cpuSeconds, dist, percentile, quiet, startServe } from './lib/ecs-bench.mjs';
import { webLogins } from './lib/weblogins.mjs';

const { train } = await import(new URL('commands/train.js', dist));
const { Scorer } = await import(new URL('scorer/scorer.js', dist));
const { createAdapter } = await import(new URL('adapters/registry.js', dist));

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '500' },
    days: { type: 'string', default: '14' },
    epochs: { type: 'string', default: '10' },
    requests: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '1,16' },
    routes: { type: 'string', default: '/v1/risk,/v1/score' },
    warmup: { type: 'string', default: '12000' },
    'model-dir': { type: 'string', help: 'a trained weblogin bundle to measure instead of training one' },
    out: { type: 'string', default: 'bench/results' },
  },
});
const out = resolve(values.out);
const work = join(out, 'risk-work');
await mkdir(work, { recursive: true });
const users = Number(values.users);
const days = Number(values.days);

const trainLogins = webLogins({ users, days, seed: 1 });
const testLogins = webLogins({ users, days: 7, firstDay: days, seed: 2 });
await writeFile(join(work, 'train.jsonl'), trainLogins.map((l) => JSON.stringify(l)).join('\n') + '\n');
const modelDir = values['model-dir'] ? resolve(values['model-dir']) : join(work, 'model');
const t0 = Date.now();
if (!values['model-dir']) await quiet(() => train({ format: 'weblogin', inputs: [join(work, 'train.jsonl')], modelDir, kind: 'lstm-ae', epochs: Number(values.epochs), seed: 1, minCount: 2, hourToken: true, strict: true }));
const trainSeconds = values['model-dir'] ? null : (Date.now() - t0) / 1000;

const adapter = createAdapter('weblogin');
const events = testLogins.map((l, i) => adapter.parse(l, { file: 'bench', line: i + 1 }));
const scorer = await Scorer.load(modelDir, { maxBatch: 1024 });
async function throughput(batch, limit) {
  const some = events.slice(0, limit);
  scorer.history.clear();
  await scorer.score(some.slice(0, batch)); // warm-up
  scorer.history.clear();
  const t = process.hrtime.bigint();
  for (let i = 0; i < some.length; i += batch) await scorer.score(some.slice(i, i + batch));
  return some.length / (Number(process.hrtime.bigint() - t) / 1e9);
}
const inProcess = { kind: 'lstm-ae', train_logins: trainLogins.length, train_seconds: trainSeconds, logins: events.length };
for (const [batch, limit] of [[1, 3000], [64, 20000], [1024, events.length]]) inProcess[`logins_per_s_b${batch}`] = Math.round(await throughput(batch, limit));
await scorer.close();

const TOKEN = 'bench-token-0123456789abcdef';
const sidecar = await startServe({ modelDir, opensearchUrl: 'http://127.0.0.1:9', token: TOKEN, settings: { history: { refill: false } } });
const agent = new Agent({ connections: 64, pipelining: 1 });
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const bodies = testLogins.map((l) => JSON.stringify(l));
let sent = 0;
/** Micro-batches the sidecar has run so far (each one or more ONNX calls; one for a login route's batches). */
async function batchesSoFar() {
  const text = await (await fetch(`${sidecar.url}/metrics`, { headers })).text();
  return Number(/^seqsentry_batch_size_count (\d+)/m.exec(text)?.[1] ?? NaN);
}
async function run(path, concurrency, total) {
  const latencies = [];
  let next = 0;
  const batches0 = await batchesSoFar();
  const cpu0 = cpuSeconds(sidecar.pid);
  const t = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      next++;
      const body = bodies[sent++ % bodies.length];
      const start = performance.now();
      const res = await request(`${sidecar.url}${path}`, { method: 'POST', headers, body, dispatcher: agent });
      const text = await res.body.text();
      latencies.push(performance.now() - start);
      if (res.statusCode !== 200 || !(path === '/v1/risk' ? text.startsWith('{"riskScore":') : text.includes('"anomaly_score"'))) throw new Error(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
    }
  }));
  const s = (performance.now() - t) / 1000;
  const cpu = cpuSeconds(sidecar.pid);
  const batches = (await batchesSoFar()) - batches0;
  latencies.sort((a, b) => a - b);
  return {
    route: path, concurrency, requests: total, p50_ms: +percentile(latencies, 50).toFixed(2), p90_ms: +percentile(latencies, 90).toFixed(2), p99_ms: +percentile(latencies, 99).toFixed(2), max_ms: +latencies.at(-1).toFixed(2), requests_per_s: Math.round(total / s),
    sidecar_cpu_us_per_request: cpu === null || cpu0 === null ? null : Math.round(((cpu - cpu0) * 1e6) / total), onnx_calls_per_100: +((100 * batches) / total).toFixed(1),
  };
}
const latency = [];
try {
  // Warm-up at 16 clients, shared by the routes measured (JIT, ONNX session, connections, the users' histories), long
  // enough that V8 is done optimizing. After 1,500 warm-up requests it still compiled 92-104 functions during the next
  // 3,000 on /v1/risk alone (the HTTP server's and the route's per-request code among them; 42 when /v1/score and the
  // 1-client runs came first, 0-2 after 13,500), and the sidecar spent 1.0-2.0x the CPU per login (median 1.4x,
  // seven pairs in the same minutes); after 12,000, 0.8-1.1x of the default order's in those runs (docs/benchmarks.md). Last to
  // settle is the code run once per batch (Scorer.score, the kind's explain, ScoringService.run): at 16 clients a
  // batch holds about 8.5 logins, and its re-optimization after a deopt came 9,000-13,500 requests in (the 1-client
  // runs, one login a batch, get it there sooner).
  const routes = values.routes.split(',');
  const warmup = Math.ceil(Number(values.warmup) / routes.length);
  for (const path of routes) await run(path, 16, warmup);
  for (const c of values.concurrency.split(',').map(Number)) {
    for (const path of routes) latency.push(await run(path, c, Number(values.requests)));
  }
} finally {
  await agent.close();
  await sidecar.stop();
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const r = inProcess;
process.stdout.write(`\nSeqSentry login-risk benchmark — ${cpus().length} cores, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
process.stdout.write('| kind | train logins | train s | logins/s batch 1 | logins/s batch 64 | logins/s batch 1024 |\n|---|---:|---:|---:|---:|---:|\n');
process.stdout.write(`| ${r.kind} | ${fmt(r.train_logins)} | ${r.train_seconds?.toFixed(1) ?? '-'} | ${fmt(r.logins_per_s_b1)} | ${fmt(r.logins_per_s_b64)} | ${fmt(r.logins_per_s_b1024)} |\n`);
process.stdout.write('\nOne login per request:\n| route | clients | requests | p50 ms | p90 ms | p99 ms | max ms | requests/s | sidecar CPU µs/request | ONNX calls /100 requests |\n|---|---|---|---|---|---|---|---|---|---|\n');
for (const l of latency) process.stdout.write(`| ${l.route} | ${l.concurrency} | ${l.requests} | ${l.p50_ms} | ${l.p90_ms} | ${l.p99_ms} | ${l.max_ms} | ${l.requests_per_s} | ${l.sidecar_cpu_us_per_request ?? '-'} | ${l.onnx_calls_per_100} |\n`);
await writeFile(join(out, 'risk.json'), JSON.stringify({ cpus: cpus().length, node: process.version, load_average: loadavg(), in_process: inProcess, risk_latency: latency }, null, 2) + '\n');
