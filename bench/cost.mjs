#!/usr/bin/env node
// Cost benchmark (issue 11): what SeqSentry adds to a SIEM's CPU and storage, measured against OpenSearch itself.
// The same ECS logons, in one run, reach an index four ways: straight `_bulk` into OpenSearch (no scores), through
// the sidecar's `_bulk` proxy, through the content pack's ingest pipeline (ML Commons calls the sidecar per event),
// and by `seqsentry enrich` over the events stored by the direct path. Per path: docs/s and its ratio to direct,
// CPU microseconds per document of the OpenSearch JVM and of SeqSentry's process (the sidecar, or the enrich
// process, whose start and model load are included), and the index's bytes per document after a force merge to one
// segment, with the anomaly fields (and without: the direct index). This machine is shared: read the ratios.
// Two passes per ingest path: a cold one, the first --warmup logons into fresh indices and a sidecar that has seen
// no user yet (every user's history refilled from OpenSearch, V8's code not yet optimized), then the warm one, the
// --events logons after them into the same indices: the steady state of a sidecar that has run for a while. Each
// pass has its own rows; ratios compare paths within one pass. --warmup 0 measures the cold pass alone. enrich, a
// new process each time, scores both passes' stored events at the end (its ratio is to the first direct row).
// Usage: node bench/cost.mjs [--events 20000] [--warmup 10000] [--bulk 1000] [--clients 2] [--kind transformer-mlm]
//          [--screen T|none (the model as a cascade behind a context-free screen at T, train --screen; none: the model
//          alone, train --no-screen; default: what train does, a cascade at 0.99 for ECS)]
//          [--onnx-threads N (the sidecars' batching.onnx_threads and enrich's --onnx-threads; unset: their default)]
// Needs the compiled CLI (npm run build) and a local OpenSearch with ML Commons (node scripts/opensearch.mjs start;
// OPENSEARCH_URL for another node, whose JVM CPU is then not measured). Installs the content pack into it.
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bulkBodies, sendBulks } from './lib/bulk-send.mjs';
import { call, cpuSeconds, dist, ECS_BENCH_MAPPINGS, benchTimes, ecsBenchModel, ecsLogons, exitedChildrenCpuSeconds, openSearchPid, openSearchUrl, root, startServe } from './lib/ecs-bench.mjs';
import { forceMergedStoreBytes } from './lib/index-size.mjs';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    warmup: { type: 'string', default: '10000' },
    bulk: { type: 'string', default: '1000' },
    clients: { type: 'string', default: '2' },
    kind: { type: 'string', default: 'transformer-mlm' },
    screen: { type: 'string' },
    'onnx-threads': { type: 'string' },
    out: { type: 'string', default: 'bench/results' },
  },
});
const N = Number(values.events);
const WARMUP = Number(values.warmup);
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

const modelDir = await ecsBenchModel(work, { kind: values.kind, ...(values.screen !== undefined ? { screen: values.screen === 'none' ? null : Number(values.screen) } : {}) });
// The screen threshold of the bundle measured (the default's when --screen was not given), null for none.
const screen = JSON.parse(await readFile(join(modelDir, 'bundle.json'), 'utf8')).screen?.threshold ?? null;
// Ordinary traffic (a few percent above the explain threshold), as a SIEM's mostly is: at the times of day the model
// learned (benchTimes: 20,000 a day, the last stretch yesterday's). One series in time order: the first WARMUP
// logons are the cold pass, the N after them the warm one.
const series = [...ecsLogons(WARMUP + N, 42, benchTimes(WARMUP + N))];
const slice = (name, from, to) => {
  const docs = series.slice(from, to);
  // ids go on from the previous pass's, so a pass adds to the index rather than overwriting it
  return { name, docs, first: docs[0]['@timestamp'], last: docs.at(-1)['@timestamp'], bodies: bulkBodies(docs.map((d) => JSON.stringify(d)), BULK, from) };
};
const PASSES = WARMUP > 0 ? [slice(`cold (first ${WARMUP})`, 0, WARMUP), slice(`warm (next ${N})`, WARMUP, WARMUP + N)] : [slice(`cold (${N})`, 0, N)];
const measured = PASSES.at(-1);
const TOTAL = WARMUP + N; // documents in each index at the end
// enrich scores every stored event of the direct path, both passes' (a new process is cold whatever it scores)
const ALL = { name: `all ${TOTAL} (a new process)`, docs: series, first: PASSES[0].first, last: measured.last };

