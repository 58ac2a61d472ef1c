// `seqsentry evaluate`: compares score files (and a rarity baseline) with red-team labels; table, JSON, HTML.
import { openOutputFile, type OutputFile } from '../output/output-file.js';
import { realpath } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { formatReadStats } from '../adapters/read.js';
import { createAdapter } from '../adapters/registry.js';
import { UsageError } from '../core/errors.js';
import { BASELINE_NAME, runRarityBaseline, UPDATING_BASELINE_NAME } from '../eval/baseline.js';
import { matchedLines, readLabels, type Labels } from '../eval/labels.js';
import { DEFAULT_MAX_FPR, evaluateRanking, prCurve, rocCurve, type Evaluation } from '../eval/metrics.js';
import { renderReport, type CurveSet } from '../eval/report.js';
import { readScoreFile, readTopEvents } from '../eval/scores.js';
import { formatTable, summaryJson, type ModelRow, type Summary } from '../eval/summary.js';
import { withMissed } from '../eval/columns.js';
import type { ScoredEvents } from '../eval/types.js';
import { intOption, parseOptions, required, type Command, type OptionSpecs } from './command.js';
import { ADAPTER_OPTIONS_OPTION, parseJsonOption } from './options.js';

const USAGE = 'seqsentry evaluate --scores [NAME=]OUT.jsonl [--scores ...] --labels LABELS [--train FILE... --test FILE] [--report report.html] [--json summary.json]';
const SUMMARY = 'Compares anomaly scores with red-team labels: AUC, average precision, TPR at 0.1% FPR, precision at recall 0.1, against a rarity baseline.';
const SPECS = {
  scores: { type: 'string', multiple: true, help: '[NAME=]FILE  `seqsentry score` output (repeatable; NAME defaults to the file name)' },
  labels: { type: 'string', help: 'FILE  red-team labels, one event per line as time and the --format adapter\'s label entities (every format: time,user,src_host,dst_host, as in LANL\'s redteam.txt, with the adapter\'s normalised values; gzip allowed)' },
  train: { type: 'string', multiple: true, help: 'FILE  training log for the rarity baseline (repeatable; needs --test)' },
  test: { type: 'string', help: 'FILE  the log the scores came from, scored by the rarity baseline' },
  format: { type: 'string', default: 'lanl', help: 'NAME  adapter for --train/--test and the label columns' },
  'adapter-options': ADAPTER_OPTIONS_OPTION,
  report: { type: 'string', help: 'FILE  write a self-contained HTML report' },
  json: { type: 'string', help: 'FILE  write the summary as JSON' },
  top: { type: 'string', default: '50', help: 'N  top-ranked events of the first model shown in the report' },
} satisfies OptionSpecs;

const NAME_PREFIX = /^([A-Za-z0-9_.:-]+)=(.+)$/;

/** `name=path` or `path` (named after the file without .jsonl/.gz); names must be unique. */
export function parseScoreSpecs(specs: readonly string[]): { name: string; file: string }[] {
  const out = specs.map((spec) => {
    const m = NAME_PREFIX.exec(spec);
    if (m) return { name: m[1] as string, file: m[2] as string };
    return { name: basename(spec).replace(/\.gz$/, '').replace(/\.jsonl?$/, ''), file: spec };
  });
  const seen = new Set<string>();
  for (const { name } of out) {
    if (name === BASELINE_NAME || name === UPDATING_BASELINE_NAME) throw new UsageError(`--scores name "${name}" is reserved for a baseline row`);
    if (seen.has(name)) throw new UsageError(`--scores name "${name}" is used twice; name them with NAME=FILE`);
    seen.add(name);
  }
  return out;
}

/** A baseline that counts its test events as training would rank every test pair as seen: refused. */
async function refuseTestInTrain(train: readonly string[], test: string): Promise<void> {
  const where = async (path: string): Promise<string> => realpath(path).catch(() => resolve(path));
  const target = await where(test);
  for (const t of train) if ((await where(t)) === target) throw new UsageError(`--test ${test} is also a --train file: the baseline would count the test events as training`);
}

