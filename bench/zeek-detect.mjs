#!/usr/bin/env node
// Detection on the labelled Stratosphere Zeek days, both ways: train on one day's Benign records, score the other
// day (Background left out of AUC/AP, as the labels' README says). Rows: zeek-seq fused (--fusion: connections joined by
// uid, the host's recent connections as context, fused with the connection memory and the records' novelty),
// zeek-seq as trained by default (the sequence model alone), the rarity baseline (a flow's (src, dst, dst port, service) pairs
// never or rarely seen in training), and the default transformer-mlm over each conn record's fields. Then the notables
// per day each rate R gives, with the threshold alone and with the daily alert budget (bench/lib/budget-replay.mjs),
// and zeek-seq's connections/s at batch 1024 in-process. One seed, one run on a
// shared machine: the throughput is a figure of that moment.
// Usage: node bench/zeek-detect.mjs [--no-mlm] [--entity src_ip|dst_ip|uid] [--record-tokenizer tuple|cluster]. Needs the compiled CLI (npm run build), .venv and ../shared/data/zeek.
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { root } from './lib/ecs-bench.mjs';
import { flagsAt, formatNotables, formatWarmUp, notablesTable } from './lib/budget-replay.mjs';

const dist = (p) => import(new URL(`../dist/${p}`, import.meta.url).href);
const { createAdapter } = await dist('adapters/registry.js');
const { readEvents } = await dist('adapters/read.js');
const { readZeekConnections } = await dist('adapters/zeek-merge.js');
const { evaluateRanking } = await dist('eval/metrics.js');
const { Scorer } = await dist('scorer/scorer.js');
const { trainZeekSeq } = await dist('kinds/zeek-seq/train.js');
const { openConnectionFeaturizer } = await dist('kinds/zeek-seq/featurizer.js');
const { scoreConnections } = await dist('kinds/zeek-seq/score.js');
const { train } = await dist('commands/train.js');
const { scoreFiles } = await dist('commands/score.js');

const withMlm = !process.argv.includes('--no-mlm');
const entityArg = process.argv.indexOf('--entity');
const entity = entityArg > 0 ? process.argv[entityArg + 1] : undefined;
const tokenizerArg = process.argv.indexOf('--record-tokenizer');
const recordTokenizer = tokenizerArg > 0 ? process.argv[tokenizerArg + 1] : undefined;
const strat = join(root, '..', 'shared', 'data', 'zeek', 'stratosphere-labeled');
const dayDir = (day) => join(strat, `${day}-zeek-mixed`);
const work = await mkdtemp(join(tmpdir(), 'seqsentry-zeek-detect-'));

async function logFiles(day) {
  return (await readdir(dayDir(day))).filter((f) => f.endsWith('.log.labeled.gz')).sort().map((f) => join(dayDir(day), f));
}

/** The day's log files with only their Benign records (headers kept), written apart: the training input. */
const benign = new Map();
function benignCopies(day) {
  if (!benign.has(day)) benign.set(day, writeBenign(day));
  return benign.get(day);
}

async function writeBenign(day) {
  const dir = join(work, `benign-${day}`);
  await mkdir(dir, { recursive: true });
  const out = [];
  for (const file of await logFiles(day)) {
    const lines = gunzipSync(await readFile(file)).toString('utf8').split('\n');
    let label = -1;
    const kept = lines.filter((l) => {
      if (l.startsWith('#fields')) label = l.split('\t').slice(1).indexOf('label');
      return l.startsWith('#') || (l !== '' && label >= 0 && l.split('\t')[label] === 'Benign');
    });
    const path = join(dir, file.split('/').pop().replace(/\.gz$/, ''));
    await writeFile(path, kept.join('\n') + '\n');
    out.push(path);
  }
  return out;
}

const labelOf = (event) => String(event.raw?.label ?? '?');

function metrics(rows) {
  const known = rows.filter((r) => r.label === 'Benign' || r.label === 'Malicious');
  const { metrics: m } = evaluateRanking(Float64Array.from(known, (r) => r.score), new Float64Array(known.length), Uint8Array.from(known, (r) => (r.label === 'Malicious' ? 1 : 0)));
  return { n: known.length, malicious: m.positives, auc: m.auc, ap: m.ap };
}

