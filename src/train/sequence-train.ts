// One run of the PyTorch trainer on a stream of events, then the fusion: what `seqsentry train` does for an ONNX
// kind, and what rolling retraining does once per window (src/rolling/rolling-train.ts).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import type { Adapter } from '../adapters/adapter.js';
import { formatReadStats, newReadStats, type ReadItem, type ReadStats } from '../adapters/read.js';
import { SeqSentryError, UsageError } from '../core/errors.js';
import { defaultScreenFor, type ModelKind } from '../model/kinds.js';
import { EventsTsvWriter } from '../tokenizer/events-tsv.js';
import type { TextTokensSpec } from '../tokenizer/text-tokens.js';
import { progress } from '../util/progress.js';
import { capacityArgs, type Capacity } from './capacity.js';
import { DEFAULT_RECALL, fitFusion, type EventSource } from './fit-fusion.js';
import { heldOutRule, type HeldOutRule } from './held-out.js';
import { runPython } from './python.js';

export interface SequenceTrainSpec {
  kind: ModelKind;
  adapter: Adapter;
  adapterOptions: Record<string, unknown>;
  entityKey: string;
  modelDir: string;
  /** A scratch folder for the events TSV and the meta file. */
  work: string;
  /** The model's training events (read once). */
  read: (stats: ReadStats) => AsyncIterable<ReadItem>;
  /** Named in errors: the files or index the events came from. */
  what: string;
  epochs?: number;
  /** Steps per epoch, model width and layers (the trainer's and the kind's defaults otherwise). */
  capacity?: Capacity;
  seed: number;
  context?: number;
  minCount: number;
  hourToken: boolean;
  fusion: boolean;
  recall?: number;
  maxEvents?: number;
  /** Warm start: the previous window's ckpt.pt (models/warm_start.py). */
  init?: string;
  /** With `init`: the peak learning rate times this. */
  initLrScale?: number;
  /** Free-text fields as pieces (their positions are among the adapter's fields), recorded in the bundle. */
  textTokens?: TextTokensSpec;
  /** The bundle's version (default: its export time). */
  version?: string;
  /**
   * What the memory and fusion are fitted on, when not the training events themselves: rolling retraining fits
   * them on every window so far, with only the training window's events eligible to be held out.
   */
  memory?: { source: EventSource; events: number; heldOutSince: number };
  /**
   * Also train a context-free screen into the bundle's SCREEN_DIR (same events, held-out blocks and memory) and make
   * the bundle a cascade: the screen scores every event, the model those whose screen score reaches `threshold`
   * (bundle.ts `screen`). Needs the fusion and a model with context.
   */
  screen?: { threshold: number };
}

/** The folder of a cascade's screen inside its bundle. */
export const SCREEN_DIR = 'screen';

/** What `train` (and `train --rolling`) was asked that decides the screen. */
export interface ScreenRequest {
  format: string;
  context?: number;
  /** --screen's threshold, null for --no-screen, absent for the format's default. */
  screen?: number | null;
  textTokens?: unknown;
}

/**
 * The screen threshold a bundle is trained with: --screen's, or the format's default for the kind (kinds.json
 * screen_by_format) where a screen can be had; undefined for none. A screen needs the fusion and a model with context,
 * and reads the bundle's own tokenizer files, so not text pieces (their file is the bundle's).
 */
export function screenThreshold(request: ScreenRequest, kind: ModelKind, fusion: boolean): number | undefined {
  if (request.screen === null) return undefined;
  const context = request.context ?? kind.defaultContext;
  const why = !fusion ? `needs the fusion (${kind.fusion === 'never' ? `${kind.kind} is never fused` : 'leave out --no-fusion'})` : context === 0 || !kind.contextual ? `needs a model with context (${kind.kind} at context ${context} has none)` : request.textTokens ? 'does not go with --text-tokens' : null;
  if (request.screen !== undefined && why) throw new UsageError(`--screen: a cascade ${why}`);
  return why ? undefined : (request.screen ?? defaultScreenFor(request.format, kind.kind));
}

export interface SequenceTrainResult {
  bundlePath: string;
  /** Readable events the model was given. */
  events: number;
}

