#!/usr/bin/env node
// How fast the zeek adapter reads (records/s through readRecords, the same WRCCDC capture as Zeek TSV and as Zeek
// JSON, gzip), joins by uid (readZeekConnections over a sensor's files, merged by time: reading included), and joins
// alone (joinByUid over the same events already in memory), with the heap used at its peak while joining (garbage
// included). The machine is shared: compare the rows of one run (the ratios), not runs. One warm-up pass first.
// Usage: node bench/zeek-read.mjs. Needs the compiled CLI (npm run build) and ../shared/data/zeek.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { root } from './lib/ecs-bench.mjs';

const dist = (p) => import(new URL(`../dist/${p}`, import.meta.url).href);
const { newReadStats, readRecords } = await dist('adapters/read.js');
const { createAdapter } = await dist('adapters/registry.js');
const { mergeByTime, readZeekConnections } = await dist('adapters/zeek-merge.js');
const { joinByUid } = await dist('adapters/zeek-join.js');

const zeek = join(root, '..', 'shared', 'data', 'zeek');
const TYPES = ['dns', 'ssl', 'weird', 'rdp'];

async function readAll(files) {
  const stats = newReadStats();
  const t0 = performance.now();
  for await (const _ of readRecords(files, createAdapter('zeek'), stats));
  const s = (performance.now() - t0) / 1000;
  return { records: stats.records, events: stats.events, errors: stats.errors, seconds: s, perSecond: stats.records / s };
}

async function joinAll(files) {
  const join = { connections: 0, withoutConn: 0, forced: 0 };
  const stats = newReadStats();
  let peak = 0;
  const t0 = performance.now();
  let n = 0;
  for await (const _ of readZeekConnections(files, createAdapter('zeek'), stats, {}, join)) {
    if (++n % 1000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  const s = (performance.now() - t0) / 1000;
  return { records: stats.events, ...join, seconds: s, perSecond: stats.events / s, peakHeapMiB: peak / 2 ** 20 };
}

/** joinByUid alone: the events read and merged first, then joined from memory. */
async function joinOnly(files) {
  const events = [];
  const each = (file) => (async function* () {
    for await (const item of readRecords([file], createAdapter('zeek'))) if (item.event) yield item.event;
  })();
  for await (const e of mergeByTime(files.map(each))) events.push(e);
  const j = { connections: 0, withoutConn: 0, forced: 0 };
  const t0 = performance.now();
  for await (const _ of joinByUid((async function* () { yield* events; })(), {}, j));
  const s = (performance.now() - t0) / 1000;
  return { records: events.length, ...j, seconds: s, perSecond: events.length / s, peakHeapMiB: process.memoryUsage().heapUsed / 2 ** 20 };
}

await readAll([join(zeek, 'zeek-default', 'rdp.log.gz')]);
const results = {
  tsv: await readAll(TYPES.map((t) => join(zeek, 'zeek-default', `${t}.log.gz`))),
  json: await readAll(TYPES.map((t) => join(zeek, 'zeek-json', `${t}.json.gz`))),
  joinWrccdc: await joinAll(TYPES.map((t) => join(zeek, 'zeek-default', `${t}.log.gz`))),
  joinOnlyWrccdc: await joinOnly(TYPES.map((t) => join(zeek, 'zeek-default', `${t}.log.gz`))),
  joinStratosphere: await joinAll((await readdir(join(zeek, 'stratosphere-labeled', '008-zeek-mixed'))).filter((f) => f.endsWith('.gz')).map((f) => join(zeek, 'stratosphere-labeled', '008-zeek-mixed', f))),
};
for (const [name, r] of Object.entries(results)) {
  process.stdout.write(`${name.padEnd(18)} ${String(r.records).padStart(7)} records  ${r.seconds.toFixed(2)} s  ${Math.round(r.perSecond)} records/s${r.connections !== undefined ? `  ${r.connections} connections (${r.withoutConn} without conn, ${r.forced} forced)  peak heap ${r.peakHeapMiB.toFixed(0)} MiB` : ''}\n`);
}
const out = join(root, 'bench', 'results');
await mkdir(out, { recursive: true });
await writeFile(join(out, 'zeek-read.json'), JSON.stringify(results, null, 2));
