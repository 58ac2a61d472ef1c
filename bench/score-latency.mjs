#!/usr/bin/env node
// /v1/score latency benchmark: single-event requests to `seqsentry serve` from 1, 16 and 64 concurrent clients
// (each sends its next request when the last one is answered); prints p50/p90/p99/max latency and requests/s.
// Usage: node bench/score-latency.mjs [--requests 3000] [--concurrency 1,16,64] [--kind transformer-mlm]
//        [--unusual-hours] (logons at hours new to the model: every answer explained in full)
// Needs the compiled CLI (npm run build). OpenSearch is not needed: requests name no scope, so no history refill.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { benchTimes, ecsBenchModel, ecsLogons, percentile, startServe, UNUSUAL_HOURS_OPTION } from './lib/ecs-bench.mjs';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '1,16,64' },
    kind: { type: 'string', default: 'transformer-mlm' },
    out: { type: 'string', default: 'bench/results' },
    ...UNUSUAL_HOURS_OPTION,
  },
});
const out = resolve(values.out);
const work = join(out, 'enrich-work'); // shares the trained model with bench/enrich.mjs
await mkdir(work, { recursive: true });
const TOKEN = 'bench-token-0123456789abcdef';
const modelDir = await ecsBenchModel(work, { kind: values.kind });
const docs = [...ecsLogons(20_000, 43, benchTimes(20_000, { unusualHours: values['unusual-hours'], hoursAgo: 1 }))].map((d) => JSON.stringify(d));
// No OpenSearch: /readyz would wait for it, so point the sidecar at a closed port and turn the refill off.
const sidecar = await startServe({ modelDir, opensearchUrl: 'http://127.0.0.1:9', token: TOKEN, settings: { history: { refill: false } } });
const agent = new Agent({ connections: 128, pipelining: 1 });
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

async function run(concurrency, total) {
  const latencies = [];
  let explained = 0; // answers with the full explanation (only it keeps the raw score)
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const body = docs[next++ % docs.length];
      const t = performance.now();
      const res = await request(`${sidecar.url}/v1/score`, { method: 'POST', headers, body, dispatcher: agent });
      const text = await res.body.text();
      latencies.push(performance.now() - t);
      if (res.statusCode !== 200 || !text.includes('"anomaly_score"')) throw new Error(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
      if (text.includes('"raw":')) explained++;
    }
  }));
  const s = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { concurrency, requests: total, p50_ms: +percentile(latencies, 50).toFixed(2), p90_ms: +percentile(latencies, 90).toFixed(2), p99_ms: +percentile(latencies, 99).toFixed(2), max_ms: +latencies.at(-1).toFixed(2), requests_per_s: Math.round(total / s), explained_in_full_pct: +((explained / total) * 100).toFixed(1) };
}

const rows = [];
try {
  await run(4, 400); // warm-up: JIT, ONNX session, connections
  for (const c of values.concurrency.split(',').map(Number)) rows.push(await run(c, Number(values.requests)));
} finally {
  await agent.close();
  await sidecar.stop();
}
process.stdout.write('\n| clients | requests | p50 ms | p90 ms | p99 ms | max ms | requests/s | explained in full |\n|---|---|---|---|---|---|---|---|\n');
for (const r of rows) process.stdout.write(`| ${r.concurrency} | ${r.requests} | ${r.p50_ms} | ${r.p90_ms} | ${r.p99_ms} | ${r.max_ms} | ${r.requests_per_s} | ${r.explained_in_full_pct} % |\n`);
process.stdout.write(`\n(${values.kind}, one event per request, ${values['unusual-hours'] ? 'unusual' : 'ordinary'} hours, ${cpus().length} cores, client and sidecar on the same machine)\n`);
await writeFile(join(out, 'score-latency.json'), JSON.stringify({ kind: values.kind, unusual_hours: values['unusual-hours'], cpus: cpus().length, rows }, null, 2) + '\n');
