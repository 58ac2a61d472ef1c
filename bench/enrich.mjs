#!/usr/bin/env node
// Enrich benchmark: loads N synthetic ECS logon events into an index (bulk, refresh off), runs `seqsentry enrich`
// over them as a user would, and prints events/s, with the scorer's own throughput alone for comparison, and the CPU
// per event of the local OpenSearch node (when scripts/opensearch.mjs runs it) and of the enrich process.
// Usage: node bench/enrich.mjs [--events 200000] [--kind transformer-mlm|lstm-lm] [--context 8] [--page-size 5000] [--batch-size 1024] [--onnx-threads N (enrich's --onnx-threads; unset: its default)] [--slices 1] [--write-back index|update] [--keep] [--load-only --index NAME]
//        [--ceiling] (then the same walk and write-back without scoring) [--dump-scores FILE] (every event's anomaly fields, by id)
//        [--unusual-hours] (logons at hours new to the model: every event explained in full)
// Needs the compiled CLI (npm run build) and a running OpenSearch (OPENSEARCH_URL, else node scripts/opensearch.mjs url).
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { call, cpuSeconds, dist, ECS_BENCH_MAPPINGS, benchTimes, ecsBenchModel, ecsLogons, exitedChildrenCpuSeconds, explainedInFull, openSearchPid, openSearchUrl, root, UNUSUAL_HOURS_OPTION } from './lib/ecs-bench.mjs';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    'page-size': { type: 'string', default: '5000' },
    'batch-size': { type: 'string', default: '1024' },
    'onnx-threads': { type: 'string' },
    slices: { type: 'string', default: '1' },
    // Unset: enrich's default.
    'write-back': { type: 'string' },
    'train-events': { type: 'string', default: '20000' },
    kind: { type: 'string', default: 'transformer-mlm' },
    context: { type: 'string', default: '8' },
    out: { type: 'string', default: 'bench/results' },
    keep: { type: 'boolean', default: false },
    'load-only': { type: 'boolean', default: false },
    index: { type: 'string', default: 'seqsentry-bench-enrich' },
    // After the real run, the same walk and write-back again over a fresh copy of the events with one fixed set of
    // anomaly fields instead of scoring (bench/lib/enrich-ceiling.mjs): what reading and rewriting them costs alone.
    ceiling: { type: 'boolean', default: false },
    // Writes every event's anomaly fields as enrich wrote them (less anomaly.scored_at), by id, to this file: two
    // versions' files are compared to the last bit with cmp.
    'dump-scores': { type: 'string' },
    ...UNUSUAL_HOURS_OPTION,
  },
});
const N = Number(values.events);
const out = resolve(values.out);
const work = join(out, 'enrich-work');
await mkdir(work, { recursive: true });

const url = openSearchUrl();
const os = (method, path, body) => call(url, method, path, body);

// 1. A model trained on the same kind of events (cached).
const contextual = values.kind !== 'lstm-lm';
const modelDir = await ecsBenchModel(work, { kind: values.kind, context: Number(values.context), trainEvents: Number(values['train-events']) });

// 2. The scorer alone on the same events: the ceiling for enrich.
const { Scorer } = await import(new URL('scorer/scorer.js', dist));
const { createAdapter } = await import(new URL('adapters/registry.js', dist));
const docs = [...ecsLogons(N, 99, benchTimes(N, { unusualHours: values['unusual-hours'], hoursAgo: 20, trainEvents: Number(values['train-events']) }))];
{
  const scorer = await Scorer.load(modelDir, { maxBatch: Number(values['batch-size']), ...(Number(values['onnx-threads'] ?? 0) > 0 ? { intraOpThreads: Number(values['onnx-threads']) } : {}) });
  const adapter = createAdapter('ecs');
  const sample = docs.slice(0, Math.min(N, 50_000)).map((d, i) => adapter.parse(d, { file: 'bench', line: i + 1 }));
  await scorer.score(sample.slice(0, 1024), sample.slice(0, 1024).map(() => 'x'));
  scorer.history.clear();
  const t0 = performance.now();
  const B = Number(values['batch-size']);
  for (let i = 0; i < sample.length; i += B) await scorer.score(sample.slice(i, i + B), sample.slice(i, i + B).map(() => 'x'));
  const s = (performance.now() - t0) / 1000;
  process.stdout.write(`scorer alone: ${(sample.length / s).toFixed(0)} events/s (batch ${B}, ${sample.length} events)\n`);
  await scorer.close();
}

