#!/usr/bin/env node
// Cost benchmark (issue 11): what SeqSentry adds to a SIEM's CPU and storage, measured against OpenSearch itself.
// The same ECS logons, in one run, reach an index four ways: straight `_bulk` into OpenSearch (no scores), through
// the sidecar's `_bulk` proxy, through the content pack's ingest pipeline (ML Commons calls the sidecar per event),
// and by `seqsentry enrich` over the events stored by the direct path. Per path: docs/s and its ratio to direct,
// CPU microseconds per document of the OpenSearch JVM and of SeqSentry's process (the sidecar, or the enrich
// process, whose start and model load are included), and the index's bytes per document after a force merge to one
// segment, with the anomaly fields (and without: the direct index). This machine is shared: read the ratios.
// Usage: node bench/cost.mjs [--events 20000] [--bulk 1000] [--clients 2] [--kind transformer-mlm]
// Needs the compiled CLI (npm run build) and a local OpenSearch with ML Commons (node scripts/opensearch.mjs start;
// OPENSEARCH_URL for another node, whose JVM CPU is then not measured). Installs the content pack into it.
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bulkBodies, sendBulks } from './lib/bulk-send.mjs';
import { call, cpuSeconds, dist, ECS_BENCH_MAPPINGS, benchTimes, ecsBenchModel, ecsLogons, exitedChildrenCpuSeconds, openSearchPid, openSearchUrl, root, startServe } from './lib/ecs-bench.mjs';
import { forceMergedStoreBytes } from './lib/index-size.mjs';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    bulk: { type: 'string', default: '1000' },
    clients: { type: 'string', default: '2' },
    kind: { type: 'string', default: 'transformer-mlm' },
    out: { type: 'string', default: 'bench/results' },
  },
});
const N = Number(values.events);
const BULK = Number(values.bulk);
const CLIENTS = Number(values.clients);
const out = resolve(values.out);
const work = join(out, 'enrich-work'); // the ECS model of bench/enrich.mjs and bench/proxy.mjs, trained once
await mkdir(work, { recursive: true });
const url = openSearchUrl();
const osPid = openSearchPid(url);
const TOKEN = 'bench-token-0123456789abcdef';
const PREFIX = 'seqsentry-bench-cost';
const JOB = 'bench-cost';

const modelDir = await ecsBenchModel(work, { kind: values.kind });
// Ordinary traffic (a few percent above the explain threshold), as a SIEM's mostly is: at the times of day the model
// learned (benchTimes; up to 20,000 events: from yesterday's midnight on).
const docs = [...ecsLogons(N, 42, benchTimes(N))];
const bodies = bulkBodies(docs.map((d) => JSON.stringify(d)), BULK);

// Two sidecars, so the proxy and the pipeline each score the events against a history that has not seen them yet.
const proxySidecar = await startServe({ modelDir, opensearchUrl: url, token: TOKEN });
const mlSidecar = await startServe({ modelDir, opensearchUrl: url, token: TOKEN });
// Interrupted, the benchmark still stops the sidecars it started.
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => Promise.all([proxySidecar.stop(), mlSidecar.stop()]).finally(() => process.exit(130)));
const [{ install }, { createOpenSearchClient }, { OpenSearchConfigSchema }] = await Promise.all(
  ['install/installer.js', 'opensearch/client.js', 'opensearch/config.js'].map((m) => import(new URL(m, dist))),
);
const client = createOpenSearchClient(OpenSearchConfigSchema.parse({ url }));
try {
  // The content pack as an admin installs it, its connector pointing at the ML sidecar: templates, the ingest pipeline.
  await install(client, { sidecarUrl: mlSidecar.url, token: TOKEN, indexPatterns: [`${PREFIX}-*`], dryRun: false, monitorsFile: join(work, 'cost-monitors.json'), dashboardsFile: join(work, 'cost-dashboards.ndjson'), log: () => {} });
} finally {
  await client.close();
}

const perDoc = (a, b) => (a === null || b === null ? null : +(((b - a) / N) * 1e6).toFixed(1));
async function freshIndex(index) {
  await call(url, 'DELETE', `/${index}`);
  const created = await call(url, 'PUT', `/${index}`, { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: ECS_BENCH_MAPPINGS });
  if (created.status !== 200) throw new Error(`create ${index}: ${JSON.stringify(created.json)}`);
}
const scoredCount = async (index) => {
  await call(url, 'POST', `/${index}/_refresh`);
  return (await call(url, 'POST', `/${index}/_count`, { query: { exists: { field: 'anomaly_score' } } })).json.count;
};

/** Bulk-ingests the documents into `index` via `base` (with `query`), timing it and the CPU of OpenSearch and `sidecar`. */
async function ingest(index, base, { sidecar = null, headers = {}, query = '' } = {}) {
  await freshIndex(index);
  const cpu0 = { os: cpuSeconds(osPid), seq: sidecar ? cpuSeconds(sidecar.pid) : 0 };
  const s = await sendBulks(base, index, bodies, { clients: CLIENTS, headers, query });
  return { seconds: s, osUs: perDoc(cpu0.os, cpuSeconds(osPid)), seqUs: sidecar ? perDoc(cpu0.seq, cpuSeconds(sidecar.pid)) : 0 };
}

