// `seqsentry score`: score every record of log files with a trained bundle, one JSON line per record, in input
// order; each event's context is what came before it in time, wherever that stands in the files.
import { openOutputFile, type OutputFile } from '../output/output-file.js';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createAdapter } from '../adapters/registry.js';
import { withTextTokens } from '../tokenizer/text-tokens.js';
import { formatReadStats, newReadStats, readRecordChunks, type ReadRecord, type SkipItem } from '../adapters/read.js';
import { SeqSentryError, UsageError } from '../core/errors.js';
import type { CanonicalEvent } from '../core/event.js';
import { compactLine, errorLine, scoreLine, skippedLine } from '../output/score-line.js';
import { FEATURIZERS } from '../kinds/featurizers.js';
import { MODEL_KINDS } from '../model/kinds.js';
import { Scorer, type ScoreResult } from '../scorer/scorer.js';
import { DEFAULT_EXPLAIN_ABOVE } from '../service/anomaly-fields.js';
import { progress } from '../util/progress.js';
import { DEFAULT_WINDOW_CACHE } from '../model/window-cache.js';
import { budgetOption, intOption, parseOptions, required, scoreOption, type Command } from './command.js';
import { INPUT_OPTIONS, ONNX_THREADS_OPTION, onnxThreadsOption, parseJsonOption } from './options.js';

const USAGE = 'seqsentry score --model-dir DIR --format lanl --input FILE... --output OUT.jsonl';
const SUMMARY = 'Scores every record of the input files in time order; writes {"line","anomaly_score","raw","fields",...} per record, in input order.';
const SPECS = {
  ...INPUT_OPTIONS,
  'model-dir': { type: 'string', short: 'm', help: 'DIR  model bundle (bundle.json + model.onnx)' },
  output: { type: 'string', short: 'o', help: 'FILE  JSON lines output' },
  'batch-size': { type: 'string', default: '1024', help: 'N  events per ONNX call' },
  'onnx-threads': ONNX_THREADS_OPTION,
  'window-cache': { type: 'string', help: `N  a context-free model's (or a cascade's screen's) outputs remembered for N windows (default ${DEFAULT_WINDOW_CACHE}; 0: none)` },
  'explain-above': { type: 'string', help: `SCORE  the compact form below this anomaly_score: the top field's name and value only (e.g. ${DEFAULT_EXPLAIN_ABOVE}; default: every event in full, or ${DEFAULT_EXPLAIN_ABOVE} with --compact)` },
  threshold: { type: 'string', help: 'SCORE  flag from this anomaly_score instead of the bundle\'s threshold' },
  budget: { type: 'string', help: 'R|off  daily alert budget: is_anomaly also needs the score among the top R of the last 24 h of event time (default: the bundle\'s acceptance rate; off: the threshold alone). anomaly_score is the same either way' },
  compact: { type: 'boolean', default: false, help: 'below --explain-above, a non-anomalous event\'s line is {"line","anomaly_score","field"} only (the top field\'s name)' },
} as const;

export interface ScoreArgs {
  modelDir: string;
  inputs: string[];
  output: string;
  format?: string;
  adapterOptions?: Record<string, unknown>;
  strict: boolean;
  batchSize: number;
  /** Intra-op threads of a large ONNX call (RuntimeOptions.intraOpThreads); unset: ONNX Runtime's choice. */
  onnxThreads?: number;
  /** Windows whose model output is remembered (RuntimeOptions.windowCache). */
  windowCache?: number;
  /** Below this anomaly_score a line carries only its top field's name and value (default 0: every line in full). */
  explainAbove?: number;
  /** Below `explainAbove` (default then DEFAULT_EXPLAIN_ABOVE), a non-anomalous event's line is compactLine's. */
  compact?: boolean;
  /** The daily alert budget's rate; null: off; unset: the bundle's acceptance rate (Scorer's budget option). */
  budget?: number | null;
  /** Overrides the bundle's threshold on anomaly_score. */
  threshold?: number;
  /** Records the ordering pass holds for scoring instead of reading the input again (default MAX_HELD_RECORDS). */
  maxHeldRecords?: number;
}