// Two sidecars, so the proxy and the pipeline each score the events against a history that has not seen them yet.
const threads = values['onnx-threads'];
const sidecarSettings = threads === undefined ? {} : { batching: { onnx_threads: Number(threads) } };
const proxySidecar = await startServe({ modelDir, opensearchUrl: url, token: TOKEN, settings: sidecarSettings });
const mlSidecar = await startServe({ modelDir, opensearchUrl: url, token: TOKEN, settings: sidecarSettings });
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

const perDoc = (a, b, n) => (a === null || b === null ? null : +(((b - a) / n) * 1e6).toFixed(1));
async function freshIndex(index) {
  await call(url, 'DELETE', `/${index}`);
  const created = await call(url, 'PUT', `/${index}`, { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: ECS_BENCH_MAPPINGS });
  if (created.status !== 200) throw new Error(`create ${index}: ${JSON.stringify(created.json)}`);
}
/** Documents of one pass in `index` (by event time) matching `query`. */
const passCount = async (index, pass, query) => {
  await call(url, 'POST', `/${index}/_refresh`);
  const range = { range: { '@timestamp': { gte: pass.first, lte: pass.last } } };
  return (await call(url, 'POST', `/${index}/_count`, { query: { bool: { filter: [range, query] } } })).json.count;
};

/**
 * Bulk-ingests one pass's documents into `index` via `base` (with `query`; the cold pass into a fresh index), timing
 * it and the CPU of OpenSearch and `sidecar`.
 */
async function ingest(index, base, pass, { sidecar = null, headers = {}, query = '' } = {}) {
  if (pass === PASSES[0]) await freshIndex(index);
  const n = pass.docs.length;
  const cpu0 = { os: cpuSeconds(osPid), seq: sidecar ? cpuSeconds(sidecar.pid) : 0 };
  const s = await sendBulks(base, index, pass.bodies, { clients: CLIENTS, headers, query });
  return { seconds: s, osUs: perDoc(cpu0.os, cpuSeconds(osPid), n), seqUs: sidecar ? perDoc(cpu0.seq, cpuSeconds(sidecar.pid), n) : 0 };
}

/** `seqsentry enrich` over every event of `index` as a user runs it; its CPU is read once it has exited. */
async function enrich(index) {
  for (let s = 0; s < 4; s++) await call(url, 'DELETE', `/.seqsentry-state/_doc/checkpoint:${JOB}:${s}`);
  const cpu0 = { os: cpuSeconds(osPid), children: exitedChildrenCpuSeconds() };
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(root, 'bin', 'seqsentry.js'), 'enrich', '--index', index, '--model-dir', modelDir, '--since', ALL.first, '--job', JOB, ...(threads === undefined ? [] : ['--onnx-threads', threads])],
    { cwd: root, env: { ...process.env, OPENSEARCH_URL: url, SEQSENTRY_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'inherit'] });
  const code = await new Promise((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`seqsentry enrich exited with ${code}`);
  const s = (performance.now() - t0) / 1000;
  const n = TOTAL;
  return { seconds: s, osUs: perDoc(cpu0.os, cpuSeconds(osPid), n), seqUs: perDoc(cpu0.children, exitedChildrenCpuSeconds(), n) };
}