// 3. Load the index: refresh off and no replicas while loading, one refresh at the end (again for the ceiling).
const index = values.index;
async function load() {
  await os('DELETE', `/${index}`);
  await os('DELETE', `/.seqsentry-state/_doc/checkpoint:bench-enrich:0`);
  for (let s = 1; s < 16; s++) await os('DELETE', `/.seqsentry-state/_doc/checkpoint:bench-enrich:${s}`);
  await os('DELETE', `/.seqsentry-state/_doc/checkpoint:bench-enrich-ceiling:0`);
  const created = await os('PUT', `/${index}`, {
    settings: { number_of_shards: 2, number_of_replicas: 0, refresh_interval: '-1' },
    mappings: ECS_BENCH_MAPPINGS,
  });
  if (created.status !== 200) throw new Error(`create ${index}: ${JSON.stringify(created.json)}`);
  const t = performance.now();
  const BULK = 10_000;
  const inflight = [];
  for (let i = 0; i < N; i += BULK) {
    const body = docs.slice(i, i + BULK).map((d, j) => `{"index":{"_index":"${index}","_id":"e${i + j}"}}\n${JSON.stringify(d)}`).join('\n') + '\n';
    inflight.push(os('POST', '/_bulk', body).then((r) => {
      if (r.json?.errors) throw new Error(`bulk load failed: ${JSON.stringify(r.json.items.find((x) => x.index.error))}`);
    }));
    if (inflight.length >= 2) await inflight.shift();
  }
  await Promise.all(inflight);
  await os('POST', `/${index}/_refresh`);
  const loadS = (performance.now() - t) / 1000;
  process.stdout.write(`loaded ${N} events in ${loadS.toFixed(1)} s (${(N / loadS).toFixed(0)} events/s)\n`);
}
await load();

if (values['load-only']) process.exit(0);

// 4. enrich, as a user runs it.
const osPid = openSearchPid(url);
const cpu0 = { os: cpuSeconds(osPid), enrich: exitedChildrenCpuSeconds() };
let t = performance.now();
const args = [join(root, 'bin', 'seqsentry.js'), 'enrich', '--index', index, '--model-dir', modelDir, '--since', docs[0]['@timestamp'], '--job', 'bench-enrich',
  '--page-size', values['page-size'], '--batch-size', values['batch-size'], '--slices', values.slices, ...(values['write-back'] ? ['--write-back', values['write-back']] : []), ...(values['onnx-threads'] ? ['--onnx-threads', values['onnx-threads']] : [])];
// SEQSENTRY_BENCH_NODE_FLAGS (e.g. --cpu-prof --cpu-prof-dir=DIR) go to the enrich process, as startServe passes them to serve.
const child = spawn(process.execPath, [...(process.env.SEQSENTRY_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean), ...args], { cwd: root, env: { ...process.env, OPENSEARCH_URL: url }, stdio: ['ignore', 'pipe', 'inherit'] });
let stdout = '';
child.stdout.on('data', (c) => (stdout += c));
const code = await new Promise((r) => child.once('exit', r));
const wall = (performance.now() - t) / 1000;
// CPU µs per stored event, the enrich process's start and model load included; null where the node is not local.
const perEvent = (before, after) => (before === null || after === null ? null : Math.round(((after - before) * 1e6) / N));
const osCpuUs = perEvent(cpu0.os, cpuSeconds(osPid));
const enrichCpuUs = perEvent(cpu0.enrich, exitedChildrenCpuSeconds());
process.stdout.write(stdout);
if (code !== 0) throw new Error(`enrich exited with ${code}`);
await os('POST', `/${index}/_refresh`);
const scored = (await os('POST', `/${index}/_count`, { query: { exists: { field: 'anomaly_score' } } })).json.count;
const explained = await explainedInFull(url, index);
const row = { kind: values.kind, unusual_hours: values['unusual-hours'], explained_in_full: explained, context: contextual ? Number(values.context) : 0, events: N, scored, wall_s: +wall.toFixed(2), events_per_s_wall: Math.round(scored / wall), page_size: +values['page-size'], batch_size: +values['batch-size'], onnx_threads: values['onnx-threads'] ?? 'default', slices: +values.slices, write_back: values['write-back'] ?? 'default', opensearch_cpu_us_per_event: osCpuUs, enrich_cpu_us_per_event: enrichCpuUs, cpus: cpus().length, summary: stdout.trim() };
process.stdout.write(`enrich: ${scored}/${N} events scored (${(explained / N * 100).toFixed(1)} % explained in full, ${values['unusual-hours'] ? 'unusual' : 'ordinary'} hours) in ${wall.toFixed(1)} s wall (process start and model load included): ${row.events_per_s_wall} events/s; CPU per event: OpenSearch ${osCpuUs ?? '–'} µs, enrich ${enrichCpuUs} µs\n`);

