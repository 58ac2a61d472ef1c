#!/usr/bin/env node
// Enrich benchmark: loads N synthetic ECS logon events into an index (bulk, refresh off), runs `seqsentry enrich`
// over them as a user would, and prints events/s, with the scorer's own throughput alone for comparison, and the CPU
// per event of the local OpenSearch node (when scripts/opensearch.mjs runs it) and of the enrich process.
// Usage: node bench/enrich.mjs [--events 200000] [--kind transformer-mlm|lstm-lm] [--context 8] [--page-size 5000] [--batch-size 1024] [--slices 1] [--write-back index|update] [--keep] [--load-only --index NAME]
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
  const scorer = await Scorer.load(modelDir, { maxBatch: Number(values['batch-size']) });
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

// 3. Load the index: refresh off and no replicas while loading, one refresh at the end.
const index = values.index;
await os('DELETE', `/${index}`);
await os('DELETE', `/.seqsentry-state/_doc/checkpoint:bench-enrich:0`);
for (let s = 1; s < 16; s++) await os('DELETE', `/.seqsentry-state/_doc/checkpoint:bench-enrich:${s}`);
const created = await os('PUT', `/${index}`, {
  settings: { number_of_shards: 2, number_of_replicas: 0, refresh_interval: '-1' },
  mappings: ECS_BENCH_MAPPINGS,
});
if (created.status !== 200) throw new Error(`create ${index}: ${JSON.stringify(created.json)}`);
let t = performance.now();
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

if (values['load-only']) process.exit(0);

// 4. enrich, as a user runs it.
const osPid = openSearchPid(url);
const cpu0 = { os: cpuSeconds(osPid), enrich: exitedChildrenCpuSeconds() };
t = performance.now();
const args = [join(root, 'bin', 'seqsentry.js'), 'enrich', '--index', index, '--model-dir', modelDir, '--since', docs[0]['@timestamp'], '--job', 'bench-enrich',
  '--page-size', values['page-size'], '--batch-size', values['batch-size'], '--slices', values.slices, ...(values['write-back'] ? ['--write-back', values['write-back']] : [])];
const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, OPENSEARCH_URL: url }, stdio: ['ignore', 'pipe', 'inherit'] });
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
const row = { kind: values.kind, unusual_hours: values['unusual-hours'], explained_in_full: explained, context: contextual ? Number(values.context) : 0, events: N, scored, wall_s: +wall.toFixed(2), events_per_s_wall: Math.round(scored / wall), page_size: +values['page-size'], batch_size: +values['batch-size'], slices: +values.slices, write_back: values['write-back'] ?? 'default', opensearch_cpu_us_per_event: osCpuUs, enrich_cpu_us_per_event: enrichCpuUs, cpus: cpus().length, summary: stdout.trim() };
process.stdout.write(`enrich: ${scored}/${N} events scored (${(explained / N * 100).toFixed(1)} % explained in full, ${values['unusual-hours'] ? 'unusual' : 'ordinary'} hours) in ${wall.toFixed(1)} s wall (process start and model load included): ${row.events_per_s_wall} events/s; CPU per event: OpenSearch ${osCpuUs ?? '–'} µs, enrich ${enrichCpuUs} µs\n`);
await writeFile(join(out, 'enrich.json'), JSON.stringify(row, null, 2) + '\n');
if (!values.keep) await os('DELETE', `/${index}`);
