#!/usr/bin/env node
// Bundle switch under load: 16 clients send single-event /v1/score requests to `seqsentry serve` without pause
// while POST /v1/admin/reload switches to a new version half way; prints requests/s and p50/p99/max latency in the
// second before the reload, the second from the reload's start, and the second after it answered, the reload's
// load time, and the failed requests (expected: 0).
// With --opensearch the requests name an index that holds every entity's earlier events (100 users) and history
// refill is on: the entities are warm before the switch and cold for the new bundle after it, whose history is
// refilled from OpenSearch, so the second after the switch shows what that refill costs.
// Usage: node bench/reload.mjs [--clients 16] [--seconds 6] [--kind transformer-mlm] [--opensearch]
//        [--unusual-hours] (logons at hours new to the model: every answer explained in full)
// Needs the compiled CLI (npm run build); OpenSearch only with --opensearch (OPENSEARCH_URL or the local node).
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { benchTimes, call, ECS_BENCH_MAPPINGS, ecsBenchModel, ecsLogons, openSearchUrl, percentile, startServe, UNUSUAL_HOURS_OPTION } from './lib/ecs-bench.mjs';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '6' },
    kind: { type: 'string', default: 'transformer-mlm' },
    out: { type: 'string', default: 'bench/results' },
    opensearch: { type: 'boolean', default: false },
    ...UNUSUAL_HOURS_OPTION,
  },
});
const out = resolve(values.out);
const work = join(out, 'enrich-work'); // shares the trained model with bench/enrich.mjs
await mkdir(work, { recursive: true });
const TOKEN = 'bench-token-0123456789abcdef';
const ADMIN = 'bench-admin-0123456789abcdef';
const trained = await ecsBenchModel(work, { kind: values.kind });
// A private copy: the reload rewrites its bundle.json with a new version.
const tmp = mkdtempSync(join(tmpdir(), 'seqsentry-bench-reload-'));
const modelDir = join(tmp, 'bundle');
cpSync(trained, modelDir, { recursive: true });
const USERS = 100;
const index = `seqsentry-bench-reload-${process.pid}`;
const os = values.opensearch ? openSearchUrl() : null;
const unusualHours = values['unusual-hours'];
const docs = [...ecsLogons(20_000, 47, benchTimes(20_000, { unusualHours, hoursAgo: 1 }), os ? USERS : 2000)].map((d) => JSON.stringify(os ? { scope: index, events: [d] } : d));
if (os) {
  // Each user's earlier events, for the refill (the day before the scored ones; unusual hours: the hour before).
  await call(os, 'DELETE', `/${index}`);
  await call(os, 'PUT', `/${index}`, { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: ECS_BENCH_MAPPINGS });
  const earlier = [...ecsLogons(5_000, 46, benchTimes(5_000, { unusualHours, hoursAgo: 2, daysBack: 2 }), USERS)];
  const res = await call(os, 'POST', `/${index}/_bulk?refresh=true`, earlier.flatMap((d) => [JSON.stringify({ index: {} }), JSON.stringify(d)]).join('\n') + '\n');
  if (res.json?.errors !== false) throw new Error(`loading ${index}: ${JSON.stringify(res.json).slice(0, 300)}`);
}
const sidecar = await startServe({ modelDir, opensearchUrl: os ?? 'http://127.0.0.1:9', token: TOKEN, settings: { history: { refill: Boolean(os) }, auth: { admin_tokens: [ADMIN] } } });
const agent = new Agent({ connections: 128, pipelining: 1 });
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

/** [sent, answered, version or error] per request, in ms since the start. */
const log = [];
let stop = false;
let next = 0;
let explained = 0; // answers with the full explanation (only it keeps the raw score)
const t0 = performance.now();
async function client() {
  while (!stop) {
    const body = docs[next++ % docs.length];
    const sent = performance.now() - t0;
    const res = await request(`${sidecar.url}/v1/score`, { method: 'POST', headers, body, dispatcher: agent });
    const text = await res.body.text();
    const answer = res.statusCode === 200 ? JSON.parse(text) : null;
    if (answer?.results[0]?.anomaly?.raw !== undefined) explained++;
    log.push([sent, performance.now() - t0, answer ? answer.model.version : `HTTP ${res.statusCode}`]);
  }
}

