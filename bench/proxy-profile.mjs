#!/usr/bin/env node
// The sidecar's CPU per document on one path, optionally profiled: starts `seqsentry serve` (under
// `node --cpu-prof` with --profile), sends the ECS logons of bench/proxy.mjs through its _bulk proxy into OpenSearch
// (--path proxy) or one document per /v1/ml/score call as the ML Commons connector does (--path ml), stops it,
// then prints the sidecar's CPU µs per document per thread (/proc) and, with --profile, where its event-loop
// thread's time went, by stage (bench/lib/profile-stages.mjs).
// --warmup N sends N earlier logons through the same path first, unmeasured (the sidecar then knows the users'
// histories and V8 has optimized its code: the steady state of a sidecar that runs for days); with --profile, also
// the busiest functions of each other thread (the ONNX worker's, by self time).
// Usage: node bench/proxy-profile.mjs [--path proxy|ml] [--events 20000] [--bulk 1000] [--clients 2 (ml: 16)]
//        [--warmup 0] [--profile] [--model-dir DIR] [--onnx-threads N (serve's batching.onnx_threads)] [--unusual-hours] (logons at hours new to the model: every one explained in full)
// Needs the compiled CLI and a running OpenSearch (OPENSEARCH_URL, else node scripts/opensearch.mjs url).
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bulkBodies, sendBulks } from './lib/bulk-send.mjs';
import { call, cpuSeconds, threadCpuSeconds, ECS_BENCH_MAPPINGS, benchTimes, ecsBenchModel, ecsLogons, openSearchUrl, startServe, UNUSUAL_HOURS_OPTION } from './lib/ecs-bench.mjs';
import { profileStages, selfTimeTable, stagesTable } from './lib/profile-stages.mjs';

const { values } = parseArgs({
  options: {
    path: { type: 'string', default: 'proxy' },
    events: { type: 'string', default: '20000' },
    bulk: { type: 'string', default: '1000' },
    clients: { type: 'string' },
    warmup: { type: 'string', default: '0' },
    profile: { type: 'boolean', default: false },
    'model-dir': { type: 'string' },
    'onnx-threads': { type: 'string' },
    out: { type: 'string', default: 'bench/results' },
    ...UNUSUAL_HOURS_OPTION,
  },
});
const PATH = values.path;
if (PATH !== 'proxy' && PATH !== 'ml') throw new Error(`--path ${PATH}: proxy or ml`);
const N = Number(values.events);
const WARMUP = Number(values.warmup);
const CLIENTS = Number(values.clients ?? (PATH === 'ml' ? 16 : 2));
const out = resolve(values.out);
const url = openSearchUrl();
const TOKEN = 'bench-token-0123456789abcdef';
const modelDir = values['model-dir'] ? resolve(values['model-dir']) : await ecsBenchModel(join(out, 'enrich-work'));
const profileDir = join(out, `proxy-profile-${process.pid}`);
if (values.profile) {
  await mkdir(profileDir, { recursive: true });
  process.env.SEQSENTRY_BENCH_NODE_FLAGS = `${process.env.SEQSENTRY_BENCH_NODE_FLAGS ?? ''} --cpu-prof --cpu-prof-dir ${profileDir}`;
}

// One series in time order: the first WARMUP logons warm the sidecar up, the N after them are measured.
const series = [...ecsLogons(WARMUP + N, 42, benchTimes(WARMUP + N, { unusualHours: values['unusual-hours'] }))].map((d) => JSON.stringify(d));
const warmupDocs = series.slice(0, WARMUP);
const docs = series.slice(WARMUP);
const index = `seqsentry-bench-proxy-profile-${PATH}`;
await call(url, 'DELETE', `/${index}`);
const created = await call(url, 'PUT', `/${index}`, { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: ECS_BENCH_MAPPINGS });
if (created.status !== 200) throw new Error(`create ${index}: ${JSON.stringify(created.json)}`);

const sidecar = await startServe({ modelDir, opensearchUrl: url, token: TOKEN, settings: values['onnx-threads'] === undefined ? {} : { batching: { onnx_threads: Number(values['onnx-threads']) } } });
const auth = { authorization: `Bearer ${TOKEN}` };
let seconds;
let explained = null; // documents explained in full
let threads;
let process0;
const phase = { from: 0, to: 0 }; // µs of the monotonic clock, which V8 stamps its profiles with
/**
 * Sends `lines` (ids from `e<first>` on: the measured documents add to the warm-up's rather than overwrite them);
 * returns seconds and, on the ML route, how many answers were explained in full.
 */
