#!/usr/bin/env node
// Template mining (src/templates/) on the shared Linux samples, read through the syslog adapter:
//   accuracy:  on loghub's Linux_2k and OpenSSH_2k, the grouping accuracy against loghub's ground-truth templates
//              (src/eval/grouping-accuracy.ts), of the groups as mined online (each message's group when it was
//              added) and as the matcher assigns them afterwards (what training and scoring see);
//   held-out:  per sample, templates mined on the first 80 % of its messages (file order is time order), the
//              last 20 % matched: the share that gets `<unmatched>`;
//   speed:     messages/s of the matcher (and of mining) on one core, the Ubuntu host's messages cycled to --messages.
//   drain3:    with --drain3, the same loghub messages grouped by drain3's Drain (bench/templates_drain3.py, in the
//              trainer's .venv; drain3 must be importable there) with its default parameters, on the raw messages
//              (drain3 masks nothing by default) and on the messages masked by SeqSentry's preprocessing table.
// --depth and --similarity change Drain's parameters (default drain3's: depth 4, similarity 0.4).
// Writes bench/results/templates.json. Usage: node bench/templates.mjs [--messages 500000]. Needs `npm run build`.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { root } from './lib/ecs-bench.mjs';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '500000' },
    depth: { type: 'string' },
    similarity: { type: 'string' },
    out: { type: 'string', default: 'bench/results' },
    drain3: { type: 'boolean', default: false },
  },
});
const dist = (p) => import(new URL(`../dist/${p}`, import.meta.url).href);
const { newReadStats, readEvents } = await dist('adapters/read.js');
const { createAdapter } = await dist('adapters/registry.js');
const { DEFAULT_DRAIN_PARAMETERS } = await dist('templates/drain-tree.js');
const { TemplateMiner } = await dist('templates/miner.js');
const { TemplateMatcher } = await dist('templates/matcher.js');
const { maskMessage } = await dist('templates/masks.js');
const { groupingAccuracy, readLoghubStructured } = await dist('eval/grouping-accuracy.js');

const params = {
  ...DEFAULT_DRAIN_PARAMETERS,
  ...(values.depth ? { depth: Number(values.depth) } : {}),
  ...(values.similarity ? { similarity: Number(values.similarity) } : {}),
};
const linux = join(root, '..', 'shared', 'data', 'linux');
const SAMPLES = [
  { name: 'Linux_2k', log: join(linux, 'loghub', 'Linux', 'Linux_2k.log'), truth: join(linux, 'loghub', 'Linux', 'Linux_2k.log_structured.csv') },
  { name: 'OpenSSH_2k', log: join(linux, 'loghub', 'OpenSSH', 'OpenSSH_2k.log'), truth: join(linux, 'loghub', 'OpenSSH', 'OpenSSH_2k.log_structured.csv') },
  { name: 'ubuntu-internet-host-auth', log: join(linux, 'ubuntu-internet-host-auth.log') },
];

async function messagesOf(file) {
  const out = [];
  const stats = newReadStats();
  for await (const item of readEvents([file], createAdapter('syslog', { year: 2024 }), stats)) if (item.event) out.push(item.event.text ?? '');
  if (stats.errors) throw new Error(`${file}: ${stats.errors} unreadable lines`);
  return out;
}

function mine(messages) {
  const miner = new TemplateMiner(params);
  const online = messages.map((m) => String(miner.add(m)));
  return { miner, online };
}

const results = { params, samples: {} };
let speedMessages;
const forDrain3 = {};
const truths = {};
for (const s of SAMPLES) {
  const messages = await messagesOf(s.log);
  const r = { messages: messages.length };
  const { miner, online } = mine(messages);
  r.templates = miner.size;
  if (s.truth) {
    const truth = await readLoghubStructured(s.truth);
    // loghub's Content is the message as the adapter gives it, less trailing white space
    r.content_differs = truth.filter((t, i) => t.content.trim() !== (messages[i] ?? '').trim()).length;
    const ids = truth.map((t) => t.eventId);
    const matcher = new TemplateMatcher(miner.table());
    r.truth_templates = new Set(ids).size;
    r.accuracy_online = groupingAccuracy(ids, online);
    r.accuracy_matched = groupingAccuracy(ids, messages.map((m) => matcher.match(m)));
    truths[s.name] = ids;
    forDrain3[`${s.name}:raw`] = messages;
    forDrain3[`${s.name}:masked`] = messages.map(maskMessage);
  }
  const cut = Math.floor(messages.length * 0.8);
  const trained = mine(messages.slice(0, cut)).miner;
  const matcher = new TemplateMatcher(trained.table());
  for (const m of messages.slice(cut)) matcher.match(m);
  r.held_out = { train: cut, templates: trained.size, matched: matcher.matched, unmatched: matcher.unmatched, unmatched_share: matcher.unmatched / (messages.length - cut) };
  results.samples[s.name] = r;
  if (!s.truth) speedMessages = messages;
  process.stdout.write(`${s.name}: ${JSON.stringify(r)}\n`);
}

if (values.drain3) {
  const dir = await mkdtemp(join(tmpdir(), 'seqsentry-drain3-'));
  await writeFile(join(dir, 'in.json'), JSON.stringify(forDrain3));
  const python = process.env.SEQSENTRY_PYTHON ?? join(root, '.venv', 'bin', 'python');
  const run = spawnSync(python, [join(root, 'bench', 'templates_drain3.py'), join(dir, 'in.json'), join(dir, 'out.json')], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`bench/templates_drain3.py failed (is drain3 installed in ${python}?): ${run.stderr}`);
  const got = JSON.parse(await readFile(join(dir, 'out.json'), 'utf8'));
  results.drain3 = {};
  for (const [key, v] of Object.entries(got)) {
    const [name] = key.split(':');
    results.drain3[key] = { clusters: v.clusters, seconds: v.seconds, accuracy: groupingAccuracy(truths[name], v.ids) };
    process.stdout.write(`drain3 ${key}: ${JSON.stringify(results.drain3[key])}\n`);
  }
}

// Speed: the Ubuntu host's templates, its messages cycled; the first pass warms the JIT and is not timed.
const N = Number(values.messages);
const table = mine(speedMessages).miner.table();
const matcher = new TemplateMatcher(table);
for (const m of speedMessages) matcher.match(m);
// wall seconds and CPU seconds of this process: on a machine other jobs load, the CPU figure is the code's own
const cpuSeconds = (since) => { const u = process.cpuUsage(since); return (u.user + u.system) / 1e6; };
let t0 = process.hrtime.bigint();
let c0 = process.cpuUsage();
for (let i = 0; i < N; i++) matcher.match(speedMessages[i % speedMessages.length]);
const matchSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
const matchCpu = cpuSeconds(c0);
t0 = process.hrtime.bigint();
c0 = process.cpuUsage();
let mined = 0;
while (mined < N) {
  const miner = new TemplateMiner(params);
  for (const m of speedMessages) miner.add(m);
  mined += speedMessages.length;
}
const mineSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
const mineCpu = cpuSeconds(c0);
results.speed = {
  load_average: loadavg()[0], messages: N,
  match_per_s: Math.round(N / matchSeconds), match_per_cpu_s: Math.round(N / matchCpu),
  mine_messages: mined, mine_per_s: Math.round(mined / mineSeconds), mine_per_cpu_s: Math.round(mined / mineCpu),
};
process.stdout.write(`speed: ${JSON.stringify(results.speed)}\n`);

const out = resolve(values.out);
await mkdir(out, { recursive: true });
await writeFile(join(out, 'templates.json'), JSON.stringify(results, null, 2) + '\n');