let reload;
try {
  const clients = Array.from({ length: Number(values.clients) }, client);
  const seconds = Number(values.seconds);
  await new Promise((r) => setTimeout(r, (seconds / 2) * 1000));
  const manifest = join(modelDir, 'bundle.json');
  const bundle = JSON.parse(readFileSync(manifest, 'utf8'));
  writeFileSync(`${manifest}.tmp`, JSON.stringify({ ...bundle, version: `${bundle.version}-next` }));
  renameSync(`${manifest}.tmp`, manifest);
  const started = performance.now() - t0;
  const res = await request(`${sidecar.url}/v1/admin/reload`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` }, dispatcher: agent });
  reload = { ...JSON.parse(await res.body.text()), started, answered: performance.now() - t0, http_status: res.statusCode };
  await new Promise((r) => setTimeout(r, (seconds / 2) * 1000));
  stop = true;
  await Promise.all(clients);
} finally {
  await agent.close();
  await sidecar.stop();
  rmSync(tmp, { recursive: true, force: true });
  if (os) await call(os, 'DELETE', `/${index}`);
}

function window(name, from, to) {
  const rows = log.filter(([sent]) => sent >= from && sent < to);
  const latencies = rows.map(([s, a]) => a - s).sort((a, b) => a - b);
  return { window: name, requests: rows.length, requests_per_s: Math.round(rows.length / ((to - from) / 1000)), p50_ms: +percentile(latencies, 50).toFixed(2), p99_ms: +percentile(latencies, 99).toFixed(2), max_ms: +(latencies.at(-1) ?? 0).toFixed(2) };
}
const rows = [window('1 s before the reload', reload.started - 1000, reload.started), window('1 s from the reload', reload.started, reload.started + 1000), window('1 s after it answered', reload.answered, reload.answered + 1000)];
const timeline = Array.from({ length: Math.ceil(Number(values.seconds) * 4) + 8 }, (_, i) => log.filter(([, a]) => a >= i * 250 && a < (i + 1) * 250).length);
process.stdout.write(`answers per 250 ms: ${timeline.join(' ')}\n`);
const failed = log.filter(([, , v]) => v.startsWith('HTTP')).length;
const versions = [...new Set(log.map(([, , v]) => v))];
process.stdout.write(`\nreload: HTTP ${reload.http_status} ${reload.status}, load ${reload.load_seconds} s, answered after ${((reload.answered - reload.started) / 1000).toFixed(3)} s; ${log.length} requests, ${failed} failed, ${(explained / log.length * 100).toFixed(1)} % explained in full (${unusualHours ? 'unusual' : 'ordinary'} hours); versions seen: ${versions.join(', ')}\n`);
process.stdout.write('\n| window | requests | requests/s | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|---|\n');
for (const r of rows) process.stdout.write(`| ${r.window} | ${r.requests} | ${r.requests_per_s} | ${r.p50_ms} | ${r.p99_ms} | ${r.max_ms} |\n`);
process.stdout.write(`\n(${values.kind}, ${values.clients} clients, one event per request, ${os ? `${USERS} users, history refilled from OpenSearch` : 'no history refill'}, ${cpus().length} cores, client and sidecar on the same machine)\n`);
await writeFile(join(out, os ? 'reload-opensearch.json' : 'reload.json'), JSON.stringify({ kind: values.kind, opensearch: Boolean(os), clients: Number(values.clients), cpus: cpus().length, unusual_hours: unusualHours, explained_in_full: explained, reload, failed, versions, rows }, null, 2) + '\n');
