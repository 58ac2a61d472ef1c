#!/usr/bin/env node
// How often a model window repeats: the share of events whose token window (the entity's previous C rows, left-padded
// with zero rows, then the event's own row: exactly what a `field-tokens` kind feeds the model) equals a window
// already seen earlier in the same stream, remembered in an LRU of 1k / 10k / 100k windows (and without bound). A
// repeated window gives the same model output, so this is the share of model calls a window cache could skip.
// Usage: node bench/window-repeats.mjs [--sets demo,score-file,matrix,windows,weblogin,lanl-real] [--profiles m01,m04,m06]
//   [--seed 1] [--out bench/results]
// Reads the compiled library in dist/ (npm run build). No model is trained: the ids come from the vocabulary `train`
// builds (min count 2, the hour token on or off) over each set's training events, and the stream is each set's scored
// events in the canonical order `score` uses (time, ids, history key), per entity of the format's default key.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchTimes, ecsLogons, quiet } from './lib/ecs-bench.mjs';

const dist = new URL('../dist/', import.meta.url);
const { simulate } = await import(new URL('sim/simulate.js', dist));
const { RENDERINGS } = await import(new URL('sim/renderers.js', dist));
const { DETECTION_MATRIX, matrixOptions } = await import(new URL('sim/matrix.js', dist));
const { createAdapter } = await import(new URL('adapters/registry.js', dist));
const { readEvents } = await import(new URL('adapters/read.js', dist));
const { VocabBuilder, Encoder } = await import(new URL('tokenizer/vocab.js', dist));
const { canonicalOrder } = await import(new URL('scorer/order.js', dist));

const { values } = parseArgs({
  options: {
    sets: { type: 'string', default: 'demo,score-file,matrix,windows,weblogin,lanl-real,ecs-bench' },
    profiles: { type: 'string', default: 'm01,m04,m06' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: 'bench/results' },
  },
});
const seed = Number(values.seed);
const out = resolve(values.out);
const work = join(out, 'window-repeats-work');
await mkdir(work, { recursive: true });
const LRU_SIZES = [1_000, 10_000, 100_000, Infinity];
/** (context, hour token): transformer-mlm's default context 8 and lstm-lm's 0, each with and without the hour token. */
const CONFIGS = [[8, true], [8, false], [0, true], [0, false]];

async function readAll(files, adapter) {
  const events = [];
  for await (const item of readEvents(files, adapter)) if (item.event) events.push(item.event);
  return events;
}

/** Hits per LRU size over the stream's windows. */
function repeats(train, stream, adapter, context, hourToken) {
  const builder = new VocabBuilder(adapter.fieldNames, hourToken, 2);
  for (const e of train) builder.add(e);
  const encoder = new Encoder(builder.build());
  const rows = stream.map((e) => Int32Array.from(encoder.encode(e)));
  const keys = stream.map((e) => e.entities[adapter.entityKey] ?? '?');
  const order = canonicalOrder(stream.map((e) => e.time), rows, keys);
  const pasts = new Map();
  const lrus = LRU_SIZES.map(() => new Map());
  const hits = LRU_SIZES.map(() => 0);
  const pad = new Array(encoder.width).fill(0).join(',');
  for (const i of order) {
    const row = rows[i].join(',');
    const past = pasts.get(keys[i]) ?? [];
    const window = context === 0 ? row : [...new Array(context - past.length).fill(pad), ...past, row].join('|');
    lrus.forEach((lru, s) => {
      if (lru.has(window)) {
        hits[s] += 1;
        lru.delete(window); // most recently used last
      } else if (lru.size >= LRU_SIZES[s]) lru.delete(lru.keys().next().value);
      lru.set(window, true);
    });
    if (context > 0) {
      past.push(row);
      if (past.length > context) past.shift();
      pasts.set(keys[i], past);
    }
  }
  return { distinct: lrus[lrus.length - 1].size, hit_share: Object.fromEntries(LRU_SIZES.map((n, s) => [n === Infinity ? 'unbounded' : String(n), hits[s] / stream.length])) };
}