/** zeek-seq: trained on the Benign connections of one day, every connection of the other scored. */
async function zeekSeq(trainDay, testDay, fusion) {
  const modelDir = join(work, `zeek-seq-${trainDay}-${fusion ? 'fused' : 'plain'}`);
  await trainZeekSeq({ kind: 'zeek-seq', inputs: await benignCopies(trainDay), modelDir, seed: 1, minCount: 2, strict: false, fusion, ...(entity ? { entityKey: entity } : {}), ...(recordTokenizer ? { recordTokenizer } : {}) });
  const scorer = await Scorer.load(modelDir, { keepAllHistory: true });
  const featurizer = await openConnectionFeaturizer(modelDir, scorer.bundle);
  const rows = [];
  try {
    for await (const s of scoreConnections(scorer, featurizer, await logFiles(testDay), createAdapter('zeek'))) {
      rows.push({ score: s.result.raw, anomaly: s.result.anomaly_score, label: labelOf(s.connection.events[0]), conn: s.connection.conn, host: s.event.entities.src_ip, connection: s.connection,
        time: s.event.time, rarity: scorer.calibrator.rarity(s.result.raw), flagged: s.result.is_anomaly });
    }
  } finally {
    await scorer.close();
  }
  return { modelDir, rows, bundle: scorer.bundle };
}

/** The rarity baseline on conn records: every pair of (src, dst, dst port, service), -ln(count + 0.1) summed. */
async function rarity(trainDay, testDay) {
  const key = (e) => [e.entities.src_ip, e.entities.dst_ip, String(e.raw['id.resp_p'] ?? '?'), String(e.raw.service ?? '-')];
  const PAIRS = [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]];
  const counts = PAIRS.map(() => new Map());
  const adapter = createAdapter('zeek');
  for await (const item of readEvents([join(dayDir(trainDay), 'conn.log.labeled.gz')], adapter)) {
    if (!item.event || labelOf(item.event) !== 'Benign') continue;
    const k = key(item.event);
    PAIRS.forEach(([a, b], i) => counts[i].set(`${k[a]}\u0000${k[b]}`, (counts[i].get(`${k[a]}\u0000${k[b]}`) ?? 0) + 1));
  }
  const rows = [];
  for await (const item of readEvents([join(dayDir(testDay), 'conn.log.labeled.gz')], adapter)) {
    if (!item.event) continue;
    const k = key(item.event);
    let score = 0;
    PAIRS.forEach(([a, b], i) => { score -= Math.log((counts[i].get(`${k[a]}\u0000${k[b]}`) ?? 0) + 0.1); });
    rows.push({ score, label: labelOf(item.event) });
  }
  return rows;
}

/** The default transformer-mlm, each conn record one event (src_ip context, 3 epochs, seed 1: docs/benchmarks.md's row). */
async function mlm(trainDay, testDay) {
  const conn = (await benignCopies(trainDay)).find((f) => f.endsWith('conn.log.labeled'));
  const modelDir = join(work, `mlm-${trainDay}`);
  await train({ format: 'zeek', inputs: [conn], modelDir, kind: 'transformer-mlm', epochs: 3, seed: 1, minCount: 2, hourToken: true, strict: false });
  const output = join(work, `mlm-${testDay}.jsonl`);
  const testFile = join(dayDir(testDay), 'conn.log.labeled.gz');
  await scoreFiles({ modelDir, inputs: [testFile], output, strict: false, batchSize: 1024 });
  const lines = gunzipSync(await readFile(testFile)).toString('utf8').split('\n');
  const label = lines.find((l) => l.startsWith('#fields')).split('\t').slice(1).indexOf('label');
  return (await readFile(output, 'utf8')).trim().split('\n').map((l) => JSON.parse(l)).filter((o) => o.raw !== undefined)
    .map((o) => ({ score: o.raw, label: lines[o.line - 1].split('\t')[label] }));
}

