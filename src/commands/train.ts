// `seqsentry train`: read logs through an adapter, hand the events to the PyTorch trainer, get an ONNX bundle; or,
// for a pure TypeScript kind, hand them to the kind's own trainer (src/kinds/typescript-kinds.ts).
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { removeOnSignal } from '../util/remove-on-signal.js';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { createAdapter, learnAdapterOptions } from '../adapters/registry.js';
import type { Adapter } from '../adapters/adapter.js';
import { formatReadStats, newReadStats, type ReadItem, type ReadStats } from '../adapters/read.js';
import type { CanonicalEvent } from '../core/event.js';
import { SeqSentryError, UsageError } from '../core/errors.js';
import { FEATURIZERS } from '../kinds/featurizers.js';
import { TYPESCRIPT_KINDS } from '../kinds/typescript-kinds.js';
import { defaultKindFor, fusesWith, MODEL_KINDS, screenDefaults, type ModelKind } from '../model/kinds.js';
import { withTextTokens, type TextTokensSpec } from '../tokenizer/text-tokens.js';
import { openTextTokens } from '../tokenizer/text-modes.js';
import { fitTextTokens, type TextTokensArgs } from '../train/text-tokens.js';
import { heldOutRule, isHeldOut } from '../train/held-out.js';
import { openSearchConfig, type OpenSearchConfig } from '../opensearch/config.js';
import { DEFAULT_RECALL } from '../train/fit-fusion.js';
import { capacityFlags, capacityOption, type Capacity } from '../train/capacity.js';
import { screenThreshold, trainSequenceModel } from '../train/sequence-train.js';
import { openTrainingInput } from '../train/training-input.js';
import { formatReports, runRolling } from '../rolling/run.js';
import { windowSeconds } from '../rolling/windows.js';
import type { IndexExport } from '../train/from-index.js';
import { MAX_RECALL } from '../model/bundle.js';
import { progress } from '../util/progress.js';
import { intOption, parseOptions, required, type Command } from './command.js';
import { INPUT_OPTIONS, parseJsonOption } from './options.js';

const USAGE =
  'seqsentry train --format lanl (--input FILE... | --from-index PATTERN [--since 30d] [--exclude-query Q]) --model-dir DIR ' +
  '[--kind transformer-mlm|lstm-lm|transformer-lm|lstm-ae|charfreq] [--entity user|src_host|dst_host] [--epochs N] [--steps-per-epoch N] [--width N] [--layers N] [--seed N] [--no-fusion | --fusion] [--recall N] [--screen T | --no-screen] [--text-tokens bpe|char|none --text-field NAME... [--text-max-tokens K] [--text-vocab N]] [--acceptance-rate R] [--record-tokenizer tuple|cluster] ' +
  '[--rolling --window 1d [--labels FILE] [--no-registry]]';