/** A simulated enterprise, rendered: its training file builds the vocabulary, its test days are the stream. */
async function simulated(name, options, render) {
  const dir = join(work, name);
  const { format, files } = RENDERINGS[render];
  if (!existsSync(join(dir, files.test))) await quiet(() => simulate({ ...options, outDir: dir, render }));
  const adapter = createAdapter(format);
  return { adapter, train: await readAll([join(dir, files.train)], adapter), stream: await readAll([join(dir, files.test)], adapter) };
}

const SETS = {
  // `seqsentry simulate` with its defaults (9 days, scale 1, seed 1): train.csv and the two test days
  demo: async () => [['demo (simulate defaults), test days', await simulated(`demo-s${seed}`, { days: 9, seed, scale: 1 }, 'lanl')]],
  // bench/score-file.mjs's enterprise (seed 11, 23 days): the first 100,000 training events build the vocabulary, as
  // its model's training does; the stream is the last 300,000
  'score-file': async () => {
    const { adapter, train } = await simulated('score-file-s11', { days: 23, seed: 11, scale: 1 }, 'lanl');
    return [['score-file.mjs 300k (seed 11)', { adapter, train: train.slice(0, 100_000), stream: train.slice(-300_000) }]];
  },
  matrix: async () => {
    const sets = [];
    for (const p of values.profiles.split(',')) {
      const entry = DETECTION_MATRIX.find((m) => m.name === p || m.name.startsWith(`${p}-`));
      if (!entry) throw new Error(`--profiles: unknown profile ${p}`);
      const o = matrixOptions(entry, seed, '');
      sets.push([`matrix ${entry.name} (LANL rendering), test days`, await simulated(`${entry.name}-s${seed}-lanl`, o, 'lanl')]);
    }
    return sets;
  },
  windows: async () => {
    const entry = DETECTION_MATRIX.find((m) => m.name.startsWith(`${values.profiles.split(',')[0]}-`));
    return [[`matrix ${entry.name} (Windows rendering), test days`, await simulated(`${entry.name}-s${seed}-windows`, matrixOptions(entry, seed, ''), 'windows')]];
  },
  weblogin: async () => [['web logins (simulate --render weblogin), test days', await simulated(`weblogin-s${seed}`, { days: 9, seed, scale: 1 }, 'weblogin')]],
  // The logons of bench/cost.mjs (seed 42, 30,000) and bench/enrich.mjs: the model's 20,000 training logons (seed 7,
  // from midnight) build the vocabulary
  'ecs-bench': async () => {
    const adapter = createAdapter('ecs');
    const docs = (n, s, at) => [...ecsLogons(n, s, at)].map((d, i) => adapter.parse(d, { file: 'ecs-bench', line: i + 1 })).filter((e) => e && !('skip' in e));
    return [['ECS bench logons (cost.mjs, 30,000)', { adapter, train: docs(20_000, 7, Date.UTC(2026, 0, 5)), stream: docs(30_000, 42, benchTimes(30_000)) }]];
  },
  // The real LANL heads (shared data, user accounts): day 0 builds the vocabulary, days 1-2 are the stream
  'lanl-real': async () => {
    const heads = resolve('../shared/data/lanl/safekit-heads');
    const adapter = createAdapter('lanl');
    return [['real LANL heads (safekit, days 1-2)', { adapter, train: await readAll([join(heads, 'day0_head_decoded.csv')], adapter), stream: await readAll([1, 2].map((d) => join(heads, `day${d}_head_decoded.csv`)), adapter) }]];
  },
};

const results = [];
for (const s of values.sets.split(',')) {
  if (!SETS[s]) throw new Error(`--sets: unknown ${s} (known: ${Object.keys(SETS).join(', ')})`);
  for (const [name, { adapter, train, stream }] of await SETS[s]()) {
    for (const [context, hourToken] of CONFIGS) {
      const r = repeats(train, stream, adapter, context, hourToken);
      results.push({ set: name, events: stream.length, entity: adapter.entityKey, context, hour_token: hourToken, ...r });
      const shares = Object.entries(r.hit_share).map(([n, h]) => `${n} ${(100 * h).toFixed(1)} %`).join(' | ');
      console.log(`${name} | ${stream.length} events | C=${context} hour ${hourToken ? 'on' : 'off'} | ${shares} | distinct ${r.distinct}`);
    }
  }
}
console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
await writeFile(join(out, 'window-repeats.json'), JSON.stringify({ at: new Date().toISOString(), results }, null, 2));
