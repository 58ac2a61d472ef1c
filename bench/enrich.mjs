#!/usr/bin/env node
// Enrich benchmark: loads N synthetic ECS logon events into an index (bulk, refresh off), runs `seqsentry enrich`
// over them as a user would, and prints events/s, with the scorer's own throughput alone for comparison.
// Usage: node bench/enrich.mjs [--events 200000] [--kind transformer-mlm|lstm-lm] [--context 8] [--page-size 5000] [--batch-size 1024] [--slices 1] [--keep] [--load-only --index NAME]
// Needs the compiled CLI (npm run build) and a running OpenSearch (OPENSEARCH_URL, else node scripts/opensearch.mjs url).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(new URL('..', import.meta.url).pathname);
const dist = new URL('../dist/', import.meta.url);
const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    'page-size': { type: 'string', default: '5000' },
    'batch-size': { type: 'string', default: '1024' },
    slices: { type: 'string', default: '1' },
    'train-events': { type: 'string', default: '20000' },
    kind: { type: 'string', default: 'transformer-mlm' },
    context: { type: 'string', default: '8' },
    out: { type: 'string', default: 'bench/results' },
    keep: { type: 'boolean', default: false },
    'load-only': { type: 'boolean', default: false },
    index: { type: 'string', default: 'seqsentry-bench-enrich' },
  },
});
const N = Number(values.events);
const out = resolve(values.out);
const work = join(out, 'enrich-work');
await mkdir(work, { recursive: true });

const url = (process.env.OPENSEARCH_URL ?? spawnSync(process.execPath, [join(root, 'scripts', 'opensearch.mjs'), 'url'], { encoding: 'utf8' }).stdout.trim()).replace(/\/+$/, '');
if (!url) throw new Error('no OpenSearch: set OPENSEARCH_URL or run `node scripts/opensearch.mjs start`');

async function os(method, path, body) {
  const ndjson = typeof body === 'string';
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': ndjson ? 'application/x-ndjson' : 'application/json' },
    body: body === undefined ? undefined : ndjson ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

// Deterministic ECS logons: 2,000 users with a home workstation and three usual servers, 5 % noise.
function* ecsLogons(n, seed, startMs) {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const users = 2000;
  for (let i = 0; i < n; i++) {
    const u = Math.floor(rand() * users);
    const noisy = rand() < 0.05;
    yield {
      '@timestamp': new Date(startMs + i * 250).toISOString(),
      user: { name: `user${u}`, domain: u % 7 === 0 ? 'LAB' : 'CORP' },
      source: { domain: noisy ? `ws-${Math.floor(rand() * users)}` : `ws-${u}`, ip: `10.${(u >> 8) & 255}.${u & 255}.${noisy ? 99 : 10}` },
      host: { name: noisy ? `srv-${Math.floor(rand() * 200)}` : `srv-${(u * 3 + Math.floor(rand() * 3)) % 200}` },
      event: { action: rand() < 0.9 ? 'logged-in' : 'logged-out', outcome: rand() < 0.97 ? 'success' : 'failure', category: ['authentication'] },
      winlog: { logon: { type: u % 5 === 0 ? 'Interactive' : 'Network' }, event_data: { AuthenticationPackageName: u % 3 === 0 ? 'NTLM' : 'Kerberos' } },
    };
  }
}

const quiet = async (fn) => {
  const write = process.stderr.write;
  process.stderr.write = () => true;
  try {
    return await fn();
  } finally {
    process.stderr.write = write;
  }
};

// 1. A model trained on the same kind of events (cached).
const contextual = values.kind !== 'lstm-lm';
const modelDir = join(work, `model-${values.kind}${contextual ? `-c${values.context}` : ''}`);
if (!existsSync(join(modelDir, 'bundle.json'))) {
  const { train } = await import(new URL('commands/train.js', dist));
  const input = join(work, 'train.jsonl');
  await writeFile(input, [...ecsLogons(Number(values['train-events']), 7, Date.UTC(2026, 0, 5))].map((d) => JSON.stringify(d)).join('\n') + '\n');
  process.stderr.write(`training ${values.kind} on ${values['train-events']} events...\n`);
  await quiet(() => train({ format: 'ecs', inputs: [input], modelDir, kind: values.kind, epochs: 1, seed: 1, ...(contextual ? { context: Number(values.context) } : {}), minCount: 2, hourToken: true, strict: true }));
}

// 2. The scorer alone on the same events: the ceiling for enrich.
const { Scorer } = await import(new URL('scorer/scorer.js', dist));
const { createAdapter } = await import(new URL('adapters/registry.js', dist));
const startMs = Date.now() - 20 * 3600_000;
const docs = [...ecsLogons(N, 99, startMs)];
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
  mappings: {
    properties: {
      '@timestamp': { type: 'date' },
      user: { properties: { name: { type: 'keyword' }, domain: { type: 'keyword' } } },
      source: { properties: { domain: { type: 'keyword' }, ip: { type: 'ip' } } },
      host: { properties: { name: { type: 'keyword' } } },
      event: { properties: { action: { type: 'keyword' }, outcome: { type: 'keyword' }, category: { type: 'keyword' } } },
      anomaly_score: { type: 'float' },
      anomaly: { type: 'object', dynamic: false, properties: { scored_at: { type: 'date' }, error: { type: 'keyword' }, raw: { type: 'float' }, is_anomaly: { type: 'boolean' } } },
    },
  },
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
t = performance.now();
const args = [join(root, 'bin', 'seqsentry.js'), 'enrich', '--index', index, '--model-dir', modelDir, '--since', '24h', '--job', 'bench-enrich',
  '--page-size', values['page-size'], '--batch-size', values['batch-size'], '--slices', values.slices];
const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, OPENSEARCH_URL: url }, stdio: ['ignore', 'pipe', 'inherit'] });
let stdout = '';
child.stdout.on('data', (c) => (stdout += c));
const code = await new Promise((r) => child.once('exit', r));
const wall = (performance.now() - t) / 1000;
process.stdout.write(stdout);
if (code !== 0) throw new Error(`enrich exited with ${code}`);
await os('POST', `/${index}/_refresh`);
const scored = (await os('POST', `/${index}/_count`, { query: { exists: { field: 'anomaly_score' } } })).json.count;
const row = { kind: values.kind, context: contextual ? Number(values.context) : 0, events: N, scored, wall_s: +wall.toFixed(2), events_per_s_wall: Math.round(scored / wall), page_size: +values['page-size'], batch_size: +values['batch-size'], slices: +values.slices, cpus: cpus().length, summary: stdout.trim() };
process.stdout.write(`enrich: ${scored}/${N} events scored in ${wall.toFixed(1)} s wall (process start and model load included): ${row.events_per_s_wall} events/s\n`);
await writeFile(join(out, 'enrich.json'), JSON.stringify(row, null, 2) + '\n');
if (!values.keep) await os('DELETE', `/${index}`);