/** `seqsentry enrich` over `index` as a user runs it; its CPU is read once it has exited. */
async function enrich(index) {
  for (let s = 0; s < 4; s++) await call(url, 'DELETE', `/.seqsentry-state/_doc/checkpoint:${JOB}:${s}`);
  const cpu0 = { os: cpuSeconds(osPid), children: exitedChildrenCpuSeconds() };
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(root, 'bin', 'seqsentry.js'), 'enrich', '--index', index, '--model-dir', modelDir, '--since', docs[0]['@timestamp'], '--job', JOB],
    { cwd: root, env: { ...process.env, OPENSEARCH_URL: url, SEQSENTRY_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'inherit'] });
  const code = await new Promise((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`seqsentry enrich exited with ${code}`);
  const s = (performance.now() - t0) / 1000;
  return { seconds: s, osUs: perDoc(cpu0.os, cpuSeconds(osPid)), seqUs: perDoc(cpu0.children, exitedChildrenCpuSeconds()) };
}

const rows = [];
const row = async (path, index, res) => {
  const scored = await scoredCount(index);
  if (path !== 'direct' && scored === 0) throw new Error(`${path}: no event scored in ${index}`);
  // Events a path could not score (e.g. an ML Commons call that failed: the pipeline marks them pending for enrich).
  const pending = await call(url, 'POST', `/${index}/_search`, { size: 1, _source: ['anomaly.pending'], query: { exists: { field: 'anomaly.pending' } }, track_total_hits: true });
  const unscored = { count: N - scored, pending: pending.json?.hits?.total?.value ?? 0, reason: pending.json?.hits?.hits?.[0]?._source?.anomaly?.pending };
  const full = (await call(url, 'POST', `/${index}/_count`, { query: { range: { anomaly_score: { gte: 0.99 } } } })).json.count;
  rows.push({ path, docs_per_s: Math.round(N / res.seconds), scored: path === 'direct' ? 0 : scored, ...(path !== 'direct' && unscored.count ? { unscored } : {}), explained_in_full: full, os_cpu_us_per_doc: res.osUs, seqsentry_cpu_us_per_doc: res.seqUs, bytes_per_doc: +((await forceMergedStoreBytes(url, index, N)) / N).toFixed(1) });
  process.stderr.write(`${path}: ${JSON.stringify(rows.at(-1))}\n`);
};
try {
  const auth = { authorization: `Bearer ${TOKEN}` };
  await row('direct', `${PREFIX}-direct`, await ingest(`${PREFIX}-direct`, url));
  await row('proxy', `${PREFIX}-proxy`, await ingest(`${PREFIX}-proxy`, proxySidecar.url, { sidecar: proxySidecar, headers: auth }));
  await row('ingest pipeline (ML Commons)', `${PREFIX}-pipeline`, await ingest(`${PREFIX}-pipeline`, url, { sidecar: mlSidecar, query: '?pipeline=seqsentry-score' }));
  // enrich scores the direct path's events in place: its index then holds the same events with their fields.
  await row('enrich (stored events)', `${PREFIX}-direct`, await enrich(`${PREFIX}-direct`));
} finally {
  await Promise.all([proxySidecar.stop(), mlSidecar.stop()]);
  for (const p of ['direct', 'proxy', 'pipeline']) await call(url, 'DELETE', `/${PREFIX}-${p}`);
}

const direct = rows[0];
const fmt = (v, digits = 1) => (v === null ? 'n/a' : v.toFixed(digits));
process.stdout.write(`\n${N} ECS logons, bulks of ${BULK}, ${CLIENTS} clients, ${values.kind}, ${cpus().length} cores, one run\n\n`);
process.stdout.write('| path | docs/s | vs direct | scored | OpenSearch CPU µs/doc | SeqSentry CPU µs/doc | SeqSentry / OpenSearch CPU | index bytes/doc (force-merged) | over direct |\n|---|---|---|---|---|---|---|---|---|\n');
for (const r of rows) {
  const ratio = r.seqsentry_cpu_us_per_doc && r.os_cpu_us_per_doc ? fmt(r.seqsentry_cpu_us_per_doc / r.os_cpu_us_per_doc, 2) : '–';
  const over = r === direct ? '–' : `+${fmt(100 * (r.bytes_per_doc / direct.bytes_per_doc - 1))}%`;
  process.stdout.write(`| ${r.path} | ${r.docs_per_s} | ${fmt(r.docs_per_s / direct.docs_per_s, 2)} | ${r === direct ? '–' : r.scored} | ${fmt(r.os_cpu_us_per_doc)} | ${r === direct ? '–' : fmt(r.seqsentry_cpu_us_per_doc)} | ${ratio} | ${fmt(r.bytes_per_doc)} | ${over} |\n`);
}
for (const r of rows.filter((x) => x.unscored)) process.stdout.write(`\n${r.path}: ${r.unscored.count} events unscored (${r.unscored.pending} marked anomaly.pending, e.g. ${JSON.stringify(r.unscored.reason ?? '').slice(0, 300)})`);
process.stdout.write('\n');
await writeFile(join(out, 'cost.json'), JSON.stringify({ events: N, bulk_docs: BULK, clients: CLIENTS, kind: values.kind, cpus: cpus().length, rows }, null, 2) + '\n');