/**
 * Records held from the ordering pass for the scoring pass: a LANL record held costs about 610 bytes of heap
 * (measured over the 300,000 of bench/score-file.mjs: 174 MiB), so at most about 290 MiB. A longer input is read a
 * second time instead, so memory stays bounded whatever the file's size.
 */
export const MAX_HELD_RECORDS = 500_000;

/** What a held record's slot keeps once the record is in a batch, so that the pass does not keep it alive. */
const NO_RECORD: SkipItem = Object.freeze({ skipped: '', source: Object.freeze({ file: '', line: 0 }) });

/** The share of the input's events at or before `score`'s budget clock. */
const BUDGET_CLOCK_QUANTILE = 0.999;

/**
 * Event times, sampled in bounded memory and deterministically: every one until the sample is full, then every
 * second one of those kept and every second one after, and so on (an even spread over the input).
 */
class TimeSample {
  private static readonly MAX = 1 << 17;
  private readonly kept: number[] = [];
  private stride = 1;
  private seen = 0;

  add(time: number): void {
    if (this.seen++ % this.stride !== 0) return;
    this.kept.push(time);
    if (this.kept.length < TimeSample.MAX) return;
    let j = 0;
    for (let i = 0; i < this.kept.length; i += 2) this.kept[j++] = this.kept[i] as number;
    this.kept.length = j;
    this.stride *= 2;
  }

  /** The time below which the share `q` of the sample falls; +Infinity for none. */
  quantile(q: number): number {
    if (this.kept.length === 0) return Number.POSITIVE_INFINITY;
    const sorted = Float64Array.from(this.kept).sort();
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  }
}

export interface ScoreSummary {
  records: number;
  scored: number;
  errors: number;
  anomalies: number;
}

