// `seqsentry train`: read logs through an adapter, hand the events to the PyTorch trainer, get an ONNX bundle; or,
// for a pure TypeScript kind, hand them to the kind's own trainer (src/kinds/typescript-kinds.ts).
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createAdapter } from '../adapters/registry.js';
import type { Adapter } from '../adapters/adapter.js';
import { formatReadStats, newReadStats, type ReadItem, type ReadStats } from '../adapters/read.js';
import type { CanonicalEvent } from '../core/event.js';
import { SeqSentryError, UsageError } from '../core/errors.js';
import { TYPESCRIPT_KINDS } from '../kinds/typescript-kinds.js';
import { DEFAULT_KIND, MODEL_KINDS, type ModelKind } from '../model/kinds.js';
import { openSearchConfig, type OpenSearchConfig } from '../opensearch/config.js';
import { DEFAULT_RECALL } from '../train/fit-fusion.js';
import { trainSequenceModel } from '../train/sequence-train.js';
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
  '[--kind transformer-mlm|lstm-lm|transformer-lm|lstm-ae|charfreq] [--entity user|src_host|dst_host] [--epochs N] [--seed N] [--no-fusion] [--recall N] ' +
  '[--rolling --window 1d [--labels FILE] [--no-registry]]';
const SUMMARY = 'Trains a sequence model on log files or on the events in OpenSearch indices (PyTorch, CPU) and exports model.onnx + bundle.json to --model-dir (charfreq: pure TypeScript, charfreq.json + bundle.json).';
const SPECS = {
  ...INPUT_OPTIONS,
  'model-dir': { type: 'string', short: 'm', help: 'DIR  where model.onnx and bundle.json are written' },
  kind: { type: 'string', default: DEFAULT_KIND, help: `KIND  model kind: ${Object.keys(MODEL_KINDS).join(' | ')}` },
  epochs: { type: 'string', help: 'N  maximum epochs (early stopping may end sooner; trainer default otherwise)' },
  seed: { type: 'string', default: '1', help: 'N  random seed; the same seed and data give the same model' },
  context: { type: 'string', help: 'N  previous events of the same entity used as context (transformer-mlm: 8)' },
  'min-count': { type: 'string', default: '2', help: 'N  values seen fewer times become the field\'s OOV token' },
  'no-hour-token': { type: 'boolean', default: false, help: 'leave out the hour-of-day token' },
  'max-events': { type: 'string', help: 'N  train on at most the first N events' },
  entity: { type: 'string', help: 'NAME  whose recent events are the context: user | src_host | dst_host; zeek: src_ip | dst_ip | uid (default: the format\'s: user; zeek src_ip)' },
  'no-fusion': { type: 'boolean', default: false, help: 'score with the sequence model alone (no per-entity memory, no fusion); kinds declared without fusion in models/kinds.json (lstm-ae) always do' },
  recall: { type: 'string', help: `N  the entity's recent events the per-entity memory also counts (default ${DEFAULT_RECALL}, 0 = only the training memory, at most ${MAX_RECALL})` },
  'from-index': { type: 'string', help: 'PATTERN  train on the events of these OpenSearch indices (instead of --input), oldest first' },
  since: { type: 'string', default: '30d', help: 'WHEN  with --from-index: events since a duration (30d), date math or an ISO date' },
  'exclude-query': { type: 'string', help: 'Q  with --from-index: leave out the events this Lucene query matches (those marked as attacks)' },
  'opensearch-url': { type: 'string', help: 'URL  with --from-index or --rolling: OpenSearch (default: OPENSEARCH_URL, else http://127.0.0.1:9200)' },
  rolling: { type: 'boolean', default: false, help: 'one bundle per --window (MODEL_DIR/<version>), each starting from the previous one\'s weights and scoring the next window; versions recorded in .seqsentry-state' },
  window: { type: 'string', default: '1d', help: 'DURATION  with --rolling: window length (1d, 12h), aligned to UTC' },
  labels: { type: 'string', help: 'FILE  with --rolling: labelled anomalies (time,<label entities>) for each version\'s AUC and AP on the next window' },
  'no-registry': { type: 'boolean', default: false, help: 'with --rolling: do not record the versions in .seqsentry-state (no OpenSearch needed for files)' },
} as const;

export interface TrainArgs {
  format: string;
  inputs: string[];
  modelDir: string;
  kind: string;
  epochs?: number;
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
  /** Read the events from OpenSearch instead of `inputs`. */
  fromIndex?: IndexExport & { opensearch: OpenSearchConfig };
}

