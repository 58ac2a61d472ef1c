#!/usr/bin/env node
// Bulk-proxy benchmark: the same ECS logons bulk-indexed straight into OpenSearch, straight in with their anomaly
// fields already added (scored before timing: the ceiling of any proxy), and through `seqsentry serve`'s _bulk
// proxy (scored inline, then forwarded), alternating rounds in one run; prints docs/s, the ratios and the CPU
// microseconds per document each process spent.
// Usage: node bench/proxy.mjs [--events 100000] [--bulk 2000] [--clients 2] [--rounds 2] [--kind transformer-mlm]
//        [--unusual-hours] (logons at hours new to the model: the old worst case, every document explained in full)
// Needs the compiled CLI (npm run build) and a running OpenSearch (OPENSEARCH_URL, else node scripts/opensearch.mjs url).
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bulkBodies, sendBulks } from './lib/bulk-send.mjs';
import { call, cpuSeconds, threadCpuSeconds, ECS_BENCH_MAPPINGS, benchTimes, ecsBenchModel, ecsLogons, openSearchPid, openSearchUrl, prescoredLines, startServe, UNUSUAL_HOURS_OPTION } from './lib/ecs-bench.mjs';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    bulk: { type: 'string', default: '2000' },
    clients: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '2' },
    kind: { type: 'string', default: 'transformer-mlm' },
    out: { type: 'string', default: 'bench/results' },
    ...UNUSUAL_HOURS_OPTION,
  },
});
const N = Number(values.events);
const BULK = Number(values.bulk);
const CLIENTS = Number(values.clients);
const out = resolve(values.out);
const work = join(out, 'enrich-work'); // shares the trained model with bench/enrich.mjs
await mkdir(work, { recursive: true });
const url = openSearchUrl();
const TOKEN = 'bench-token-0123456789abcdef';

const modelDir = await ecsBenchModel(work, { kind: values.kind });
// Bulk bodies are built before timing: direct and proxy send byte-identical requests.
const docs = [...ecsLogons(N, 42, benchTimes(N, { unusualHours: values['unusual-hours'] }))];
const toBodies = (lines) => bulkBodies(lines, BULK);
const bodies = toBodies(docs.map((d) => JSON.stringify(d)));
// The same documents with the anomaly fields the proxy adds, scored here before timing and indexed directly:
// what OpenSearch alone needs for the proxy's output, i.e. the ceiling of a proxy whose scoring cost nothing.
const prescored = await prescoredLines(modelDir, docs);
const prescoredBodies = toBodies(prescored);
// How many carry the full explanation (the raw score is written only with it): the share decides most of what the
// fields cost OpenSearch (docs/benchmarks.md, "What indexing the anomaly fields costs OpenSearch").
const explainedInFull = prescored.filter((line) => JSON.parse(line).anomaly?.raw !== undefined).length;

const sidecar = await startServe({ modelDir, opensearchUrl: url, token: TOKEN });
const osPid = openSearchPid(url);

