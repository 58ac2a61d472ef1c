#!/usr/bin/env node
// History refill benchmark: what refilling cold entities from OpenSearch costs the node. Loads the ECS logons of
// bench/enrich.mjs into an index, then refills every user cold with the history loader the sidecar and enrich use,
// all at once as a fresh process meets them: at each user's first event (nothing before it, the event itself at its
// time: what enrich's first pages ask) and at a time mid-way (the limit's events before it and its boundary time).
// Prints per round the wall time, the node's CPU per refill (from /proc), the searches OpenSearch received and a
// checksum of the events that came back. With --against DIR (another build's dist/, e.g. main's), both builds' loaders
// run alternated round by round on the same index, so a change is measured against the machine's noise.
// Usage: node bench/refill.mjs [--events 200000] [--users 2000] [--limit 8] [--rounds 3] [--against DIR] [--keep]
// Needs the compiled CLI (npm run build) and a running OpenSearch (OPENSEARCH_URL, else node scripts/opensearch.mjs url).
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { call, cpuSeconds, dist, ECS_BENCH_MAPPINGS, ecsLogons, LOGON_STEP_MS, openSearchPid, openSearchUrl } from './lib/ecs-bench.mjs';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    users: { type: 'string', default: '2000' },
    limit: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    against: { type: 'string' },
    index: { type: 'string', default: 'seqsentry-bench-refill' },
    keep: { type: 'boolean', default: false },
  },
});
const N = Number(values.events);
const LIMIT = Number(values.limit);
const index = values.index;
const url = openSearchUrl();
const os = (method, path, body) => call(url, method, path, body);

/** A build's loader factory, its client counting the searches it sends. */
async function build(name, base) {
  const { createOpenSearchClient } = await import(new URL('opensearch/client.js', base));
  const { OpenSearchConfigSchema } = await import(new URL('opensearch/config.js', base));
  const { createHistoryLoader, historyFieldsFor } = await import(new URL('opensearch/history-loader.js', base));
  const { createAdapter } = await import(new URL('adapters/registry.js', base));
  const client = createOpenSearchClient(OpenSearchConfigSchema.parse({ url }));
  const counter = { searches: 0 };
  const request = client.transport.request.bind(client.transport);
  client.transport.request = (params, options) => {
    counter.searches += params.path.endsWith('/_msearch') ? (params.bulkBody?.length ?? 0) / 2 : 1;
    return request(params, options);
  };
  const adapter = createAdapter('ecs');
  const loader = () => createHistoryLoader({ client, adapter, fields: historyFieldsFor(adapter), timeoutMs: 60_000 });
  return { name, client, counter, loader };
}
const builds = [await build('this', dist)];
if (values.against) builds.push(await build('against', pathToFileURL(resolve(values.against) + '/')));

// 1. The events, and each user's first time (seconds).
const start = Date.UTC(2026, 10, 27);
const docs = [...ecsLogons(N, 99, start, Number(values.users))];
const firstAt = new Map();
for (const d of docs) if (!firstAt.has(d.user.name)) firstAt.set(d.user.name, Date.parse(d['@timestamp']) / 1000);
const mid = (start + (N / 2) * LOGON_STEP_MS) / 1000;

await os('DELETE', `/${index}`);
const created = await os('PUT', `/${index}`, { settings: { number_of_shards: 2, number_of_replicas: 0, refresh_interval: '-1' }, mappings: ECS_BENCH_MAPPINGS });
if (created.status !== 200) throw new Error(`create ${index}: ${JSON.stringify(created.json)}`);
for (let i = 0; i < N; i += 10_000) {
  const body = docs.slice(i, i + 10_000).map((d, j) => `{"index":{"_index":"${index}","_id":"e${i + j}"}}\n${JSON.stringify(d)}`).join('\n') + '\n';
  const r = await os('POST', '/_bulk', body);
  if (r.json?.errors) throw new Error(`bulk load failed: ${JSON.stringify(r.json.items.find((x) => x.index.error))}`);
}
await os('POST', `/${index}/_refresh`);
process.stdout.write(`loaded ${N} events of ${firstAt.size} users into ${index} (2 shards)\n`);

// 2. Refills of every user at once (the loader batches them as it batches a page's cold entities).
const osPid = openSearchPid(url);
const scenarios = { first: (user) => firstAt.get(user), mid: () => mid };
const users = [...firstAt.keys()];
const rows = [];
for (let round = 0; round < Number(values.rounds); round++) {
  for (const [scenario, until] of Object.entries(scenarios)) {
    for (const b of round % 2 === 0 ? builds : [...builds].reverse()) {
      const load = b.loader();
      b.counter.searches = 0;
      const cpu0 = cpuSeconds(osPid);
      const t0 = performance.now();
      const got = await Promise.all(users.map((u) => load(index, u, until(u), LIMIT)));
      const wallMs = performance.now() - t0;
      const cpu = cpuSeconds(osPid);
      const hash = createHash('sha256');
      for (const events of got) hash.update(JSON.stringify(events.map((e) => [e.time, e.entities, e.fields])));
      const row = { round, scenario, build: b.name, refills: users.length, searches: b.counter.searches, events: got.reduce((n, e) => n + e.length, 0), wall_ms: Math.round(wallMs),
        opensearch_cpu_us_per_refill: cpu0 === null || cpu === null ? null : Math.round(((cpu - cpu0) * 1e6) / users.length), checksum: hash.digest('hex').slice(0, 7) };
      rows.push(row);
      process.stdout.write(`round ${round} ${scenario.padEnd(5)} ${b.name.padEnd(7)}: ${row.refills} refills in ${row.searches} searches, ${row.events} events (${row.checksum}), ${row.wall_ms} ms; OpenSearch ${row.opensearch_cpu_us_per_refill ?? '–'} CPU µs per refill\n`);
    }
  }
}
for (const b of builds) await b.client.close();
if (!values.keep) await os('DELETE', `/${index}`);

// 3. Medians per scenario and build.
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
for (const scenario of Object.keys(scenarios)) {
  for (const b of builds) {
    const r = rows.filter((x) => x.scenario === scenario && x.build === b.name);
    process.stdout.write(`median ${scenario} ${b.name}: ${median(r.map((x) => x.wall_ms))} ms wall, OpenSearch ${median(r.map((x) => x.opensearch_cpu_us_per_refill ?? 0))} CPU µs per refill, ${r[0].searches} searches\n`);
  }
}