const rows = [];
/** One row: a path's figures for one pass; the index's bytes per document once it holds every pass's documents. */
const row = async (path, pass, index, res) => {
  const n = pass.docs.length;
  const scored = await passCount(index, pass, { exists: { field: 'anomaly_score' } });
  if (path !== 'direct' && scored === 0) throw new Error(`${path}: no event scored in ${index}`);
  // Events a path could not score (e.g. an ML Commons call that failed: the pipeline marks them pending for enrich).
  const pending = await call(url, 'POST', `/${index}/_search`, { size: 1, _source: ['anomaly.pending'], query: { bool: { filter: [{ exists: { field: 'anomaly.pending' } }, { range: { '@timestamp': { gte: pass.first, lte: pass.last } } }] } }, track_total_hits: true });
  const unscored = { count: n - scored, pending: pending.json?.hits?.total?.value ?? 0, reason: pending.json?.hits?.hits?.[0]?._source?.anomaly?.pending };
  const full = await passCount(index, pass, { range: { anomaly_score: { gte: 0.99 } } });
  const bytes = pass === measured || pass === ALL ? +((await forceMergedStoreBytes(url, index, TOTAL)) / TOTAL).toFixed(1) : null;
  rows.push({ path, pass: pass.name, docs: n, docs_per_s: Math.round(n / res.seconds), scored: path === 'direct' ? 0 : scored, ...(path !== 'direct' && unscored.count ? { unscored } : {}), explained_in_full: full, os_cpu_us_per_doc: res.osUs, seqsentry_cpu_us_per_doc: res.seqUs, bytes_per_doc: bytes });
  process.stderr.write(`${path}, ${pass.name}: ${JSON.stringify(rows.at(-1))}\n`);
};
try {
  const auth = { authorization: `Bearer ${TOKEN}` };
  for (const pass of PASSES) {
    await row('direct', pass, `${PREFIX}-direct`, await ingest(`${PREFIX}-direct`, url, pass));
    await row('proxy', pass, `${PREFIX}-proxy`, await ingest(`${PREFIX}-proxy`, proxySidecar.url, pass, { sidecar: proxySidecar, headers: auth }));
    await row('ingest pipeline (ML Commons)', pass, `${PREFIX}-pipeline`, await ingest(`${PREFIX}-pipeline`, url, pass, { sidecar: mlSidecar, query: '?pipeline=seqsentry-score' }));
  }
  // enrich scores the direct path's events in place: its index then holds the same events with their fields.
  await row('enrich (stored events)', ALL, `${PREFIX}-direct`, await enrich(`${PREFIX}-direct`));
} finally {
  await Promise.all([proxySidecar.stop(), mlSidecar.stop()]);
  for (const p of ['direct', 'proxy', 'pipeline']) await call(url, 'DELETE', `/${PREFIX}-${p}`);
}

const fmt = (v, digits = 1) => (v === null ? 'n/a' : v.toFixed(digits));
const load = loadavg().map((l) => l.toFixed(2)).join(' ');
process.stdout.write(`\n${WARMUP ? `${WARMUP} ECS logons cold, then ${N} warm` : `${N} ECS logons cold`}, bulks of ${BULK}, ${CLIENTS} clients, ${values.kind}${screen !== null ? ` behind a screen at ${screen}` : ' (no screen)'}, ONNX intra-op threads ${threads ?? 'default'}, ${cpus().length} cores, one run, load average ${load} at the end\n\n`);
process.stdout.write('| path | pass | docs/s | vs direct (same pass) | scored | OpenSearch CPU µs/doc | SeqSentry CPU µs/doc | SeqSentry / OpenSearch CPU | index bytes/doc (force-merged, all passes) | over direct |\n|---|---|---|---|---|---|---|---|---|---|\n');
for (const r of rows) {
  const direct = rows.find((x) => x.path === 'direct' && x.pass === r.pass) ?? rows.find((x) => x.path === 'direct');
  const directBytes = rows.find((x) => x.path === 'direct' && x.bytes_per_doc !== null)?.bytes_per_doc;
  const ratio = r.seqsentry_cpu_us_per_doc && r.os_cpu_us_per_doc ? fmt(r.seqsentry_cpu_us_per_doc / r.os_cpu_us_per_doc, 2) : '–';
  const pct = r.bytes_per_doc === null ? 0 : 100 * (r.bytes_per_doc / directBytes - 1);
  const over = r === direct || r.bytes_per_doc === null ? '–' : `${pct >= 0 ? '+' : ''}${fmt(pct)}%`;
  process.stdout.write(`| ${r.path} | ${r.pass} | ${r.docs_per_s} | ${fmt(r.docs_per_s / direct.docs_per_s, 2)} | ${r === direct ? '–' : r.scored} | ${fmt(r.os_cpu_us_per_doc)} | ${r === direct ? '–' : fmt(r.seqsentry_cpu_us_per_doc)} | ${ratio} | ${r.bytes_per_doc === null ? '–' : fmt(r.bytes_per_doc)} | ${over} |\n`);
}
for (const r of rows.filter((x) => x.unscored)) process.stdout.write(`\n${r.path}: ${r.unscored.count} events unscored (${r.unscored.pending} marked anomaly.pending, e.g. ${JSON.stringify(r.unscored.reason ?? '').slice(0, 300)})`);
process.stdout.write('\n');
await writeFile(join(out, 'cost.json'), JSON.stringify({ events: N, warmup: WARMUP, loadavg: load, bulk_docs: BULK, clients: CLIENTS, kind: values.kind, screen, onnx_threads: threads ?? 'default', cpus: cpus().length, rows }, null, 2) + '\n');