const SUMMARY = 'Trains a sequence model on log files or on the events in OpenSearch indices (PyTorch, CPU) and exports model.onnx + bundle.json to --model-dir (charfreq: pure TypeScript, charfreq.json + bundle.json).';
const SPECS = {
  ...INPUT_OPTIONS,
  'model-dir': { type: 'string', short: 'm', help: 'DIR  where model.onnx and bundle.json are written' },
  kind: { type: 'string', help: `KIND  model kind: ${Object.keys(MODEL_KINDS).join(' | ')} (default: the format's, models/kinds.json: weblogin ${defaultKindFor('weblogin')}, the others ${defaultKindFor('lanl')})` },
  epochs: { type: 'string', help: 'N  maximum epochs (early stopping may end sooner; trainer default otherwise)' },
  'steps-per-epoch': { type: 'string', help: 'N  cap on optimizer steps of 512 events per epoch (default 150, whatever the data size)' },
  width: { type: 'string', help: 'N  model width, the kind\'s n_embd (transformers 32; a multiple of its heads, 2)' },
  layers: { type: 'string', help: 'N  model blocks, the kind\'s n_layer (transformers 2; the LSTM kinds have none)' },
  seed: { type: 'string', default: '1', help: 'N  random seed; the same seed and data give the same model' },
  context: { type: 'string', help: 'N  previous events of the same entity used as context (transformer-mlm: 8; 0: none, the model and its window cache at about a third of the CPU per event, README "Repeated events skip the model")' },
  'min-count': { type: 'string', default: '2', help: 'N  values seen fewer times become the field\'s OOV token' },
  'no-hour-token': { type: 'boolean', default: false, help: 'leave out the hour-of-day token' },
  'max-events': { type: 'string', help: 'N  train on at most the first N events' },
  entity: { type: 'string', help: 'NAME  whose recent events are the context: user | src_host | dst_host; zeek: src_ip | dst_ip | uid | src_host | dst_host (default: the format\'s: user; zeek src_ip)' },
  'no-fusion': { type: 'boolean', default: false, help: 'score with the sequence model alone (no per-entity memory, no fusion); kinds declared without fusion in models/kinds.json (lstm-ae) always do' },
  fusion: { type: 'boolean', default: false, help: 'fuse a kind that fuses only when asked (models/kinds.json "opt-in"; no kind today)' },
  recall: { type: 'string', help: `N  the entity's recent events the per-entity memory also counts (default ${DEFAULT_RECALL}, 0 = only the training memory, at most ${MAX_RECALL})` },
  screen: { type: 'string', help: `T  a cascade: the same kind trained without context beside the model scores every event first, the model with its context only those whose screen anomaly_score is at least T (default for transformer-mlm on ${screenDefaults('transformer-mlm') || 'no format'}; models/kinds.json screen_by_format)` },
  'no-screen': { type: 'boolean', default: false, help: 'no cascade: the model scores every event with its context' },
  'text-tokens': { type: 'string', default: 'none', help: 'bpe | char | none  free-text fields as K extra fields: the first K byte-pair pieces (learnt on the training texts) or bytes of each text' },
  'text-field': { type: 'string', multiple: true, help: 'NAME  a free-text field for --text-tokens (repeatable): a key of the record as read (zeek: uri, query; weblogin: user_agent.original) or text (a syslog message)' },
  'text-max-tokens': { type: 'string', help: 'K  positions per text field (bpe 8, char 16; at most 64); a longer text ends in <more>' },
  'text-vocab': { type: 'string', help: 'N  --text-tokens bpe: vocabulary size, the 256 bytes included (default 512)' },
  'from-index': { type: 'string', help: 'PATTERN  train on the events of these OpenSearch indices (instead of --input), oldest first' },
  since: { type: 'string', help: 'WHEN  with --from-index: events since a duration, date math or an ISO date (default: 30d)' },
  'exclude-query': { type: 'string', help: 'Q  with --from-index: leave out the events this Lucene query matches (those marked as attacks)' },
  'opensearch-url': { type: 'string', help: 'URL  with --from-index or --rolling: OpenSearch (default: OPENSEARCH_URL, else http://127.0.0.1:9200)' },
  'acceptance-rate': { type: 'string', help: 'R  zeek-seq: expected share of anomalous connections in normal traffic; the threshold is the (1 - R) quantile of held-out connections\' scores (default 0.001)' },
  'record-tokenizer': { type: 'string', help: 'tuple | cluster  zeek-seq: what one Zeek record becomes as a token: its telling fields, or its nearest cluster of a vocabulary fitted on the training records (default tuple)' },
  rolling: { type: 'boolean', default: false, help: 'one bundle per --window (MODEL_DIR/<version>), each starting from the previous one\'s weights and scoring the next window; versions recorded in .seqsentry-state' },
  window: { type: 'string', help: 'DURATION  with --rolling: window length (1d, 12h), aligned to UTC (default: 1d)' },
  labels: { type: 'string', help: 'FILE  with --rolling: labelled anomalies (time,<label entities>) for each version\'s AUC and AP on the next window' },
  'no-registry': { type: 'boolean', default: false, help: 'with --rolling: do not record the versions in .seqsentry-state (no OpenSearch needed for files)' },
} as const;