async function ingest(path, base, index, headers) {
  await call(url, 'DELETE', `/${index}`);
  const created = await call(url, 'PUT', `/${index}`, { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: ECS_BENCH_MAPPINGS });
  if (created.status !== 200) throw new Error(`create ${index}: ${JSON.stringify(created.json)}`);
  const cpu0 = { os: cpuSeconds(osPid), sidecar: cpuSeconds(sidecar.pid), threads: threadCpuSeconds(sidecar.pid), bench: process.cpuUsage() };
  const s = await sendBulks(base, index, path === 'direct+fields' ? prescoredBodies : bodies, { clients: CLIENTS, headers });
  const benchCpu = process.cpuUsage(cpu0.bench);
  // CPU microseconds per document of each process (null where unknown): where the two cores went.
  const perDoc = (a, b) => (a === null || b === null ? null : +(((b - a) / N) * 1e6).toFixed(1));
  const cpuUsPerDoc = {
    opensearch: perDoc(cpu0.os, cpuSeconds(osPid)),
    sidecar: path === 'proxy' ? perDoc(cpu0.sidecar, cpuSeconds(sidecar.pid)) : 0,
    bench_client: +(((benchCpu.user + benchCpu.system) / N)).toFixed(1),
  };
  // The sidecar's threads that did work (its JS thread, the ONNX worker, V8's GC helpers, libuv), busiest first.
  const sidecarThreads = {};
  if (path === 'proxy') {
    const used = Object.entries(threadCpuSeconds(sidecar.pid)).map(([name, sec]) => [name, perDoc(cpu0.threads[name] ?? 0, sec)]);
    for (const [name, us] of used.filter(([, us]) => us >= 0.5).sort((a, b) => b[1] - a[1])) sidecarThreads[name] = us;
  }
  await call(url, 'POST', `/${index}/_refresh`);
  const count = (await call(url, 'POST', `/${index}/_count`)).json.count;
  const scored = (await call(url, 'POST', `/${index}/_count`, { query: { exists: { field: 'anomaly_score' } } })).json.count;
  if (count !== N) throw new Error(`${index}: ${count} of ${N} documents indexed`);
  return { docsPerS: N / s, seconds: s, scored, cpuUsPerDoc, ...(path === 'proxy' ? { sidecarThreadsUsPerDoc: sidecarThreads } : {}) };
}

const PATHS = ['direct', 'direct+fields', 'proxy'];
const rows = [];
try {
  for (let r = 1; r <= Number(values.rounds); r++) {
    for (const path of PATHS) {
      const index = `seqsentry-bench-proxy-${path.replace('+', '-')}`;
      const res = path === 'proxy' ? await ingest(path, sidecar.url, index, { authorization: `Bearer ${TOKEN}` }) : await ingest(path, url, index, {});
      rows.push({ round: r, path, ...res });
      process.stderr.write(`round ${r} ${path}: ${res.docsPerS.toFixed(0)} docs/s (${res.scored} scored), CPU µs/doc ${JSON.stringify(res.cpuUsPerDoc)}${res.sidecarThreadsUsPerDoc ? `, sidecar threads ${JSON.stringify(res.sidecarThreadsUsPerDoc)}` : ''}\n`);
      await call(url, 'DELETE', `/${index}`);
    }
  }
} finally {
  await sidecar.stop();
}

const best = (path) => Math.max(...rows.filter((x) => x.path === path).map((x) => x.docsPerS));
const direct = best('direct');
const proxy = best('proxy');
const ceiling = best('direct+fields');
const summary = { events: N, bulk_docs: BULK, clients: CLIENTS, kind: values.kind, cpus: cpus().length, direct_docs_per_s: Math.round(direct), direct_with_fields_docs_per_s: Math.round(ceiling), proxy_docs_per_s: Math.round(proxy), proxy_over_direct: +(proxy / direct).toFixed(3), direct_with_fields_over_direct: +(ceiling / direct).toFixed(3), unusual_hours: values['unusual-hours'], explained_in_full: explainedInFull, rounds: rows };
process.stdout.write('\n| path | docs/s (best of rounds) | every round |\n|---|---|---|\n');
for (const path of PATHS) process.stdout.write(`| ${path} | ${Math.round(best(path))} | ${rows.filter((x) => x.path === path).map((x) => Math.round(x.docsPerS)).join(', ')} |\n`);
process.stdout.write(`\ndirect+fields / direct = ${(ceiling / direct * 100).toFixed(1)} % (what the added anomaly fields alone cost OpenSearch; ${explainedInFull} of ${N} documents (${(explainedInFull / N * 100).toFixed(1)} %) explained in full, ${values['unusual-hours'] ? 'unusual' : 'ordinary'} hours)`);
process.stdout.write(`\nproxy / direct = ${(proxy / direct * 100).toFixed(1)} % (${N} events, bulks of ${BULK}, ${CLIENTS} clients, ${values.kind}, ${cpus().length} cores)\n`);
await writeFile(join(out, 'proxy.json'), JSON.stringify(summary, null, 2) + '\n');
