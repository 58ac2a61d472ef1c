#!/usr/bin/env node
// Storage benchmark (issue 11): what the anomaly fields add to an index. The same ECS logons are indexed three ways
// in one run, each into its own one-shard index with the content pack's anomaly-field mapping, force-merged to one
// segment: without anomaly fields, with the default explanation policy (full explanation from anomaly_score 0.99,
// the top field below) and with every event explained in full (the policy before). Prints bytes per document and
// the overhead over the plain index.
// The logons are a simulated enterprise's two test days (100 people, the model trained on its week before, as the
// demo does), shipped as the demo ships them: the LANL line in `message` plus the parsed user and hosts.
// Usage: node bench/storage.mjs [--bulk 5000] [--out bench/results]
// Needs the compiled code (npm run build) and a running OpenSearch (OPENSEARCH_URL, else node scripts/opensearch.mjs url).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ANOMALY_PROPERTIES, call, dist, ECS_EVENT_PROPERTIES, openSearchUrl, quiet } from './lib/ecs-bench.mjs';

const { values } = parseArgs({ options: { bulk: { type: 'string', default: '5000' }, out: { type: 'string', default: 'bench/results' } } });
const BULK = Number(values.bulk);
const url = openSearchUrl();
const load = async (path) => import(new URL(path, dist));
const { simulate } = await load('sim/simulate.js');
const { train } = await load('commands/train.js');
const { scoreFiles } = await load('commands/score.js');
const { anomalyFields, DEFAULT_EXPLAIN_ABOVE } = await load('service/anomaly-fields.js');
const { Scorer } = await load('scorer/scorer.js');

const work = join(resolve(values.out), 'storage-work');
const sim = join(work, 'sim');
const modelDir = join(work, 'model');
if (!existsSync(join(sim, 'test.csv'))) await quiet(() => simulate({ days: 9, trainDays: 7, seed: 7, outDir: sim, profile: { users: 100 } }));
if (!existsSync(join(modelDir, 'bundle.json'))) {
  process.stderr.write('training the default model on the simulated week...\n');
  await quiet(() => train({ format: 'lanl', inputs: [join(sim, 'train.csv')], modelDir, kind: 'transformer-mlm', seed: 7, minCount: 2, hourToken: true, strict: true }));
}
const scores = join(work, 'scores.jsonl');
await quiet(() => scoreFiles({ modelDir, inputs: [join(sim, 'test.csv')], output: scores, format: 'lanl', strict: true, batchSize: 1024 }));
const scorer = await Scorer.load(modelDir);
const model = { name: scorer.bundle.name, version: scorer.bundle.version, kind: scorer.bundle.kind };
const threshold = scorer.threshold;
await scorer.close();

const lines = (await readFile(join(sim, 'test.csv'), 'utf8')).trim().split('\n');
const results = (await readFile(scores, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
const N = lines.length;
if (results.length !== N) throw new Error(`${results.length} scores for ${N} lines`);
const EPOCH_MS = Date.UTC(2026, 0, 5);
const docs = results.map((r, i) => ({
  '@timestamp': new Date(EPOCH_MS + r.time * 1000).toISOString(),
  message: lines[i],
  user: { name: r.entities.user },
  source: { domain: r.entities.src_host },
  host: { name: r.entities.dst_host },
}));
const mappings = { properties: { ...ECS_EVENT_PROPERTIES, message: { type: 'text' }, ...ANOMALY_PROPERTIES } };
const scoredAt = new Date().toISOString();
// LANL documents hold their entity and time in `message` only: the sidecar stamps both (anomaly.entity, anomaly.time).
const withFields = (explainAbove) => docs.map((d, i) => ({ ...d, ...anomalyFields(results[i], model, threshold, scoredAt, { entity: results[i].entities.user, time: results[i].time }, explainAbove) }));

async function indexedBytes(name, sources) {
  const index = `seqsentry-bench-storage-${name}`;
  await call(url, 'DELETE', `/${index}`);
  const created = await call(url, 'PUT', `/${index}`, { settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: -1 }, mappings });
  if (created.status !== 200) throw new Error(`create ${index}: ${JSON.stringify(created.json)}`);
  for (let i = 0; i < sources.length; i += BULK) {
    const body = sources.slice(i, i + BULK).map((s, j) => `{"index":{"_id":"e${i + j}"}}\n${JSON.stringify(s)}`).join('\n') + '\n';
    const res = await call(url, 'POST', `/${index}/_bulk`, body);
    if (res.status !== 200 || res.json.errors) throw new Error(`bulk into ${index}: ${JSON.stringify(res.json).slice(0, 500)}`);
  }
  await call(url, 'POST', `/${index}/_refresh`);
  await call(url, 'POST', `/${index}/_forcemerge?max_num_segments=1`);
  const stats = await call(url, 'GET', `/${index}/_stats/store,docs`);
  const primaries = stats.json.indices[index].primaries;
  if (primaries.docs.count !== sources.length) throw new Error(`${index} holds ${primaries.docs.count} documents, not ${sources.length}`);
  await call(url, 'DELETE', `/${index}`);
  return primaries.store.size_in_bytes;
}

const explained = results.filter((r) => r.anomaly_score >= DEFAULT_EXPLAIN_ABOVE).length;
const plain = await indexedBytes('plain', docs);
const rows = [
  ['plain (no anomaly fields)', plain],
  [`default policy (full from ${DEFAULT_EXPLAIN_ABOVE}: ${explained} of ${N} events)`, await indexedBytes('default', withFields(DEFAULT_EXPLAIN_ABOVE))],
  ['every event explained in full', await indexedBytes('full', withFields(0))],
];
process.stdout.write(`${N} simulated logons (LANL line in message), one shard, force-merged to one segment\n`);
for (const [name, bytes] of rows) {
  process.stdout.write(`${name.padEnd(58)} ${(bytes / N).toFixed(1).padStart(7)} bytes/doc  ${bytes === plain ? '' : `+${(100 * (bytes / plain - 1)).toFixed(1)}% over plain`}\n`);
}