export async function scoreFiles(args: ScoreArgs): Promise<ScoreSummary> {
  try {
    await access(dirname(resolve(args.output)), constants.W_OK);
  } catch (err) {
    throw new SeqSentryError(`cannot write output ${args.output}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : (err as Error).message}`);
  }
  // The daily alert budget's clock: a file has no "now", so it is the time below which 99.9 % of the input's events
  // fall (set after the first pass). One event stamped years ahead then moves the window past no other event.
  const times = new TimeSample();
  let clock = Number.POSITIVE_INFINITY;
  const scorer = await Scorer.load(args.modelDir, { maxBatch: args.batchSize, keepAllHistory: true, budgetClock: () => clock, ...(args.onnxThreads !== undefined ? { intraOpThreads: args.onnxThreads } : {}), ...(args.windowCache !== undefined ? { windowCache: args.windowCache } : {}), ...(args.budget !== undefined ? { budget: args.budget } : {}), ...(args.threshold !== undefined ? { threshold: args.threshold } : {}) });
  const format = args.format ?? scorer.bundle.format;
  let adapter;
  try {
    if (format !== scorer.bundle.format) throw new UsageError(`--format ${format}: model ${args.modelDir} was trained on ${scorer.bundle.format} records`);
    adapter = withTextTokens(createAdapter(format, args.adapterOptions ?? scorer.bundle.adapter_options), scorer.textTokens);
  } catch (err) {
    await scorer.close(); // its worker thread would keep the process alive
    throw err;
  }
  // A kind whose unit is built from several records (zeek-seq: connections) reads and writes its own units.
  const featurized = MODEL_KINDS[scorer.bundle.kind]?.featurizer;
  if (featurized) {
    try {
      const featurizer = FEATURIZERS[featurized];
      if (!featurizer) throw new SeqSentryError(`kind ${scorer.bundle.kind}: no featurizer "${featurized}" in this version`);
      const done = await featurizer.scoreFiles(scorer, args.modelDir, { inputs: args.inputs, output: args.output, batchSize: args.batchSize });
      return { records: done.scored + done.errors, ...done };
    } finally {
      await scorer.close();
    }
  }
  let out: OutputFile;
  try {
    out = await openOutputFile(args.output, args.inputs);
  } catch (err) {
    await scorer.close();
    throw err;
  }
  let stats = newReadStats();
  const bar = progress('scoring');
  const summary: ScoreSummary = { records: 0, scored: 0, errors: 0, anomalies: 0 };
  // Pending lines keep input order: unreadable records wait in place until their batch is scored.
  type Pending = { line: number; file: string | undefined; event?: CanonicalEvent; error?: string; skipped?: string };
  // Each file numbers its own lines: with several, every line names its file.
  const named = args.inputs.length > 1;
  let pending: Pending[] = [];
  let batchEvents = 0;
  const explainAbove = args.explainAbove ?? (args.compact ? DEFAULT_EXPLAIN_ABOVE : 0);
  // Batches scored but not yet written, oldest first. The scorer only reads the history it was filled with
  // (`remember` below), so batches are independent: while the ONNX worker scores one, this thread reads and
  // parses the next and writes the one before, and the output keeps input order.
  const inFlight: { lines: Pending[]; results: Promise<ScoreResult[]> }[] = [];

  // Arrival number of the next event, the same in both passes: input order among identical events.
  let seq = 0;
  const startBatch = () => {
    const events: CanonicalEvent[] = [];
    const seqs: number[] = [];
    for (const p of pending) {
      if (p.event) {
        events.push(p.event);
        seqs.push(seq++);
      }
    }
    const results = scorer.score(events, undefined, seqs, explainAbove);
    results.catch(() => undefined); // awaited in writeOldest; this only keeps a failure from counting as unhandled meanwhile
    inFlight.push({ lines: pending, results });
    summary.scored += events.length;
    pending = [];
    batchEvents = 0;
  };
  const writeOldest = async () => {
    const { lines, results: scoring } = inFlight.shift()!;
    const results = await scoring;
    let i = 0;
    let text = '';
    for (const p of lines) {
      if (p.event) {
        const r = results[i++]!;
        if (r.is_anomaly) summary.anomalies += 1;
        const compact = r.anomaly_score < explainAbove;
        if (compact && args.compact && !r.is_anomaly) {
          text += compactLine(p.line, r.anomaly_score, r.fields[0]?.field, p.file) + '\n';
          continue;
        }
        const fields = compact ? r.fields.map((f) => ({ field: f.field, value: f.value })) : r.fields;
        text += scoreLine({ file: p.file, line: p.line, time: p.event.time, entities: p.event.entities, anomaly_score: r.anomaly_score, raw: r.raw, is_anomaly: r.is_anomaly, fields, ...(r.components ? { components: r.components } : {}) }) + '\n';
      } else if (p.skipped !== undefined) {
        text += skippedLine({ file: p.file, line: p.line, skipped: p.skipped }) + '\n';
      } else {
        text += errorLine({ file: p.file, line: p.line, error: p.error ?? 'unreadable record' }) + '\n';
      }
    }
    if (text.length) await out.write(text);
    bar.update(stats.records);
  };
  /** Batches in flight at most: one in the worker, one queued behind it. */
  const MAX_IN_FLIGHT = 2;

  /** One record of the input into `pending`, in input order; a full batch goes to the scorer. */
  const take = async (item: ReadRecord) => {
    if (item.skipped !== undefined) {
      pending.push({ line: item.source.line, file: named ? item.source.file : undefined, skipped: item.skipped });
    } else if (item.event) {
      pending.push({ line: item.source.line, file: named ? item.source.file : undefined, event: item.event });
      batchEvents += 1;
    } else {
      pending.push({ line: item.source.line, file: named ? item.source.file : undefined, error: item.error.message });
      summary.errors += 1;
    }
    if (batchEvents >= args.batchSize) {
      startBatch();
      if (inFlight.length >= MAX_IN_FLIGHT) await writeOldest();
    }
  };

  try {
    // First pass: every event into its entity's history, so that each is scored after the events that came before
    // it in time (canonical order), wherever they stand in the files. Its records are held for the scoring pass up
    // to `maxHeld` (parsing each record once: reading and parsing was a fifth of the process's CPU); beyond that
    // they are dropped and the input is read a second time.
    const ordering = progress('ordering');
    const orderingStats = newReadStats();
    const maxHeld = args.maxHeldRecords ?? MAX_HELD_RECORDS;
    let records: ReadRecord[] | null = [];
    let held = 0;
    for await (const items of readRecordChunks(args.inputs, adapter, orderingStats, args.strict)) {
      for (const item of items) {
        if (records) {
          if (records.length < maxHeld) records.push(item);
          else records = null;
        }
        if (!item.event) continue;
        times.add(item.event.time);
        scorer.remember([item.event], undefined, [held++]);
        if (held % 10_000 === 0) ordering.update(held);
      }
    }
    ordering.finish(`${held} events in time order`);
    clock = times.quantile(BUDGET_CLOCK_QUANTILE);
    if (records) {
      stats = orderingStats;
      for (let i = 0; i < records.length; i++) {
        const item = records[i] as ReadRecord;
        records[i] = NO_RECORD; // written records go as the pass moves on
        await take(item);
      }
      records = null;
    } else {
      for await (const items of readRecordChunks(args.inputs, adapter, stats, args.strict)) for (const item of items) await take(item);
    }
    startBatch();
    while (inFlight.length) await writeOldest();
    if (seq !== held) throw new SeqSentryError(`the input changed while it was scored (${held} events on the first reading, ${seq} on the second)`);
    await out.commit();
  } catch (err) {
    // Batches still in the worker settle before it closes; the output path keeps what it held.
    await Promise.allSettled(inFlight.map((b) => b.results));
    await out.abort();
    throw err;
  } finally {
    await scorer.close();
  }
  summary.records = stats.events + stats.errors;
  bar.finish(`${summary.scored} events`);
  process.stderr.write(formatReadStats(stats) + '\n');
  return summary;
}