export interface TrainArgs {
  format: string;
  inputs: string[];
  modelDir: string;
  kind: string;
  epochs?: number;
  /** Steps per epoch, model width and layers (src/train/capacity.ts). */
  capacity?: Capacity;
  seed: number;
  context?: number;
  minCount: number;
  hourToken: boolean;
  strict: boolean;
  adapterOptions?: Record<string, unknown>;
  maxEvents?: number;
  /** The context entity (one of the adapter's entity names); the adapter's default otherwise. */
  entity?: string;
  /** Fuse the sequence model with the per-entity memory (default true). */
  fusion?: boolean;
  /** Recent events of the entity the fused memory also counts (DEFAULT_RECALL). */
  recall?: number;
  /** The cascade's screen threshold (--screen), null for none (--no-screen); the format's default when absent. */
  screen?: number | null;
  /** Free-text fields read as pieces (K extra fields each). */
  textTokens?: TextTokensArgs;
  /** Read the events from OpenSearch instead of `inputs`. */
  fromIndex?: IndexExport & { opensearch: OpenSearchConfig };
  /** A featurized kind's (zeek-seq): expected share of anomalous units in normal traffic, which sets the threshold. */
  acceptanceRate?: number;
  /** A featurized kind's (zeek-seq): the record tokenizer's name. */
  recordTokenizer?: string;
}

/**
 * Trains into a folder beside `modelDir` and puts it in place of `modelDir` only when the bundle is complete, so a
 * failed or stopped training leaves the bundle that was there (a sidecar may be serving or watching it) as it was,
 * never a half-written or unfused one. Returns the bundle path.
 */
export async function train(trainArgs: TrainArgs): Promise<string> {
  const final = resolve(trainArgs.modelDir);
  const stage = `${final}.partial-${process.pid}`;
  await rm(stage, { recursive: true, force: true });
  await mkdir(dirname(final), { recursive: true });
  const keep = removeOnSignal(stage);
  try {
    const bundlePath = await trainStaged({ ...trainArgs, modelDir: stage });
    const old = `${final}.old-${process.pid}`;
    const had = await stat(final).then(() => true, () => false);
    if (had) await rename(final, old);
    await rename(stage, final);
    if (had) await rm(old, { recursive: true, force: true });
    return join(final, relative(stage, bundlePath));
  } catch (err) {
    await rm(stage, { recursive: true, force: true });
    throw err;
  } finally {
    keep();
  }
}

