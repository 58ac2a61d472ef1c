#!/usr/bin/env node
// Text tokens on the two labelled Stratosphere days: the free-text fields the zeek adapter otherwise only buckets
// (name_len/name_entropy of the URI and the TLS SNI: uri, server_name; day 008 has no DNS log, so no query to learn)
// read as K byte-pair or byte positions. Per direction (train on one day's Benign records, score every record of the other), the default
// kind is trained with --text-tokens none, bpe and char, same seed and epochs; AUC and AP against the labels,
// Background and unlabelled records left out, over all records and over those that carry one of the texts. The
// options are fixed in advance and not tuned on these labels. Also: the byte-pair vocabulary learnt, pieces per text
// and how many texts are cut at K, and TypeScript tokenization speed (texts/s, one warm-up pass).
// Usage: node bench/text-tokens.mjs [--modes none,bpe,char] [--epochs 3]. Needs the build and ../shared/data/zeek.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { root } from './lib/ecs-bench.mjs';

const dist = (p) => import(new URL(`../dist/${p}`, import.meta.url).href);
const { evaluateRanking } = await dist('eval/metrics.js');
const { bpePiecer } = await dist('tokenizer/text-bpe.js');
const { charPiecer } = await dist('tokenizer/text-char.js');

const { values: opts } = parseArgs({ options: { modes: { type: 'string', default: 'none,bpe,char' }, epochs: { type: 'string', default: '3' } } });
const MODES = opts.modes.split(',');
const TEXT_FIELDS = ['uri', 'server_name'];
const LOGS = ['conn', 'http', 'dns', 'ssl', 'weird', 'notice'];
const data = join(root, '..', 'shared', 'data', 'zeek', 'stratosphere-labeled');
const work = mkdtempSync(join(tmpdir(), 'seqsentry-text-bench-'));

/** One day's logs concatenated (each with its own header block) and, per line, its label and texts. */
function day(name) {
  const lines = [];
  const meta = [];
  for (const log of LOGS) {
    let text;
    try {
      text = gunzipSync(readFileSync(join(data, `${name}-zeek-mixed`, `${log}.log.labeled.gz`))).toString('utf8');
    } catch {
      continue; // this day has no such log
    }
    let fields = [];
    for (const line of text.trimEnd().split('\n')) {
      if (line.startsWith('#fields')) fields = line.split('\t').slice(1);
      const cols = line.split('\t');
      const texts = line.startsWith('#') ? [] : TEXT_FIELDS.map((f) => cols[fields.indexOf(f)]).filter((t) => t !== undefined && t !== '-' && t !== '(empty)' && t !== '');
      lines.push(line);
      meta.push({ header: line.startsWith('#'), label: cols[fields.indexOf('label')], log, texts });
    }
  }
  return { lines, meta };
}

function cli(args) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'seqsentry.js'), ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`seqsentry ${args.join(' ')}: exit ${r.status}\n${r.stderr.slice(-3000)}`);
  return r;
}

function evaluate(rows) {
  const known = rows.filter((r) => r.label === 'Benign' || r.label === 'Malicious');
  const { metrics } = evaluateRanking(Float64Array.from(known, (k) => k.raw), new Float64Array(known.length), Uint8Array.from(known, (k) => (k.label === 'Malicious' ? 1 : 0)));
  return { n: known.length, malicious: metrics.positives, auc: metrics.auc, ap: metrics.ap };
}

const days = { '008': day('008'), '010': day('010') };
for (const [name, d] of Object.entries(days)) {
  writeFileSync(join(work, `${name}-all.log`), d.lines.join('\n') + '\n');
  writeFileSync(join(work, `${name}-benign.log`), d.lines.filter((_, i) => d.meta[i].header || d.meta[i].label === 'Benign').join('\n') + '\n');
}

const results = [];
for (const [train, test] of [['008', '010'], ['010', '008']]) {
  for (const mode of MODES) {
    const model = join(work, `model-${train}-${mode}`);
    const text = mode === 'none' ? [] : ['--text-tokens', mode, ...TEXT_FIELDS.flatMap((f) => ['--text-field', f])];
    const t0 = performance.now();
    cli(['train', '--format', 'zeek', '--input', join(work, `${train}-benign.log`), '--model-dir', model, '--epochs', opts.epochs, '--seed', '1', ...text]);
    const trainSeconds = (performance.now() - t0) / 1000;
    const out = join(work, `scores-${train}-${mode}.jsonl`);
    cli(['score', '--model-dir', model, '--input', join(work, `${test}-all.log`), '--output', out]);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const meta = days[test].meta;
    const rows = lines.filter((o) => o.raw !== undefined).map((o) => ({ raw: o.raw, ...meta[o.line - 1] }));
    const bundle = JSON.parse(readFileSync(join(model, 'bundle.json'), 'utf8'));
    const row = { train, test, mode, trainSeconds: +trainSeconds.toFixed(1), fields: bundle.tokenizer.fields.length, all: evaluate(rows), withText: evaluate(rows.filter((r) => r.texts.length)) };
    if (mode === 'bpe') row.bpeVocab = Object.keys(JSON.parse(readFileSync(join(model, 'text-tokenizer.json'), 'utf8')).model.vocab).length;
    results.push(row);
    process.stdout.write(JSON.stringify(row) + '\n');
  }
}

// Pieces per text and speed, on every text of both days (the tokenizer of the 008 model).
const texts = [...days['008'].meta, ...days['010'].meta].flatMap((m) => m.texts);
const K = { bpe: 8, char: 16 };
for (const mode of MODES.filter((m) => m !== 'none')) {
  const piecer = mode === 'bpe' ? bpePiecer(readFileSync(join(work, 'model-008-bpe', 'text-tokenizer.json'), 'utf8')) : charPiecer;
  const counts = texts.map((t) => piecer.pieces(t).length);
  const reps = Math.max(1, Math.ceil(200_000 / texts.length));
  for (const t of texts) piecer.pieces(t); // warm-up
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) for (const t of texts) piecer.pieces(t);
  const seconds = (performance.now() - t0) / 1000;
  const sorted = [...counts].sort((a, b) => a - b);
  const summary = {
    mode, texts: texts.length, meanPieces: +(counts.reduce((s, c) => s + c, 0) / counts.length).toFixed(2), medianPieces: sorted[sorted.length >> 1],
    cutAtK: +(counts.filter((c) => c > K[mode]).length / counts.length).toFixed(4), textsPerSecond: Math.round((texts.length * reps) / seconds),
    meanChars: +(texts.reduce((s, t) => s + t.length, 0) / texts.length).toFixed(1),
  };
  process.stdout.write(JSON.stringify(summary) + '\n');
}
process.stdout.write(`work dir: ${work}\n`);