/** zeek-seq connections/s at batch 1024 in-process: featurize + score, the day's connections replayed to >= 30k. */
async function throughput(modelDir, connections) {
  const scorer = await Scorer.load(modelDir, { maxBatch: 1024 });
  const featurizer = await openConnectionFeaturizer(modelDir, scorer.bundle);
  const times = connections.map((c) => c.events[0].time);
  const span = Math.max(...times) - Math.min(...times) + 1;
  const replays = Math.ceil(30_000 / connections.length);
  const all = [];
  for (let r = 0; r < replays; r++) for (const c of connections) all.push({ ...c, events: c.events.map((e) => ({ ...e, time: e.time + r * span })) });
  try {
    await scorer.score(all.slice(0, 1024).map((c) => featurizer.event(c))); // warm-up
    scorer.history.clear();
    // CPU time of the whole process (ONNX worker threads included) per connection: less at the mercy of the load
    // than connections/s on a shared machine
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < all.length; i += 1024) await scorer.score(all.slice(i, i + 1024).map((c) => featurizer.event(c)));
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return { connections: all.length, seconds, perSecond: all.length / seconds, cpuMicrosPerConnection: (cpu.user + cpu.system) / all.length, load: loadavg()[0] };
  } finally {
    await scorer.close();
  }
}

const table = [];
const notables = [];
const speed = {};
try {
  for (const [trainDay, testDay] of [['008', '010'], ['010', '008']]) {
    const split = `train ${trainDay} Benign, score ${testDay}`;
    for (const fusion of [true, false]) {
      const seq = await zeekSeq(trainDay, testDay, fusion);
      const model = `zeek-seq ${fusion ? 'fused' : 'plain'} (${recordTokenizer ?? 'tuple'}, ${seq.bundle.entity_key})`;
      table.push({ split, model, ...metrics(seq.rows.filter((r) => r.conn)) });
      // The budget replayed per R on the connections in the order the scorer saw them (a fresh budget, as after a
      // start); at the bundle's own rate it must give the scorer's own flags.
      const replay = seq.rows.map((r) => ({ time: r.time, score: r.anomaly, rarity: r.rarity, label: r.label, host: r.host }));
      const own = flagsAt(replay, seq.bundle.acceptance_rate).budgeted;
      const disagree = own.filter((f, i) => f !== seq.rows[i].flagged).length;
      const times = seq.rows.map((r) => r.time);
      const hours = ((Math.max(...times) - Math.min(...times)) / 3600).toFixed(1);
      notables.push({ split, model, hours, disagree, rate: seq.bundle.acceptance_rate, warmUp: formatWarmUp(replay),
        table: notablesTable(replay, { dayOf: () => `${testDay} (${hours} h)`, classOf: (r) => r.label, classes: ['Malicious', 'Benign'], sets: { hosts: (r) => [r.host] } }) });
      if (!speed[model.split(' (')[0]]) speed[model.split(' (')[0]] = await throughput(seq.modelDir, seq.rows.map((r) => r.connection));
    }
    table.push({ split, model: 'rarity baseline', ...metrics(await rarity(trainDay, testDay)) });
    if (withMlm) table.push({ split, model: 'transformer-mlm per record', ...metrics(await mlm(trainDay, testDay)) });
  }
} finally {
  await rm(work, { recursive: true, force: true });
}

const f4 = (x) => (x === undefined || x === null ? '-' : x.toFixed(4));
process.stdout.write('\nsplit                          | model                       | flows | malicious | AUC    | AP\n');
for (const r of table) process.stdout.write(`${r.split.padEnd(30)} | ${r.model.padEnd(27)} | ${String(r.n).padStart(5)} | ${String(r.malicious).padStart(9)} | ${f4(r.auc)} | ${f4(r.ap)}\n`);
for (const n of notables) {
  process.stdout.write(formatNotables(`notables, ${n.split}, ${n.model}: flagged connections, Malicious and Benign among them, distinct source hosts flagged and those with a Malicious connection that day (the scorer's own flags at R = ${n.rate} differ from the replay on ${n.disagree} connections)`, n.table) + n.warmUp);
}
for (const [model, s] of Object.entries(speed)) process.stdout.write(`\n${model} throughput at batch 1024 in-process (featurize + score): ${s.connections} connections in ${s.seconds.toFixed(2)} s = ${Math.round(s.perSecond)} connections/s, ${s.cpuMicrosPerConnection.toFixed(1)} CPU µs per connection (load average ${s.load.toFixed(2)})`);
process.stdout.write(`\nload average (1, 5, 15 min) at the end: ${loadavg().map((l) => l.toFixed(2)).join(', ')}\n`);
const results = join(root, 'bench', 'results');
await mkdir(results, { recursive: true });
await writeFile(join(results, 'zeek-detect.json'), JSON.stringify({ detection: table, notables, throughput: speed }, null, 2));