/** Reads the inputs into an events TSV, runs models/train.py into `modelDir`, returns the bundle path. */
async function trainStaged(trainArgs: TrainArgs): Promise<string> {
  let args = trainArgs;
  const kind = MODEL_KINDS[args.kind];
  if (!kind) throw new UsageError(`unknown --kind "${args.kind}" (known: ${Object.keys(MODEL_KINDS).join(', ')})`);
  if (args.context !== undefined && !kind.contextual && args.context !== 0) throw new UsageError(`--context: ${args.kind} scores each event on its own; leave --context out`);
  if (typeof args.screen === 'number' && (kind.featurizer !== null || !kind.onnx)) throw new UsageError(`--screen: ${kind.kind} is not made a cascade (a screen goes with a fused ONNX kind over adapter events)`);
  if (kind.featurizer !== null) return trainFeaturized(args, kind);
  if (args.acceptanceRate !== undefined || args.recordTokenizer !== undefined) throw new UsageError(`--acceptance-rate and --record-tokenizer go with a featurized kind (zeek-seq), not ${kind.kind}`);
  let adapter = createAdapter(args.format, args.adapterOptions);
  if (args.textTokens && !kind.contract) throw new UsageError(`--text-tokens: ${kind.kind} reads the event itself, not field tokens`);
  const entityKey = args.entity ?? adapter.entityKey;
  const fusion = fusesWith(kind, args.fusion);
  if (args.recall !== undefined && (args.recall > MAX_RECALL || !fusion)) throw new UsageError(`--recall: ${!fusion ? 'needs the fusion (leave out --no-fusion)' : `at most ${MAX_RECALL}`}`);
  if (!adapter.entityNames.includes(entityKey)) throw new UsageError(`--entity "${entityKey}": format ${adapter.name} has ${adapter.entityNames.join(', ')}`);
  const modelDir = resolve(args.modelDir);
  await mkdir(modelDir, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), 'seqsentry-train-'));
  const keepWork = removeOnSignal(work);
  try {
    const input = await openTrainingInput(args.inputs, args.fromIndex, adapter, args.strict, work);
    const { what } = input;
    // A format that learns from the training events (syslog's templates) reads them once first; the adapter that
    // reads them for the model, and the bundle, have the learnt options.
    // Kinds calibrated on held-out blocks of time (a fusion, a TypeScript kind) learn nothing from those blocks.
    const holdsOut = !kind.onnx || fusion;
    const heldOutOf = holdsOut ? (times: Float64Array) => { const rule = heldOutRule(times); return (t: number) => isHeldOut(rule, t); } : undefined;
    const learnt = await learnAdapterOptions(args.format, args.adapterOptions ?? {}, (a) => eventsOf(input.readWith(a, newReadStats()), args.maxEvents), heldOutOf);
    if (learnt.summary !== undefined) process.stderr.write(learnt.summary + '\n');
    args = { ...args, adapterOptions: learnt.options };
    const plainAdapter = createAdapter(args.format, args.adapterOptions);
    adapter = plainAdapter;
    // `adapter` is read when the reading starts: the text tokens, once fitted, extend it.
    const read = (stats: ReadStats) => input.readWith(adapter, stats);
    let textTokens: TextTokensSpec | undefined;
    if (args.textTokens) {
      textTokens = await fitTextTokens(args.textTokens, plainAdapter, read, modelDir, work, args.maxEvents);
      adapter = withTextTokens(plainAdapter, await openTextTokens(textTokens, modelDir));
    }
    if (!kind.onnx) return await trainTypeScriptKind(args, kind, adapter, entityKey, modelDir, read, what);
    const screen = screenThreshold(args, kind, fusion);
    const result = await trainSequenceModel({
      kind, adapter, adapterOptions: args.adapterOptions ?? {}, entityKey, modelDir, work, read, what, seed: args.seed, minCount: args.minCount,
      hourToken: args.hourToken, fusion, ...(textTokens ? { textTokens } : {}),
      ...(args.epochs !== undefined ? { epochs: args.epochs } : {}), ...(args.context !== undefined ? { context: args.context } : {}),
      ...(args.recall !== undefined ? { recall: args.recall } : {}), ...(args.maxEvents !== undefined ? { maxEvents: args.maxEvents } : {}),
      ...(args.capacity ? { capacity: args.capacity } : {}), ...(screen !== undefined ? { screen: { threshold: screen } } : {}),
    });
    return result.bundlePath;
  } finally {
    await rm(work, { recursive: true, force: true });
    keepWork();
  }
}

/** The events of a read, at most `max` of them (what --max-events trains on). */
async function* eventsOf(items: AsyncIterable<ReadItem>, max?: number): AsyncGenerator<CanonicalEvent> {
  let n = 0;
  for await (const item of items) {
    if (!item.event) continue;
    yield item.event;
    if (max !== undefined && ++n >= max) return;
  }
}

/** A kind whose unit is built from several records (zeek-seq: connections): its featurizer reads, trains and exports. */
async function trainFeaturized(args: TrainArgs, kind: ModelKind): Promise<string> {
  const featurizer = FEATURIZERS[kind.featurizer as string];
  if (!featurizer) throw new SeqSentryError(`kind ${kind.kind}: no featurizer "${kind.featurizer}" (this version has ${Object.keys(FEATURIZERS).join(', ')})`);
  const unused = [args.fromIndex && '--from-index', args.textTokens && '--text-tokens', args.recall !== undefined && '--recall', args.maxEvents !== undefined && '--max-events', ...capacityFlags(args.capacity)].filter(Boolean);
  if (unused.length) throw new UsageError(`${unused.join(', ')}: not for ${kind.kind} (files only, no recall, its trainer's own capacity)`);
  if (args.format !== 'zeek') throw new UsageError(`--format ${args.format}: ${kind.kind} reads zeek logs`);
  return featurizer.train({
    kind: kind.kind,
    inputs: args.inputs,
    modelDir: args.modelDir,
    seed: args.seed,
    minCount: args.minCount,
    strict: args.strict,
    ...(args.adapterOptions ? { adapterOptions: args.adapterOptions } : {}),
    ...(args.entity !== undefined ? { entityKey: args.entity } : {}),
    ...(args.epochs !== undefined ? { epochs: args.epochs } : {}),
    ...(args.context !== undefined ? { context: args.context } : {}),
    ...(args.acceptanceRate !== undefined ? { acceptanceRate: args.acceptanceRate } : {}),
    ...(args.recordTokenizer !== undefined ? { recordTokenizer: args.recordTokenizer } : {}),
    ...(args.fusion !== undefined ? { fusion: args.fusion } : {}),
  });
}