const command: Command = {
  name: 'score',
  summary: SUMMARY,
  async run(argv) {
    const parsed = parseOptions(argv, USAGE, SUMMARY, SPECS);
    if (!parsed) return 0;
    const v = parsed.values;
    const onnxThreads = onnxThreadsOption(v['onnx-threads']);
    const batchSize = intOption(v['batch-size'], 'batch-size', 1024);
    if (batchSize < 1) throw new UsageError(`--batch-size ${batchSize}: at least 1 event per ONNX call`);
    const summary = await scoreFiles({
      modelDir: required(v['model-dir'], 'model-dir'),
      inputs: distinctInputs([...required(v.input, 'input'), ...parsed.positionals]),
      output: required(v.output, 'output'),
      ...(v.format !== undefined ? { format: v.format } : {}),
      ...(v['adapter-options'] !== undefined ? { adapterOptions: parseJsonOption(v['adapter-options'], 'adapter-options') } : {}),
      strict: v.strict,
      batchSize,
      ...(onnxThreads !== undefined ? { onnxThreads } : {}),
      ...(v['window-cache'] !== undefined ? { windowCache: windowCacheOption(v['window-cache']) } : {}),
      ...(v['explain-above'] !== undefined ? { explainAbove: scoreOption(v['explain-above'], 'explain-above') } : {}),
      compact: v.compact,
      ...(v.budget !== undefined ? { budget: budgetOption(v.budget) } : {}),
      ...(v.threshold !== undefined ? { threshold: scoreOption(v.threshold, 'threshold') } : {}),
    });
    process.stdout.write(`scored ${summary.scored} events (${summary.anomalies} flagged), ${summary.errors} unreadable records → ${v.output}\n`);
    // Every record unreadable (a wrong format, a broken export): a failure a script must see, not a success.
    if (summary.scored === 0 && summary.errors > 0) {
      process.stderr.write(`seqsentry score: none of the ${summary.errors} records could be read (is --format right?): see the error lines in ${v.output}\n`);
      return 1;
    }
    return 0;
  },
};

export default command;

/** The inputs, each once: a file given twice would score its events twice (each the other's history). */
function distinctInputs(inputs: string[]): string[] {
  const seen = new Set<string>();
  for (const input of inputs) {
    const key = resolve(input);
    if (seen.has(key)) throw new UsageError(`--input ${input} is given twice: its events would be scored twice`);
    seen.add(key);
  }
  return inputs;
}

/** --window-cache N: a count of windows, 0 for none; a negative one is refused rather than read as none. */
function windowCacheOption(value: string): number {
  const n = intOption(value, 'window-cache', DEFAULT_WINDOW_CACHE);
  if (n < 0) throw new UsageError(`--window-cache must be 0 (none) or more windows, got ${n}`);
  return n;
}
