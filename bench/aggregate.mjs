#!/usr/bin/env node
// Aggregate benchmark (issue 10's floor: >= 50,000 events/s over 1,000,000 scored events): loads N ECS logons with
// seeded anomaly fields (the content pack's mappings; 0.2% anomalous) into an index, runs `seqsentry aggregate` over
// them as a user would, then again (nothing changed: the idempotent pass), and prints events/s of both.
// Usage: node bench/aggregate.mjs [--events 1000000] [--window 15m] [--all-windows] [--keep]
// Drops seqsentry-entities first: run it on a development node.
// Needs the compiled CLI (npm run build) and a running OpenSearch (OPENSEARCH_URL, else node scripts/opensearch.mjs url).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { call, ecsLogons, openSearchUrl, root } from './lib/ecs-bench.mjs';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    window: { type: 'string', default: '15m' },
    'all-windows': { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/results' },
    keep: { type: 'boolean', default: false },
  },
});
const N = Number(values.events);
const out = resolve(values.out);
await mkdir(out, { recursive: true });
const url = openSearchUrl();
const os = (method, path, body) => call(url, method, path, body);
const index = 'seqsentry-bench-aggregate';

const template = (name) => JSON.parse(readFileSync(join(root, 'pipelines', 'templates', name), 'utf8')).template.mappings.properties;
await os('DELETE', `/${index}`);
const created = await os('PUT', `/${index}`, {
  settings: { number_of_shards: 2, number_of_replicas: 0, refresh_interval: '-1' },
  mappings: { properties: { ...template('seqsentry-ecs-auth.json'), ...template('seqsentry-anomaly-fields.json') } },
});
if (created.status !== 200) throw new Error(`create ${index}: ${JSON.stringify(created.json)}`);

// Scores are seeded, not a model's: the benchmark measures counting, not detection.
const startMs = Math.floor((Date.now() - 80 * 3600_000) / 3600_000) * 3600_000;
let seed = 12345;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
let t = performance.now();
const BULK = 10_000;
const inflight = [];
let batch = [];
let n = 0;
for (const doc of ecsLogons(N, 3, startMs)) {
  const anomalous = rand() < 0.002;
  const score = anomalous ? 0.99 + 0.01 * rand() : 0.98 * rand();
  doc.anomaly_score = score;
  doc.anomaly = { is_anomaly: anomalous, threshold: 0.99, raw: score * 10, reason: anomalous ? 'pairs:user+dst_host' : 'sequence', scored_at: doc['@timestamp'],
    model: { name: 'bench', version: '1', kind: 'transformer-mlm' }, fields: [{ name: 'dst_host', value: doc.host.name, surprisal: score * 5, expected: 'srv-0' }] };
  batch.push(`{"index":{"_index":"${index}","_id":"e${n++}"}}\n${JSON.stringify(doc)}`);
  if (batch.length === BULK || n === N) {
    const body = batch.join('\n') + '\n';
    batch = [];
    inflight.push(os('POST', '/_bulk', body).then((r) => {
      if (r.json?.errors) throw new Error(`bulk load failed: ${JSON.stringify(r.json.items.find((x) => x.index.error))}`);
    }));
    if (inflight.length >= 2) await inflight.shift();
  }
}
await Promise.all(inflight);
await os('POST', `/${index}/_refresh`);
await os('POST', `/${index}/_forcemerge?max_num_segments=1`);
const loadS = (performance.now() - t) / 1000;
process.stdout.write(`loaded ${N} scored events in ${loadS.toFixed(1)} s\n`);

const until = new Date(startMs + N * 250 + 1000).toISOString();
const run = () => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(root, 'bin', 'seqsentry.js'), 'aggregate', '--index', index, '--format', 'ecs', '--since', new Date(startMs).toISOString(), '--until', until, '--window', values.window, ...(values['all-windows'] ? ['--all-windows'] : [])],
    { cwd: root, env: { ...process.env, OPENSEARCH_URL: url }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`aggregate exited with ${r.status}: ${r.stderr}`);
  return { wall: (performance.now() - t0) / 1000, stdout: r.stdout.trim() };
};
// A dev node's notables are dropped so the first run writes from scratch.
await os('DELETE', '/seqsentry-entities');
const first = run();
const second = run();
const row = { events: N, window: values.window, all_windows: values['all-windows'], first_s: +first.wall.toFixed(2), first_events_per_s: Math.round(N / first.wall), again_s: +second.wall.toFixed(2), again_events_per_s: Math.round(N / second.wall), first: first.stdout, again: second.stdout };
process.stdout.write(`${first.stdout}\n${second.stdout}\n`);
process.stdout.write(`aggregate over ${N} scored events: ${row.first_events_per_s} events/s (first run, ${row.first_s} s wall, process start included); rerun with nothing changed ${row.again_events_per_s} events/s (${row.again_s} s)\n`);
await writeFile(join(out, 'aggregate.json'), JSON.stringify(row, null, 2) + '\n');
if (!values.keep) await os('DELETE', `/${index}`);