/** A pure TypeScript kind: its trainer reads the events as they come and writes the bundle itself. */
async function trainTypeScriptKind(args: TrainArgs, kind: ModelKind, adapter: Adapter, entityKey: string, modelDir: string, read: (stats: ReadStats) => AsyncIterable<ReadItem>, what: string): Promise<string> {
  const trainer = TYPESCRIPT_KINDS[kind.runtime];
  if (!trainer) throw new SeqSentryError(`kind ${kind.kind}: no TypeScript trainer "${kind.runtime}" (this version has ${Object.keys(TYPESCRIPT_KINDS).join(', ')})`);
  const unused = [args.epochs !== undefined && '--epochs', args.recall !== undefined && '--recall', args.fusion === false && '--no-fusion', ...capacityFlags(args.capacity)].filter(Boolean);
  if (unused.length) throw new UsageError(`${unused.join(', ')}: ${kind.kind} is not a neural sequence model (no epochs, no fusion)`);
  const stats = newReadStats();
  const reading = progress('reading');
  async function* events(): AsyncGenerator<CanonicalEvent> {
    let n = 0;
    for await (const item of read(stats)) {
      reading.update(stats.records);
      if (!item.event) continue;
      yield item.event;
      if (args.maxEvents !== undefined && ++n >= args.maxEvents) break;
    }
    reading.finish(`${stats.events} events from ${what}`);
    process.stderr.write(formatReadStats(stats) + '\n');
  }
  const summary = await trainer.train({ kind: kind.kind, adapter, adapterOptions: args.adapterOptions ?? {}, entityKey, events: events(), modelDir });
  process.stderr.write(summary + '\n');
  return join(modelDir, 'bundle.json');
}

/** `--text-tokens` and its companions; `none` (the default) with none of them set gives no text tokens. */
function textTokensOption(v: { 'text-tokens'?: string; 'text-field'?: string[]; 'text-max-tokens'?: string; 'text-vocab'?: string }): { textTokens?: TextTokensArgs } {
  const mode = v['text-tokens'] ?? 'none';
  if (mode === 'none') {
    const stray = (['text-field', 'text-max-tokens', 'text-vocab'] as const).filter((k) => v[k] !== undefined);
    if (stray.length) throw new UsageError(`${stray.map((k) => `--${k}`).join(', ')}: go with --text-tokens bpe|char`);
    return {};
  }
  return {
    textTokens: {
      mode,
      fields: v['text-field'] ?? [],
      ...(v['text-max-tokens'] !== undefined ? { maxTokens: intOption(v['text-max-tokens'], 'text-max-tokens', 1) } : {}),
      ...(v['text-vocab'] !== undefined ? { vocabSize: intOption(v['text-vocab'], 'text-vocab', 257) } : {}),
    },
  };
}

/** A share strictly between 0 and 1. */
function rateOption(text: string): number {
  return shareOption(text, 'acceptance-rate', '0.001');
}

/** A number strictly between 0 and 1. */
function shareOption(text: string, name: string, example: string): number {
  const r = Number(text);
  if (!(r > 0 && r < 1)) throw new UsageError(`--${name} ${text}: expected a share between 0 and 1 (e.g. ${example})`);
  return r;
}