async function send(lines, first) {
  if (PATH === 'proxy') {
    const bodies = bulkBodies(lines, Number(values.bulk), first);
    return { seconds: await sendBulks(sidecar.url, index, bodies, { clients: CLIENTS, headers: auth }), explained: null };
  }
  // the connector's request body (pipelines/ml/seqsentry-sidecar.connector.json): the index and the document
  const bodies = lines.map((d) => `{"index":"${index}","doc":${d}}`);
  let next = 0;
  let explained = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    while (next < bodies.length) {
      const res = await fetch(`${sidecar.url}/v1/ml/score`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: bodies[next++] });
      const answer = await res.json();
      if (res.status !== 200 || typeof answer.anomaly_score !== 'number') throw new Error(`/v1/ml/score: HTTP ${res.status} ${JSON.stringify(answer).slice(0, 300)}`);
      if (answer.anomaly?.raw !== undefined) explained++; // only the full explanation keeps the raw score
    }
  }));
  return { seconds: (performance.now() - t0) / 1000, explained };
}
/** The sidecar's micro-batches so far (its seqsentry_batch_size histogram): how many, and the events in them. */
async function batches() {
  const text = await (await fetch(`${sidecar.url}/metrics`, { headers: auth })).text();
  const read = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { count: read('seqsentry_batch_size_count'), events: read('seqsentry_batch_size_sum') };
}
let eventsPerBatch;
try {
  if (WARMUP > 0) await send(warmupDocs, 0);
  const batches0 = await batches();
  const threads0 = threadCpuSeconds(sidecar.pid);
  process0 = cpuSeconds(sidecar.pid);
  phase.from = Number(process.hrtime.bigint() / 1000n);
  ({ seconds, explained } = await send(docs, WARMUP));
  phase.to = Number(process.hrtime.bigint() / 1000n);
  const batches1 = await batches();
  eventsPerBatch = +((batches1.events - batches0.events) / (batches1.count - batches0.count)).toFixed(2);
  const perDoc = (a, b) => +(((b - a) / N) * 1e6).toFixed(1);
  const total = perDoc(process0, cpuSeconds(sidecar.pid));
  threads = { total };
  for (const [name, sec] of Object.entries(threadCpuSeconds(sidecar.pid))) {
    const us = perDoc(threads0[name] ?? 0, sec);
    if (us >= 0.5) threads[name] = us;
  }
} finally {
  await sidecar.stop();
}
const load = loadavg().map((l) => l.toFixed(2)).join(' ');
// the proxy's measured documents as written (the warm-up's are earlier in event time): how many carry a score (the
// others anomaly.pending: a refill search timed out), how many the full explanation (only it keeps anomaly.raw)
let scored = null;
if (PATH === 'proxy') {
  await call(url, 'POST', `/${index}/_refresh`);
  const measured = (field) => ({ query: { bool: { filter: [{ exists: { field } }, { range: { '@timestamp': { gte: JSON.parse(docs[0])['@timestamp'] } } }] } } });
  scored = (await call(url, 'POST', `/${index}/_count`, measured('anomaly_score'))).json.count;
  explained = (await call(url, 'POST', `/${index}/_count`, measured('anomaly.raw'))).json.count;
}
await call(url, 'DELETE', `/${index}`);
const summary = { path: PATH, events: N, warmup: WARMUP, scored, unusual_hours: values['unusual-hours'], explained_in_full: explained, explained_in_full_pct: +((explained / N) * 100).toFixed(2), clients: CLIENTS, onnx_threads: values['onnx-threads'] ?? 'default', docs_per_s: Math.round(N / seconds), events_per_batch: eventsPerBatch, sidecar_cpu_us_per_doc: threads, loadavg: load, profiled: values.profile };
process.stdout.write(`${JSON.stringify(summary)}\n`);
if (values.profile) {
  // the event loop's thread is thread 0 in the file name CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile
  const file = (await readdir(profileDir)).find((f) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(f));
  if (!file) throw new Error(`no main-thread profile in ${profileDir}`);
  const table = stagesTable(profileStages(join(profileDir, file), undefined, phase), N);
  process.stdout.write(`\nevent-loop thread, ${PATH}, ${N} documents (${join(profileDir, file)}):\n${table}\n`);
  const top = selfTimeTable(join(profileDir, file), N, { window: phase });
  process.stdout.write(`\nevent-loop thread, busiest functions:\n${top}\n`);
  const modules = selfTimeTable(join(profileDir, file), N, { window: phase, byModule: true });
  process.stdout.write(`\nevent-loop thread, busiest modules:\n${modules}\n`);
  // the other threads (the ONNX worker's JavaScript and the native run it waits in)
  const others = [];
  for (const f of (await readdir(profileDir)).filter((f) => f !== file && f.endsWith('.cpuprofile'))) {
    others.push(`thread ${f.split('.')[4]} (${f}), busiest functions:\n${selfTimeTable(join(profileDir, f), N, { window: phase, top: 10 })}`);
  }
  if (others.length) process.stdout.write(`\n${others.join('\n\n')}\n`);
  await writeFile(join(out, `proxy-profile-${PATH}.md`), `${JSON.stringify(summary)}\n\n${table}\n\n${top}\n\n${modules}\n\n${others.join('\n\n')}\n`);
  if (process.env.SEQSENTRY_KEEP_PROFILE !== '1') await rm(profileDir, { recursive: true });
}
