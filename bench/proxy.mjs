#!/usr/bin/env node
// Bulk-proxy benchmark: the same ECS logons bulk-indexed straight into OpenSearch and through `seqsentry serve`'s
// _bulk proxy (scored inline, then forwarded), alternating rounds in one run; prints docs/s and the ratio.
// Usage: node bench/proxy.mjs [--events 100000] [--bulk 2000] [--clients 2] [--rounds 2] [--kind transformer-mlm]
// Needs the compiled CLI (npm run build) and a running OpenSearch (OPENSEARCH_URL, else node scripts/opensearch.mjs url).
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { call, cpuSeconds, ECS_BENCH_MAPPINGS, ecsBenchModel, ecsLogons, openSearchPid, openSearchUrl, startServe } from './lib/ecs-bench.mjs';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    bulk: { type: 'string', default: '2000' },
    clients: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '2' },
    kind: { type: 'string', default: 'transformer-mlm' },
    out: { type: 'string', default: 'bench/results' },
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
const startMs = Date.now() - 10 * 3600_000;
// Bulk bodies are built before timing: both paths send byte-identical requests.
const docs = [...ecsLogons(N, 42, startMs)];
const bodies = [];
for (let i = 0; i < N; i += BULK) bodies.push(docs.slice(i, i + BULK).map((d, j) => `{"index":{"_id":"e${i + j}"}}\n${JSON.stringify(d)}`).join('\n') + '\n');

const sidecar = await startServe({ modelDir, opensearchUrl: url, token: TOKEN });
const osPid = openSearchPid(url);

/** Sends every body to `<base>/<index>/_bulk` from CLIENTS concurrent clients; returns docs/s. */
async function ingest(path, base, index, headers) {
  await call(url, 'DELETE', `/${index}`);
  const created = await call(url, 'PUT', `/${index}`, { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: ECS_BENCH_MAPPINGS });
  if (created.status !== 200) throw new Error(`create ${index}: ${JSON.stringify(created.json)}`);
  let next = 0;
  const cpu0 = { os: cpuSeconds(osPid), sidecar: cpuSeconds(sidecar.pid), bench: process.cpuUsage() };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const r = await call(base, 'POST', `/${index}/_bulk`, body, headers);
      if (r.status !== 200 || r.json?.errors) throw new Error(`bulk into ${index} via ${base}: HTTP ${r.status} ${JSON.stringify(r.json).slice(0, 400)}`);
    }
  }));
  const s = (performance.now() - t0) / 1000;
  const benchCpu = process.cpuUsage(cpu0.bench);
  // CPU microseconds per document of each process (null where unknown): where the two cores went.
  const perDoc = (a, b) => (a === null || b === null ? null : +(((b - a) / N) * 1e6).toFixed(1));
  const cpuUsPerDoc = {
    opensearch: perDoc(cpu0.os, cpuSeconds(osPid)),
    sidecar: path === 'proxy' ? perDoc(cpu0.sidecar, cpuSeconds(sidecar.pid)) : 0,
    bench_client: +(((benchCpu.user + benchCpu.system) / N)).toFixed(1),
  };
  await call(url, 'POST', `/${index}/_refresh`);
  const count = (await call(url, 'POST', `/${index}/_count`)).json.count;
  const scored = (await call(url, 'POST', `/${index}/_count`, { query: { exists: { field: 'anomaly_score' } } })).json.count;
  if (count !== N) throw new Error(`${index}: ${count} of ${N} documents indexed`);
  return { docsPerS: N / s, seconds: s, scored, cpuUsPerDoc };
}

const rows = [];
try {
  for (let r = 1; r <= Number(values.rounds); r++) {
    for (const path of ['direct', 'proxy']) {
      const index = `seqsentry-bench-proxy-${path}`;
      const res = path === 'direct' ? await ingest(path, url, index, {}) : await ingest(path, sidecar.url, index, { authorization: `Bearer ${TOKEN}` });
      rows.push({ round: r, path, ...res });
      process.stderr.write(`round ${r} ${path}: ${res.docsPerS.toFixed(0)} docs/s (${res.scored} scored), CPU µs/doc ${JSON.stringify(res.cpuUsPerDoc)}\n`);
      await call(url, 'DELETE', `/${index}`);
    }
  }
} finally {
  await sidecar.stop();
}

const best = (path) => Math.max(...rows.filter((x) => x.path === path).map((x) => x.docsPerS));
const direct = best('direct');
const proxy = best('proxy');
const summary = { events: N, bulk_docs: BULK, clients: CLIENTS, kind: values.kind, cpus: cpus().length, direct_docs_per_s: Math.round(direct), proxy_docs_per_s: Math.round(proxy), proxy_over_direct: +(proxy / direct).toFixed(3), rounds: rows };
process.stdout.write('\n| path | docs/s (best of rounds) | every round |\n|---|---|---|\n');
for (const path of ['direct', 'proxy']) process.stdout.write(`| ${path} | ${Math.round(best(path))} | ${rows.filter((x) => x.path === path).map((x) => Math.round(x.docsPerS)).join(', ')} |\n`);
process.stdout.write(`\nproxy / direct = ${(proxy / direct * 100).toFixed(1)} % (${N} events, bulks of ${BULK}, ${CLIENTS} clients, ${values.kind}, ${cpus().length} cores)\n`);
await writeFile(join(out, 'proxy.json'), JSON.stringify(summary, null, 2) + '\n');