/** Reads the inputs into an events TSV, runs models/train.py, returns the bundle path. */
export async function train(args: TrainArgs): Promise<string> {
  const kind = MODEL_KINDS[args.kind];
  if (!kind) throw new UsageError(`unknown --kind "${args.kind}" (known: ${Object.keys(MODEL_KINDS).join(', ')})`);
  if (args.context !== undefined && !kind.contextual && args.context !== 0) throw new UsageError(`--context: ${args.kind} scores each event on its own; leave --context out`);
  const adapter = createAdapter(args.format, args.adapterOptions);
  const entityKey = args.entity ?? adapter.entityKey;
  if (args.recall !== undefined && (args.recall > MAX_RECALL || !(args.fusion ?? kind.fusion))) throw new UsageError(`--recall: ${!(args.fusion ?? kind.fusion) ? 'needs the fusion (leave out --no-fusion)' : `at most ${MAX_RECALL}`}`);
  if (!adapter.entityNames.includes(entityKey)) throw new UsageError(`--entity "${entityKey}": format ${adapter.name} has ${adapter.entityNames.join(', ')}`);
  const modelDir = resolve(args.modelDir);
  await mkdir(modelDir, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), 'seqsentry-train-'));
  try {
    const { read, what } = await openTrainingInput(args.inputs, args.fromIndex, adapter, args.strict, work);
    if (!kind.onnx) return await trainTypeScriptKind(args, kind, adapter, entityKey, modelDir, read, what);
    const fusion = args.fusion ?? kind.fusion;
    const result = await trainSequenceModel({
      kind, adapter, adapterOptions: args.adapterOptions ?? {}, entityKey, modelDir, work, read, what, seed: args.seed, minCount: args.minCount,
      hourToken: args.hourToken, fusion,
      ...(args.epochs !== undefined ? { epochs: args.epochs } : {}), ...(args.context !== undefined ? { context: args.context } : {}),
      ...(args.recall !== undefined ? { recall: args.recall } : {}), ...(args.maxEvents !== undefined ? { maxEvents: args.maxEvents } : {}),
    });
    return result.bundlePath;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** A pure TypeScript kind: its trainer reads the events as they come and writes the bundle itself. */
async function trainTypeScriptKind(args: TrainArgs, kind: ModelKind, adapter: Adapter, entityKey: string, modelDir: string, read: (stats: ReadStats) => AsyncIterable<ReadItem>, what: string): Promise<string> {
  const trainer = TYPESCRIPT_KINDS[kind.runtime];
  if (!trainer) throw new SeqSentryError(`kind ${kind.kind}: no TypeScript trainer "${kind.runtime}" (this version has ${Object.keys(TYPESCRIPT_KINDS).join(', ')})`);
  const unused = [args.epochs !== undefined && '--epochs', args.recall !== undefined && '--recall', args.fusion === false && '--no-fusion'].filter(Boolean);
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
    if (!v.rolling && (v.labels !== undefined || v['no-registry'])) throw new UsageError('--labels and --no-registry go with --rolling');
    const args: TrainArgs = {
      format: v.format ?? 'lanl',
      inputs: fromIndex !== undefined ? [] : required(inputs.length ? inputs : undefined, 'input'),
      ...(fromIndex !== undefined
        ? { fromIndex: { pattern: fromIndex, since: v.since ?? '30d', ...(v['exclude-query'] ? { excludeQuery: v['exclude-query'] } : {}), opensearch: openSearchConfig(v['opensearch-url']) } }
        : {}),
      modelDir: required(v['model-dir'], 'model-dir'),
      kind: v.kind ?? DEFAULT_KIND,
      ...(v.epochs !== undefined ? { epochs: intOption(v.epochs, 'epochs', 0) } : {}),
      seed: intOption(v.seed, 'seed', 1),
      ...(v.context !== undefined ? { context: intOption(v.context, 'context', 0) } : {}),
      minCount: intOption(v['min-count'], 'min-count', 2),
      hourToken: !v['no-hour-token'],
      strict: v.strict,
      ...(v['adapter-options'] !== undefined ? { adapterOptions: parseJsonOption(v['adapter-options'], 'adapter-options') } : {}),
      ...(v['max-events'] !== undefined ? { maxEvents: intOption(v['max-events'], 'max-events', 0) } : {}),
      ...(v['no-fusion'] ? { fusion: false } : {}),
      ...(v.recall !== undefined ? { recall: intOption(v.recall, 'recall', 0) } : {}),
      ...(v.entity !== undefined ? { entity: v.entity } : {}),
    };
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