/** Every stored event's anomaly fields, walked by _id with search_after (scored_at: when, not what, is left out). */
async function* storedScores() {
  let after = null;
  for (;;) {
    const page = await os('POST', `/${index}/_search`, { size: 10_000, _source: ['anomaly_score', 'anomaly'], sort: [{ _id: 'asc' }], ...(after ? { search_after: after } : {}) });
    const hits = page.json.hits.hits;
    if (hits.length === 0) return;
    for (const h of hits) {
      if (h._source.anomaly) delete h._source.anomaly.scored_at;
      yield { id: h._id, ...h._source };
    }
    after = hits.at(-1).sort;
  }
}
if (values['dump-scores']) {
  const lines = [];
  for await (const s of storedScores()) lines.push(JSON.stringify(s));
  await writeFile(values['dump-scores'], lines.join('\n') + '\n');
  process.stdout.write(`anomaly fields of ${lines.length} events written to ${values['dump-scores']}\n`);
}

// 5. The ceiling: the same events loaded again, the same walk and write-back, every event given the anomaly fields of
// the real run's median-sized one (a typical event's, not a fully explained one's unless most are).
if (values.ceiling) {
  const sizes = [];
  for await (const s of storedScores()) {
    const { id, ...fields } = s;
    sizes.push(JSON.stringify(fields));
    if (sizes.length >= 10_000) break;
  }
  sizes.sort((a, b) => a.length - b.length);
  const fields = JSON.parse(sizes[Math.floor(sizes.length / 2)]);
  fields.anomaly.scored_at = new Date().toISOString();
  const fieldsFile = join(work, 'ceiling-fields.json');
  await writeFile(fieldsFile, JSON.stringify(fields));
  await load();
  const c0 = { os: cpuSeconds(osPid), enrich: exitedChildrenCpuSeconds() };
  const tc = performance.now();
  const ceilingArgs = [join(root, 'bench', 'lib', 'enrich-ceiling.mjs'), '--index', index, '--since', docs[0]['@timestamp'], '--job', 'bench-enrich-ceiling', '--fields', fieldsFile,
    '--page-size', values['page-size'], ...(values['write-back'] ? ['--write-back', values['write-back']] : [])];
  const ceilingChild = spawn(process.execPath, ceilingArgs, { cwd: root, env: { ...process.env, OPENSEARCH_URL: url }, stdio: ['ignore', 'pipe', 'inherit'] });
  let ceilingOut = '';
  ceilingChild.stdout.on('data', (c) => (ceilingOut += c));
  const ceilingCode = await new Promise((r) => ceilingChild.once('exit', r));
  const ceilingWall = (performance.now() - tc) / 1000;
  if (ceilingCode !== 0) throw new Error(`enrich ceiling exited with ${ceilingCode}`);
  const { written } = JSON.parse(ceilingOut.trim().split('\n').at(-1));
  const ceiling = { events: written, fields_bytes: JSON.stringify(fields).length, wall_s: +ceilingWall.toFixed(2), events_per_s_wall: Math.round(written / ceilingWall), opensearch_cpu_us_per_event: perEvent(c0.os, cpuSeconds(osPid)), enrich_cpu_us_per_event: perEvent(c0.enrich, exitedChildrenCpuSeconds()) };
  row.ceiling = ceiling;
  process.stdout.write(`ceiling (no scoring: the same walk and write-back, fixed anomaly fields of ${ceiling.fields_bytes} bytes): ${written}/${N} events written in ${ceilingWall.toFixed(1)} s wall: ${ceiling.events_per_s_wall} events/s; CPU per event: OpenSearch ${ceiling.opensearch_cpu_us_per_event ?? '–'} µs, enrich process ${ceiling.enrich_cpu_us_per_event} µs\n`);
  process.stdout.write(`real enrich against the ceiling: ${row.events_per_s_wall} / ${ceiling.events_per_s_wall} events/s (${(row.events_per_s_wall / ceiling.events_per_s_wall).toFixed(2)})\n`);
}
await writeFile(join(out, 'enrich.json'), JSON.stringify(row, null, 2) + '\n');
if (!values.keep) await os('DELETE', `/${index}`);
