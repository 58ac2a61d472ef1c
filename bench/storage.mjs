#!/usr/bin/env node
// Storage benchmark (issue 11): what the anomaly fields add to an index, and which of them costs what. The same
// logons are indexed in one run into one one-shard index per row, with the content pack's mappings, force-merged to
// one segment; each row prints bytes per document and the overhead over the plain index of its set (same
// documents, same codec, no anomaly fields).
// Two sets of the same logons, a simulated enterprise's two test days (100 people, the model trained on its week
// before, as the demo does): shipped as the demo ships them (the LANL line in `message` plus the parsed user and
// hosts, ~90 bytes) and dressed as the Winlogbeat Windows Security events a SIEM stores (bench/lib/winlogbeat.mjs).
// Rows (the Windows set, whose rows take longest, only those marked everySet): the policy of schema v5 (score and raw with every digit of a double), the previous default (raw and the compact value on every event), this version's default, every event
// explained in full, then this version's default with one part left out (what that part costs), mapping options
// and the best_compression codec. The Windows set also has the last version's history refill stamp (anomaly.entity
// and anomaly.time on every event) and that stamp with cheaper mappings; its default stamps what the sidecar does on
// each document as the windows adapter reads it (service/entity-stamp.ts), and prints how many events it stamps.
// Usage: node bench/storage.mjs [--bulk 5000] [--out bench/results] [--only lanl|windows]
// Needs the compiled code (npm run build) and a running OpenSearch (OPENSEARCH_URL, else node scripts/opensearch.mjs url).
import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ANOMALY_PROPERTIES, dist, ECS_EVENT_PROPERTIES, openSearchUrl, quiet, root } from './lib/ecs-bench.mjs';
import { indexedBytes } from './lib/index-size.mjs';
import { lanlAsWinlogbeat, windowsTemplates } from './lib/winlogbeat.mjs';

const { values } = parseArgs({ options: { bulk: { type: 'string', default: '5000' }, out: { type: 'string', default: 'bench/results' }, only: { type: 'string' } } });
const BULK = Number(values.bulk);
const url = openSearchUrl();
const load = async (path) => import(new URL(path, dist));
const { simulate } = await load('sim/simulate.js');
const { train } = await load('commands/train.js');
const { scoreFiles } = await load('commands/score.js');
const { anomalyFields, DEFAULT_EXPLAIN_ABOVE, storedRaw } = await load('service/anomaly-fields.js');
const { Scorer } = await load('scorer/scorer.js');
const { createAdapter } = await load('adapters/registry.js');
const { stampFor } = await load('service/entity-stamp.js');

const work = join(resolve(values.out), 'storage-work');
const sim = join(work, 'sim');
const modelDir = join(work, 'model');
if (!existsSync(join(sim, 'test.csv'))) await quiet(() => simulate({ days: 9, trainDays: 7, seed: 7, outDir: sim, profile: { users: 100 } }));
if (!existsSync(join(modelDir, 'bundle.json'))) {
  process.stderr.write('training the default model on the simulated week...\n');
  await quiet(() => train({ format: 'lanl', inputs: [join(sim, 'train.csv')], modelDir, kind: 'transformer-mlm', seed: 7, minCount: 2, hourToken: true, strict: true }));
}
const scores = join(work, 'scores.jsonl');
await quiet(() => scoreFiles({ modelDir, inputs: [join(sim, 'test.csv')], output: scores, format: 'lanl', strict: true, batchSize: 1024 }));
const scorer = await Scorer.load(modelDir);
const model = { name: scorer.bundle.name, version: scorer.bundle.version, kind: scorer.bundle.kind };
const threshold = scorer.threshold;
await scorer.close();