function row(scored: ScoredEvents, evaluation: Evaluation, labels: Labels): ModelRow {
  return { name: scored.name, source: scored.source, ...evaluation.metrics, errors: scored.errors, labelsMatched: matchedLines(labels, scored.matchedLabelKeys) };
}

/** What a reader must know before trusting the numbers, one sentence each. */
function notesFor(sets: readonly ScoredEvents[], rows: readonly ModelRow[], labels: Labels): string[] {
  const notes: string[] = [];
  sets.forEach((s, i) => {
    const r = rows[i] as ModelRow;
    if (s.errors > 0) notes.push(`${s.name}: ${s.errors} unscored record(s) in ${s.source} excluded from the metrics (first: ${s.firstErrors[0] ?? '?'})`);
    if (r.labelsMatched < labels.lines) notes.push(`${s.name}: ${labels.lines - r.labelsMatched} of ${labels.lines} label lines matched no event`);
    if (s.missed) notes.push(`${s.name}: ${s.missed} red-team event(s) another row scored are not scored here: counted as missed, ranked last`);
  });
  for (const r of rows) {
    const normal = r.events - r.positives;
    if (normal > 0 && normal < 1 / DEFAULT_MAX_FPR) notes.push(`${r.name}: ${normal} normal events, so TPR at 0.1% FPR allows ${Math.floor(normal * DEFAULT_MAX_FPR)} false positives: it is the share ranked above every normal event, not comparable with a run of more`);
  }
  const counts = new Set(rows.map((r) => r.events + r.errors));
  if (counts.size > 1) notes.push(`the rows cover different record counts (${rows.map((r) => `${r.name} ${r.events + r.errors}`).join(', ')}): compare them with care`);
  return notes;
}