const command: Command = {
  name: 'train',
  summary: SUMMARY,
  async run(argv) {
    const parsed = parseOptions(argv, USAGE, SUMMARY, SPECS);
    if (!parsed) return 0;
    const v = parsed.values;
    const fromIndex = v['from-index'];
    const inputs = [...(v.input ?? []), ...parsed.positionals];
    if (fromIndex !== undefined && inputs.length) throw new UsageError('give --input files or --from-index, not both');
    if (fromIndex === undefined && (v['exclude-query'] !== undefined || (v['opensearch-url'] !== undefined && !v.rolling))) throw new UsageError('--exclude-query and --opensearch-url go with --from-index');
    // An empty query would leave nothing out: the attacks it was meant to keep from the model would be learnt as normal.
    if (v['exclude-query'] !== undefined && v['exclude-query'].trim() === '') throw new UsageError('--exclude-query is empty: give the Lucene query of the events to leave out (e.g. tags:malicious), or leave the option out');
    if (!v.rolling && (v.labels !== undefined || v['no-registry'] || v.window !== undefined)) throw new UsageError('--labels, --no-registry and --window go with --rolling');
    if (fromIndex === undefined && v.since !== undefined) throw new UsageError('--since goes with --from-index (files are read whole)');
    if (v.fusion && v['no-fusion']) throw new UsageError('give --fusion or --no-fusion, not both');
    if (v.screen !== undefined && v['no-screen']) throw new UsageError('give --screen or --no-screen, not both');
    const format = v.format ?? 'lanl';
    const args: TrainArgs = {
      format,
      inputs: fromIndex !== undefined ? [] : required(inputs.length ? inputs : undefined, 'input'),
      ...(fromIndex !== undefined
        ? { fromIndex: { pattern: fromIndex, since: v.since ?? '30d', ...(v['exclude-query'] ? { excludeQuery: v['exclude-query'] } : {}), opensearch: openSearchConfig(v['opensearch-url']) } }
        : {}),
      modelDir: required(v['model-dir'], 'model-dir'),
      kind: v.kind ?? defaultKindFor(format),
      ...(v.epochs !== undefined ? { epochs: intOption(v.epochs, 'epochs', 0) } : {}),
      ...capacityOption(v),
      seed: intOption(v.seed, 'seed', 1),
      ...(v.context !== undefined ? { context: intOption(v.context, 'context', 0) } : {}),
      minCount: intOption(v['min-count'], 'min-count', 2),
      hourToken: !v['no-hour-token'],
      strict: v.strict,
      ...(v['adapter-options'] !== undefined ? { adapterOptions: parseJsonOption(v['adapter-options'], 'adapter-options') } : {}),
      ...(v['max-events'] !== undefined ? { maxEvents: intOption(v['max-events'], 'max-events', 0) } : {}),
      ...(v['no-fusion'] ? { fusion: false } : {}),
      ...(v.fusion ? { fusion: true } : {}),
      ...(v.recall !== undefined ? { recall: intOption(v.recall, 'recall', 0) } : {}),
      ...(v.screen !== undefined ? { screen: shareOption(v.screen, 'screen', '0.99') } : {}),
      ...(v['no-screen'] ? { screen: null } : {}),
      ...(v.entity !== undefined ? { entity: v.entity } : {}),
      ...textTokensOption(v),
      ...(v['acceptance-rate'] !== undefined ? { acceptanceRate: rateOption(v['acceptance-rate']) } : {}),
      ...(v['record-tokenizer'] !== undefined ? { recordTokenizer: v['record-tokenizer'] } : {}),
    };
    if (args.minCount < 1) throw new UsageError(`--min-count ${args.minCount}: a value is in the vocabulary when seen at least this often, at least 1`);
    if (v.rolling) {
      const reports = await runRolling(args, {
        window: windowSeconds(v.window ?? '1d'),
        ...(v.labels !== undefined ? { labels: v.labels } : {}),
        ...(v['no-registry'] ? {} : { registry: openSearchConfig(v['opensearch-url']) }),
      });
      process.stdout.write(formatReports(reports));
      return 0;
    }
    const bundlePath = await train(args);
    process.stdout.write(`model bundle: ${bundlePath}\n`);
    return 0;
  },
};

export default command;
