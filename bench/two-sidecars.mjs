#!/usr/bin/env node
// Two sidecars behind shippers that spread load between them: how many scores differ from one sidecar's, when bulks
// go round-robin and when each event goes to the sidecar its context entity is routed to. Each sidecar keeps the
// histories of the entities it sees (src/scorer/history.ts); a round-robin split gives each a gappy history of
// every entity, a split by entity gives each the whole history of its own entities.
// Usage: node bench/two-sidecars.mjs [--bulk 500] [--train-events 50000] [--out bench/results]
// Reads the compiled library in dist/ (npm run build). The demo's enterprise (seed 7): a week of training, two test days.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { quiet } from './lib/ecs-bench.mjs';

const dist = new URL('../dist/', import.meta.url);
const { default: simulate } = await import(new URL('commands/simulate.js', dist));
const { train } = await import(new URL('commands/train.js', dist));
const { DEFAULT_KIND } = await import(new URL('model/kinds.js', dist));
const { Scorer } = await import(new URL('scorer/scorer.js', dist));
const { createAdapter } = await import(new URL('adapters/registry.js', dist));
const { readEvents } = await import(new URL('adapters/read.js', dist));

const { values } = parseArgs({
  options: {
    bulk: { type: 'string', default: '500' },
    'train-events': { type: 'string', default: '50000' },
    out: { type: 'string', default: 'bench/results' },
  },
});
const bulk = Number(values.bulk);
const work = join(resolve(values.out), 'two-sidecars-work');
await mkdir(work, { recursive: true });
const data = join(work, 'data');
if (!existsSync(join(data, 'test.csv'))) await quiet(() => simulate.run(['--days', '9', '--seed', '7', '--out', data]));
const modelDir = join(work, `model-${DEFAULT_KIND}`);
if (!existsSync(join(modelDir, 'bundle.json'))) {
  await quiet(() => train({ format: 'lanl', inputs: [join(data, 'train.csv')], modelDir, kind: DEFAULT_KIND, seed: 1, minCount: 2, hourToken: true, strict: false, maxEvents: Number(values['train-events']) }));
}
const events = [];
for await (const item of readEvents([join(data, 'test.csv')], createAdapter('lanl'))) if (item.event) events.push(item.event);
// Shippers send in arrival order, in bulks.
const bulks = [];
for (let i = 0; i < events.length; i += bulk) bulks.push(events.slice(i, i + bulk).map((event, k) => ({ event, index: i + k })));

/** Scores each sidecar's share of every bulk in order, as sidecars serving shippers would; raw score per event. */
async function run(sidecars, split) {
  const scorers = await Promise.all(Array.from({ length: sidecars }, () => Scorer.load(modelDir, { maxBatch: 1024 })));
  const raw = new Float64Array(events.length);
  for (let b = 0; b < bulks.length; b++) {
    const shares = Array.from({ length: sidecars }, () => []);
    for (const item of bulks[b]) shares[split(item, b)].push(item);
    for (let s = 0; s < sidecars; s++) {
      if (!shares[s].length) continue;
      const results = await scorers[s].score(shares[s].map((x) => x.event));
      shares[s].forEach((x, k) => { raw[x.index] = results[k].raw; });
    }
  }
  await Promise.all(scorers.map((s) => s.close()));
  return raw;
}

const entityKey = (await Scorer.load(modelDir)).bundle.entity_key;
const hash = (v) => createHash('sha1').update(v).digest()[0] & 1;
const one = await run(1, () => 0);
const rows = [];
for (const [deployment, split] of [
  ['two sidecars, bulks round-robin', (_, b) => b % 2],
  [`two sidecars, events routed by ${entityKey}`, (x) => hash(x.event.entities[entityKey] ?? '?')],
]) {
  const two = await run(2, split);
  let differ = 0;
  let maxDiff = 0;
  for (let i = 0; i < events.length; i++) {
    const d = Math.abs(two[i] - one[i]);
    if (d > 1e-6 * Math.max(1, Math.abs(one[i]))) differ++;
    maxDiff = Math.max(maxDiff, d);
  }
  rows.push({ deployment, events: events.length, differ, share: differ / events.length, max_raw_difference: maxDiff });
}
console.log(`\nTwo sidecars against one: ${events.length.toLocaleString('en-US')} test events of the demo enterprise, bulks of ${bulk}, ${DEFAULT_KIND}`);
console.log('| deployment | events | scores that differ from one sidecar\'s | share | largest raw difference |');
console.log('|---|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.deployment} | ${r.events.toLocaleString('en-US')} | ${r.differ.toLocaleString('en-US')} | ${(r.share * 100).toFixed(2)} % | ${r.max_raw_difference.toFixed(4)} |`);
await writeFile(join(resolve(values.out), 'two-sidecars.json'), JSON.stringify(rows, null, 2));