/** Writes the events TSV, runs models/train.py, fits the fusion; returns the bundle path. */
export async function trainSequenceModel(spec: SequenceTrainSpec): Promise<SequenceTrainResult> {
  const { kind, adapter, entityKey, modelDir, work } = spec;
  const eventsPath = join(work, 'events.tsv');
  const writer = new EventsTsvWriter(eventsPath, adapter.fieldNames, entityKey);
  const stats = newReadStats();
  const reading = progress('reading');
  const times: number[] = [];
  for await (const item of spec.read(stats)) {
    if (item.event) {
      await writer.write(item.event);
      times.push(item.event.time);
    }
    reading.update(stats.records);
    if (spec.maxEvents !== undefined && writer.rows >= spec.maxEvents) break;
  }
  await writer.close();
  reading.finish(`${writer.rows} events`);
  process.stderr.write(formatReadStats(stats) + '\n');
  if (writer.rows < 20) throw new SeqSentryError(`only ${writer.rows} readable events in ${spec.what}: too few to train on`);

  const metaPath = join(work, 'meta.json');
  // entity_fields: the fields that name an entity, which a kind reading what an event looks like leaves out (lstm-ae)
  const entityFields = adapter.fieldNames.filter((f) => adapter.entityNames.includes(f));
  await writeFile(metaPath, JSON.stringify({ format: adapter.name, adapter_options: spec.adapterOptions, entity_key: entityKey, entity_fields: entityFields, ...(spec.textTokens ? { text_tokens: spec.textTokens } : {}) }));
  // Blocks of time spread over the data are held out from the sequence model: the fusion is fitted on them
  // (src/train/fit-fusion.ts).
  const heldOut = spec.fusion ? { ...heldOutRule(Float64Array.from(times)), ...(spec.memory ? { since: spec.memory.heldOutSince } : {}) } : undefined;
  const context = spec.context ?? kind.defaultContext;
  // A screen left by an earlier training into the same folder is not this bundle's.
  await rm(join(modelDir, SCREEN_DIR), { recursive: true, force: true });
  if (spec.screen && (heldOut === undefined || context === 0)) throw new SeqSentryError('a screen goes with the fusion and a model with context');
  const screenDir = join(modelDir, SCREEN_DIR);
  if (spec.screen) {
    // The two trainers run side by side, each on half the cores: these models are too small for a second thread to
    // do much (m01's events, 2 epochs each: 33-45 s side by side at one thread each against 60-65 s one after the
    // other at two; docs/benchmarks.md). A warm start's screen starts from the previous window's screen, if any.
    const threads = Math.max(1, Math.floor(cpus().length / 2));
    const init = spec.init !== undefined && existsSync(join(dirname(spec.init), SCREEN_DIR, 'ckpt.pt')) ? join(dirname(spec.init), SCREEN_DIR, 'ckpt.pt') : undefined;
    await Promise.all([
      trainOne(spec, { eventsPath, metaPath, modelDir, context, heldOut, init: spec.init, threads }),
      trainOne(spec, { eventsPath, metaPath, modelDir: screenDir, context: 0, heldOut, init, threads, quiet: true }),
    ]);
  } else await trainOne(spec, { eventsPath, metaPath, modelDir, context, heldOut, init: spec.init });
  if (heldOut !== undefined) {
    // One pass fits both models' fusions (a screen's too): the events read and the memory built once, one memory file.
    const source: EventSource = spec.memory?.source ?? (() => spec.read(newReadStats()));
    const limit = spec.memory?.events ?? writer.rows;
    const fit = await fitFusion(modelDir, adapter, entityKey, source, limit, heldOut, spec.recall ?? DEFAULT_RECALL, spec.screen ? { also: [screenDir] } : {});
    process.stderr.write(`fusion: ${fit.heldOut} held-out events; mean -ln p per component: ${fit.components.map((c) => `${c.name} ${c.mean_minus_log_p.toFixed(3)}`).join(', ')}\n`);
  }
  if (spec.screen) await nameScreen(modelDir, spec.screen.threshold);
  return { bundlePath: join(modelDir, 'bundle.json'), events: writer.rows };
}

interface TrainerRun {
  eventsPath: string;
  metaPath: string;
  modelDir: string;
  context: number;
  heldOut: (HeldOutRule & { since?: number }) | undefined;
  init: string | undefined;
  /** The trainer's torch threads (train.py's default otherwise). */
  threads?: number;
  /** Epoch lines only, no progress bar (a second trainer running beside the first). */
  quiet?: boolean;
}

/** models/train.py on the events TSV into one model folder. */
async function trainOne(spec: SequenceTrainSpec, run: TrainerRun): Promise<void> {
  const { kind } = spec;
  const py = ['--events', run.eventsPath, '--kind', kind.kind, '--out', run.modelDir, '--seed', String(spec.seed), '--min-count', String(spec.minCount), '--meta', run.metaPath];
  if (spec.epochs !== undefined) py.push('--epochs', String(spec.epochs));
  py.push(...capacityArgs(spec.capacity));
  py.push('--context', String(run.context));
  if (!spec.hourToken) py.push('--no-hour-token');
  if (run.init !== undefined) py.push('--init', run.init);
  if (run.init !== undefined && spec.initLrScale !== undefined) py.push('--init-lr-scale', String(spec.initLrScale));
  if (spec.version !== undefined) py.push('--version', spec.version);
  if (run.threads !== undefined) py.push('--threads', String(run.threads));
  const { heldOut } = run;
  if (heldOut !== undefined) py.push(`--held-out=${heldOut.origin},${heldOut.block},${heldOut.every}`); // `=`: a negative origin is no option

  const bar = progress(`training ${kind.kind}${run.context === 0 && spec.screen ? ' (screen, no context)' : ''}`);
  await runPython('train.py', py, (m) => {
    if (m.type === 'step' && !run.quiet) bar.update(Number(m.step), Number(m.steps), `epoch ${String(m.epoch)}`);
    if (m.type === 'epoch') {
      bar.finish(`epoch ${String(m.epoch)}/${String(m.epochs)}: train loss ${Number(m.train_loss).toFixed(4)}, held-out loss ${Number(m.val_loss).toFixed(4)} (${Number(m.seconds).toFixed(1)} s)`);
    }
  });
}

/** Makes the bundle in modelDir a cascade over its SCREEN_DIR: bundle.json names the screen last, atomically. */
async function nameScreen(modelDir: string, threshold: number): Promise<void> {
  const path = join(modelDir, 'bundle.json');
  const bundle = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  const screenManifest = await readFile(join(modelDir, SCREEN_DIR, 'bundle.json'));
  bundle.screen = { dir: SCREEN_DIR, threshold, bundle_sha256: createHash('sha256').update(screenManifest).digest('hex') };
  await writeFile(`${path}.tmp`, JSON.stringify(bundle, null, 1) + '\n');
  await rename(`${path}.tmp`, path);
}