const evaluate: Command = {
  name: 'evaluate',
  summary: SUMMARY,
  async run(argv) {
    const parsed = parseOptions(argv, USAGE, SUMMARY, SPECS);
    if (!parsed) return 0;
    const o = parsed.values;
    if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument "${parsed.positionals[0]}"`);
    const scoreSpecs = parseScoreSpecs(required(o.scores, 'scores'));
    const labelFile = required(o.labels, 'labels');
    const train = o.train ?? [];
    if ((train.length > 0) !== (o.test !== undefined)) throw new UsageError('--train and --test go together (the baseline learns on --train and scores --test)');
    if (o.test !== undefined) await refuseTestInTrain(train, o.test);
    const top = intOption(o.top, 'top', 50);
    if (top < 0) throw new UsageError(`--top must be >= 0, got ${top}`);

    // The outputs are checked (not an input, a folder that takes them) before minutes of work, and written whole.
    const inputs = [...scoreSpecs.map((s) => s.file), labelFile, ...train, ...(o.test !== undefined ? [o.test] : [])];
    const jsonOut = o.json !== undefined ? await openOutputFile(o.json, inputs, '--json') : null;
    let reportOut: OutputFile | null = null;
    try {
      reportOut = o.report !== undefined ? await openOutputFile(o.report, inputs, '--report') : null;
      return await evaluateInto(o, scoreSpecs, labelFile, train, top, jsonOut, reportOut);
    } catch (err) {
      await jsonOut?.abort();
      await reportOut?.abort();
      throw err;
    }
  },
};

type EvaluateValues = NonNullable<ReturnType<typeof parseOptions<typeof SPECS>>>['values'];

async function evaluateInto(o: EvaluateValues, scoreSpecs: { name: string; file: string }[], labelFile: string, train: string[], top: number, jsonOut: OutputFile | null, reportOut: OutputFile | null): Promise<number> {
  const adapter = createAdapter(o.format ?? 'lanl', parseJsonOption(o['adapter-options'], 'adapter-options'));
  const labels = await readLabels(labelFile, adapter.labelEntities);
  const sets: ScoredEvents[] = [];
  for (const { name, file } of scoreSpecs) sets.push(await readScoreFile(name, file, labels));
  const notes: string[] = [];
  if (o.test !== undefined) {
    const baseline = await runRarityBaseline(train, o.test, adapter, labels);
    sets.push(baseline.scored, baseline.updating);
    notes.push(`${BASELINE_NAME}: pairs ${baseline.pairs.used.join(', ')} counted over ${baseline.trainStats.events} training events`);
    notes.push(`${UPDATING_BASELINE_NAME}: the same, counting each --test event too once it is scored (in time order)`);
    for (const m of baseline.pairs.missing) notes.push(`${BASELINE_NAME}: pair ${m} not available, left out`);
    if (baseline.trainStats.errors > 0) notes.push(`${BASELINE_NAME} training: ${formatReadStats(baseline.trainStats).split('\n')[0]}`);
  }

  const allMatched = new Set(sets.flatMap((s) => [...s.matchedLabelKeys]));
  if (labels.lines > 0 && allMatched.size === 0) {
    throw new UsageError(`none of the ${labels.lines} label lines of ${labelFile} matches an event of ${sets.map((s) => s.source).join(', ')}: labels of another run, or another --format?`);
  }
  // A red-team event one row scored and another lacks counts as missed there, ranked last
  for (let i = 0; i < sets.length; i++) {
    const s = sets[i] as ScoredEvents;
    let lacking = 0;
    for (const key of allMatched) if (!s.matchedLabelKeys.has(key)) lacking += labels.keys.get(key) ?? 0;
    sets[i] = withMissed(s, lacking);
  }
  const evaluations = sets.map((s) => evaluateRanking(s.score, s.tiebreak, s.label));
  const rows = sets.map((s, i) => row(s, evaluations[i] as Evaluation, labels));
  const summary: Summary = {
    models: rows,
    labels: { file: labelFile, lines: labels.lines, matched: matchedLines(labels, allMatched) },
    notes: [...notes, ...notesFor(sets, rows, labels)],
  };

  process.stdout.write(`${formatTable(rows)}\n`);
  process.stderr.write(`labels: ${summary.labels.lines} lines, ${summary.labels.matched} matched a scored event of some row, ${summary.labels.lines - summary.labels.matched} matched none (per row: ${rows.map((r) => `${r.name} ${r.labelsMatched}`).join(', ')})\n`);
  for (const note of summary.notes) process.stderr.write(`note: ${note}\n`);

  if (jsonOut) {
    await jsonOut.write(`${JSON.stringify(summaryJson(summary), null, 2)}\n`);
    await jsonOut.commit();
    process.stderr.write(`wrote ${o.json}\n`);
  }
  if (reportOut) {
    const first = sets[0] as ScoredEvents;
    const order = (evaluations[0] as Evaluation).order;
    const wanted = new Map<number, { rank: number; label: boolean }>();
    for (let r = 0; r < Math.min(top, order.length); r++) {
      const idx = order[r] as number;
      wanted.set(first.sourceLine[idx] as number, { rank: r + 1, label: first.label[idx] === 1 });
    }
    const curves: CurveSet[] = sets.map((s, i) => {
      const points = (evaluations[i] as Evaluation).points;
      return { name: s.name, roc: rocCurve(points), pr: prCurve(points), baseline: s.name === BASELINE_NAME || s.name === UPDATING_BASELINE_NAME };
    });
    const html = renderReport({
      summary,
      curves,
      top: top > 0 ? { model: first.name, events: await readTopEvents(first.source, wanted) } : null,
      generatedAt: new Date().toISOString(),
    });
    await reportOut.write(html);
    await reportOut.commit();
    process.stderr.write(`wrote ${o.report}\n`);
  }
  return 0;
}

export default evaluate;