const lines = (await readFile(join(sim, 'test.csv'), 'utf8')).trim().split('\n');
const results = (await readFile(scores, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
const N = lines.length;
if (results.length !== N) throw new Error(`${results.length} scores for ${N} lines`);
const EPOCH_MS = Date.UTC(2026, 0, 5);
const timestamp = (r) => new Date(EPOCH_MS + r.time * 1000).toISOString();
// Live, each shipper bulk is scored as it arrives: its events share one anomaly.scored_at, a second after the last.
const SHIPPER_BULK = 1000;
const scoredAt = (i) => {
  const last = results[Math.min(results.length - 1, (Math.floor(i / SHIPPER_BULK) + 1) * SHIPPER_BULK - 1)];
  return new Date(EPOCH_MS + (last.time + 1) * 1000).toISOString();
};

// The two sets of documents and the mappings their index would have (the content pack's for the anomaly fields).
const json = (path) => JSON.parse(readFileSync(join(root, path)));

const SETS = {
  lanl: {
    what: 'LANL line in message + user, hosts (as the demo ships them)',
    docs: results.map((r, i) => ({ '@timestamp': timestamp(r), message: lines[i], user: { name: r.entities.user }, source: { domain: r.entities.src_host }, host: { name: r.entities.dst_host } })),
    mappings: { properties: { ...ECS_EVENT_PROPERTIES, message: { type: 'text' } } },
    // LANL documents hold their entity and time in `message` only: the sidecar stamps both (anomaly.entity, anomaly.time).
    stamp: (r) => ({ entity: r.entities.user, time: r.time }),
  },
  windows: {
    what: 'the same logons as Winlogbeat 4624/4625/4634 events',
    docs: (() => {
      const templates = windowsTemplates('/work/shared/data/windows/otrf-security-auth.jsonl');
      return results.map((r, i) => lanlAsWinlogbeat(templates, lines[i], timestamp(r), 1_000_000 + i));
    })(),
    // The content pack's ECS auth template; Winlogbeat's other keys are mapped dynamically, as an index without
    // Winlogbeat's own template would map them.
    mappings: { properties: json('pipelines/templates/seqsentry-ecs-auth.json').template.mappings.properties },
    // What the sidecar stamps on each document as the windows adapter reads it (service/entity-stamp.ts): the
    // normalised user only where TargetUserName does not hold it up to letter case; the time is @timestamp.
    stamp: (r, i) => stampFor(windowsAdapter, 'user', windowsEvents[i]),
    // Before: the user and the time on every event, as the sidecar wrote them until this version.
    stampBefore: (r, i) => ({ entity: windowsEvents[i].entities.user, time: windowsEvents[i].time }),
  },
};
const windowsAdapter = createAdapter('windows');
const windowsEvents = SETS.windows.docs.map((d, i) => windowsAdapter.parse(d, { file: 'bench', line: i + 1 }));

/** Deep copy of `fields` without the dotted `path` (e.g. `anomaly.raw`). */
function without(fields, ...paths) {
  const copy = structuredClone(fields);
  for (const path of paths) {
    const keys = path.split('.');
    let o = copy;
    for (const k of keys.slice(0, -1)) o = o?.[k];
    if (o) delete o[keys.at(-1)];
  }
  return copy;
}
/** The mapping of the anomaly fields with `change` applied to `anomaly.<name>`. */
function anomalyMapping(name, change) {
  const props = structuredClone(ANOMALY_PROPERTIES);
  if (name === 'anomaly_score') Object.assign(props.anomaly_score, change);
  else Object.assign(props.anomaly.properties[name], change);
  return props;
}

const explainedFull = results.filter((r) => r.anomaly_score >= DEFAULT_EXPLAIN_ABOVE).length;
const PART_ROWS = [
  ['anomaly_score', ['anomaly_score']],
  ['anomaly.raw', ['anomaly.raw']],
  ['anomaly.fields (compact below, full above)', ['anomaly.fields']],
  ['anomaly.model (name, version, kind)', ['anomaly.model']],
  ['anomaly.scored_at', ['anomaly.scored_at']],
  ['anomaly.is_anomaly', ['anomaly.is_anomaly']],
  ['anomaly.reason', ['anomaly.reason']],
  ['anomaly.entity and anomaly.time (history refill stamp)', ['anomaly.entity', 'anomaly.time']],
];

/**
 * The previous version's fields (schema v6 before raw and the compact value were left out): anomaly.raw on every
 * event, the compact form with the top field's value.
 */
function previous(f, r) {
  if (r.anomaly_score >= DEFAULT_EXPLAIN_ABOVE) return f;
  const top = r.fields[0];
  const { fields, ...rest } = f.anomaly;
  return { ...f, anomaly: { raw: storedRaw(r.raw), fields: top ? [{ name: top.field, value: top.value }] : fields, ...rest } };
}

/** The rows of one set: name, the documents' anomaly fields (null: none), mapping of the anomaly fields, index settings. */
function rowsOf(set, key) {
  const now = results.map((r, i) => anomalyFields(r, model, threshold, scoredAt(i), set.stamp(r, i), DEFAULT_EXPLAIN_ABOVE));
  // Windows: the stamp as it was (entity and time on every event), and what it would cost with cheaper mappings.
  const stampedAll = set.stampBefore && results.map((r, i) => anomalyFields(r, model, threshold, scoredAt(i), set.stampBefore(r, i), DEFAULT_EXPLAIN_ABOVE));
  // The older versions' rows as this bench measured them before (the Windows stamp without its time), so that they
  // reproduce their figures.
  const older = stampedAll ? stampedAll.map((f) => without(f, 'anomaly.time')) : now;
  const before = older.map((f, i) => previous(f, results[i]));
  // Schema v5 wrote the score and the raw score with every digit of a double.
  const v5 = before.map((f, i) => ({ ...f, anomaly_score: results[i].anomaly_score, anomaly: { ...f.anomaly, raw: results[i].raw } }));
  const full = results.map((r, i) => anomalyFields(r, model, threshold, scoredAt(i), set.stamp(r, i), 0));
  const BEST = { codec: 'best_compression' };
  const stampRows = !stampedAll ? [] : [
    { name: 'last default as written: entity, time on every event', everySet: true, fields: stampedAll },
    { name: 'last default as measured: entity on every event', everySet: true, fields: older },
    { name: '  that, anomaly.entity doc_values: false', everySet: true, fields: older, anomaly: anomalyMapping('entity', { doc_values: false }) },
    { name: '  that, anomaly.entity index, doc_values: false', everySet: true, fields: older, anomaly: anomalyMapping('entity', { index: false, doc_values: false }) },
  ];
  return [
    { name: 'plain (no anomaly fields)', everySet: true, fields: null },
    { name: 'schema v5 default (score, raw: all 17 digits)', everySet: true, fields: v5 },
    { name: 'previous default (raw, compact value on every event)', everySet: true, fields: before },
    ...stampRows,
    { name: `this version's default (full explanation for ${explainedFull})`, everySet: true, fields: now, main: true },
    { name: 'every event explained in full', fields: full },
    ...PART_ROWS.map(([part, paths]) => ({ name: `  default without ${part}`, everySet: part.startsWith('anomaly.entity'), fields: now.map((f) => without(f, ...paths)), partOf: part })),
    // (a), not built: the model and the scoring time once per model version instead of on every event.
    { name: '  default without model and scored_at (kept once per model)', everySet: true, fields: now.map((f) => without(f, 'anomaly.model', 'anomaly.scored_at')) },
    { name: '  that, and without the history refill stamp', everySet: true, fields: now.map((f) => without(f, 'anomaly.model', 'anomaly.scored_at', 'anomaly.entity', 'anomaly.time')) },
    { name: '  default, anomaly_score rounded to 4 decimals', fields: now.map((f) => ({ ...f, anomaly_score: Math.floor(f.anomaly_score * 1e4) / 1e4 })) },
    { name: '  default, anomaly_score index: false', fields: now, anomaly: anomalyMapping('anomaly_score', { index: false }) },
    { name: '  default, anomaly.scored_at index/doc_values false', fields: now, anomaly: anomalyMapping('scored_at', { index: false, doc_values: false }) },
    { name: '  default, anomaly.model enabled: false', fields: now, anomaly: anomalyMapping('model', { enabled: false }) },
    { name: 'plain, best_compression codec', everySet: true, fields: null, settings: BEST },
    { name: "this version's default, best_compression codec", everySet: true, fields: now, settings: BEST },
  ];
}

const report = {};
for (const [key, set] of Object.entries(SETS)) {
  if (values.only && values.only !== key) continue;
  const sourceBytes = set.docs.reduce((s, d) => s + JSON.stringify(d).length, 0) / N;
  process.stdout.write(`\n${N} logons, ${set.what}: plain _source ${sourceBytes.toFixed(0)} bytes/doc; one shard, force-merged to one segment\n`);
  const stamped = results.filter((r, i) => set.stamp(r, i)?.entity !== undefined).length;
  process.stdout.write(`the default stamps anomaly.entity on ${stamped} of ${N} events\n`);
  process.stdout.write(`${'row'.padEnd(62)} ${'bytes/doc'.padStart(9)}  over plain  part's share\n`);
  const plainBy = {};
  const rows = [];
  let mainBytes = null;
  for (const row of rowsOf(set, key).filter((r) => key === 'lanl' || r.everySet)) {
    const codec = row.settings?.codec ?? 'default';
    const sources = row.fields ? set.docs.map((d, i) => ({ ...d, ...row.fields[i] })) : set.docs;
    const mappings = { properties: { ...set.mappings.properties, ...(row.fields ? row.anomaly ?? ANOMALY_PROPERTIES : {}) } };
    const bytes = await indexedBytes(url, `seqsentry-bench-storage-${key}`, sources, { mappings, settings: row.settings, bulk: BULK });
    if (!row.fields) plainBy[codec] = bytes;
    if (row.main) mainBytes = bytes;
    const plain = plainBy[codec];
    const over = row.fields ? 100 * (bytes / plain - 1) : 0;
    // A left-out part's share: the bytes per document the default saves without it.
    const share = row.partOf && mainBytes !== null ? (mainBytes - bytes) / N : null;
    rows.push({ row: row.name.trim(), codec, bytes_per_doc: +(bytes / N).toFixed(1), overhead_pct: +over.toFixed(1), ...(share === null ? {} : { part_bytes_per_doc: +share.toFixed(1) }) });
    process.stdout.write(`${row.name.padEnd(62)} ${(bytes / N).toFixed(1).padStart(9)}  ${row.fields ? `${over >= 0 ? '+' : ''}${over.toFixed(1)}%`.padStart(9) : ''.padStart(9)}  ${share === null ? '' : `${share.toFixed(1)} B/doc`}\n`);
  }
  report[key] = { documents: N, plain_source_bytes_per_doc: +sourceBytes.toFixed(1), explained_in_full: explainedFull, entity_stamped: stamped, rows };
}
await writeFile(join(resolve(values.out), 'storage.json'), JSON.stringify(report, null, 2) + '\n');
