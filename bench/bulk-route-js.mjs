#!/usr/bin/env node
// The bulk proxy's own JavaScript per document, in one process and without a sidecar: CPU µs per document (process
// CPU, so garbage collection on V8's helper threads counts) of each step the _bulk route takes around scoring, on the
// ECS logons of bench/proxy.mjs in bulks of --bulk: decoding and splitting the body (bulk-ndjson), the ECS adapter,
// the anomaly-field splice and packing the forwarded body (bulk-forward, to a stand-in that answers as OpenSearch
// does, without a socket). With --against DIR (another build's dist/, e.g. main's), both builds run the same steps,
// alternated round by round, so that a change to these steps is measured against the machine's noise.
// Usage: node bench/bulk-route-js.mjs [--bulk 1000] [--rounds 6] [--reps 40] [--dist dist] [--against DIR]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { bulkBodies } from './lib/bulk-send.mjs';
import { benchTimes, ecsLogons } from './lib/ecs-bench.mjs';

const { values } = parseArgs({
  options: {
    bulk: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '6' },
    reps: { type: 'string', default: '40' },
    dist: { type: 'string', default: 'dist' },
    against: { type: 'string' },
  },
});
const N = Number(values.bulk);
const lines = [...ecsLogons(N, 42, benchTimes(N))].map((d) => JSON.stringify(d));
const body = Buffer.from(bulkBodies(lines, N, 0)[0]);
// what a scored event below the explain threshold carries (the compact form 99 % of events get)
const fields = (i) => ({ anomaly_score: (i % 997) / 1000, anomaly: { fields: [{ name: 'dst_host' }], model: { name: 'ecs', version: '1', kind: 'transformer-mlm' }, is_anomaly: false, reason: 'sequence', scored_at: '2026-12-06T19:00:00.000Z' } });
const answer = Buffer.from(JSON.stringify({ took: 3, errors: false, items: lines.map(() => ({ index: { status: 201 } })) }));
const opensearch = { request: async () => ({ status: 200, contentType: 'application/json', body: answer }) };

/** The steps of one build, each a function of the bulk that returns what the next step takes. */
async function build(dir) {
  const at = (m) => import(pathToFileURL(resolve(dir, m)).href);
  const [nd, aj, ecs, fw] = await Promise.all([at('server/bulk-ndjson.js'), at('server/anomaly-json.js'), at('adapters/ecs.js'), at('server/bulk-forward.js')]);
  const adapter = ecs.createEcsAdapter();
  return {
    'decode + split + JSON.parse (bulk-ndjson)': () => nd.parseBulk(nd.decodeBulkBody(body).text, 'logs'),
    'ECS adapter': (items) => items.map((it) => adapter.parse(it.source.doc, { file: '_bulk', line: it.source.line })),
    'anomaly fields spliced': (items) => items.map((it, i) => aj.withAnomalyFields(it.source.text, it.source.doc, fields(i))),
    'forwarded body packed (bulk-forward)': async (items, spliced) => fw.forwardInParts(items.map((it, i) => ({ item: it, render: () => `${it.actionText}\n${spliced[i]}\n` })), { opensearch, path: '/logs/_bulk', headers: {}, maxBytes: 100 * 1024 * 1024, sizeHint: body.length + 256 * N }),
  };
}

const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
/** µs of CPU per document of each step, over `reps` bulks. */
async function round(steps, reps) {
  const spent = Object.fromEntries(Object.keys(steps).map((k) => [k, 0]));
  const [parse, read, splice, forward] = Object.entries(steps);
  for (let r = 0; r < reps; r++) {
    let t = cpu();
    const items = parse[1]();
    spent[parse[0]] += cpu() - t;
    t = cpu();
    read[1](items);
    spent[read[0]] += cpu() - t;
    t = cpu();
    const spliced = splice[1](items);
    spent[splice[0]] += cpu() - t;
    t = cpu();
    await forward[1](items, spliced);
    spent[forward[0]] += cpu() - t;
  }
  return Object.fromEntries(Object.entries(spent).map(([k, us]) => [k, us / reps / N]));
}

const builds = [['this build', await build(values.dist)], ...(values.against ? [[values.against, await build(values.against)]] : [])];
for (const [, steps] of builds) await round(steps, 10); // warm up: optimized code, as in a sidecar that has run a while
const sums = builds.map(() => ({}));
for (let r = 0; r < Number(values.rounds); r++) {
  const order = r % 2 ? [...builds.keys()].reverse() : [...builds.keys()];
  for (const b of order) for (const [k, us] of Object.entries(await round(builds[b][1], Number(values.reps)))) sums[b][k] = (sums[b][k] ?? 0) + us / Number(values.rounds);
}
const rows = ['| step | ' + builds.map(([name]) => `${name} µs/doc`).join(' | ') + ' |', '|---|' + builds.map(() => '---:|').join('')];
for (const k of Object.keys(sums[0])) rows.push(`| ${k} | ${sums.map((s) => s[k].toFixed(2)).join(' | ')} |`);
rows.push(`| **total** | ${sums.map((s) => `**${Object.values(s).reduce((a, b) => a + b, 0).toFixed(2)}**`).join(' | ')} |`);
process.stdout.write(`${rows.join('\n')}\n(bulks of ${N}, ${values.rounds} rounds of ${values.reps} alternated; load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')})\n`);
