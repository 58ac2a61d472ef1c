// `seqsentry train --rolling` as a library call: the train command's arguments plus the window, labels and
// registry, checked the way a single training run checks them, then trainRolling (rolling-train.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adapterLearns, createAdapter } from '../adapters/registry.js';
import type { TrainArgs } from '../commands/train.js';
import type { CanonicalEvent } from '../core/event.js';
import { UsageError } from '../core/errors.js';
import { DEFAULT_BACKOFF } from '../enrich/retry.js';
import { eventLabelKey, readLabels } from '../eval/labels.js';
import { fusesWith, MODEL_KINDS } from '../model/kinds.js';
import { createOpenSearchClient } from '../opensearch/client.js';
import type { OpenSearchConfig } from '../opensearch/config.js';
import { openTrainingInput } from '../train/training-input.js';
import { screenThreshold } from '../train/sequence-train.js';
import { ModelVersionStore } from './model-versions.js';
import { trainRolling, type WindowReport } from './rolling-train.js';

export interface RollingOptions {
  /** Window length, seconds (windows.ts windowSeconds). */
  window: number;
  /** A label file (`time,<label entities>`), for AUC and AP of each version on the next window. */
  labels?: string;
  /** Where the registry is kept; none: the versions are only reported. */
  registry?: OpenSearchConfig;
  runId?: string;
}

export async function runRolling(args: TrainArgs, options: RollingOptions): Promise<WindowReport[]> {
  const kind = MODEL_KINDS[args.kind];
  if (!kind) throw new UsageError(`unknown --kind "${args.kind}" (known: ${Object.keys(MODEL_KINDS).join(', ')})`);
  if (args.maxEvents !== undefined) throw new UsageError('--max-events: rolling retraining takes every window; narrow the input instead');
  // Not carried from window to window yet: a featurized kind's record tokenizer, a format's learnt options (syslog's
  // templates), text tokenizers. Each would need its own growth rule, as the vocabulary has (models/warm_start.py).
  if (kind.featurizer !== null) throw new UsageError(`--rolling: not for ${kind.kind} yet (its record tokenizer is fitted once, on all the training files)`);
  if (adapterLearns(args.format)) throw new UsageError(`--rolling: not for --format ${args.format} yet (it learns its options, e.g. templates, from the training events)`);
  if (args.textTokens) throw new UsageError('--rolling: not with --text-tokens yet (the tokenizer is fitted once, on all the training texts)');
  const fusion = fusesWith(kind, args.fusion);
  const screen = screenThreshold(args, kind, fusion);
  const adapter = createAdapter(args.format, args.adapterOptions);
  const entityKey = args.entity ?? adapter.entityKey;
  if (!adapter.entityNames.includes(entityKey)) throw new UsageError(`--entity "${entityKey}": format ${adapter.name} has ${adapter.entityNames.join(', ')}`);
  let isAnomaly: ((e: CanonicalEvent) => boolean) | undefined;
  if (options.labels !== undefined) {
    const labels = await readLabels(options.labels, adapter.labelEntities);
    isAnomaly = (e) => {
      const key = eventLabelKey(labels, e.time, e.entities);
      return key !== undefined && labels.keys.has(key);
    };
  }
  const client = options.registry ? createOpenSearchClient(options.registry) : undefined;
  const registry = client ? new ModelVersionStore(client, DEFAULT_BACKOFF) : undefined;
  const work = await mkdtemp(join(tmpdir(), 'seqsentry-rolling-input-'));
  try {
    await registry?.ensureIndex();
    const { read, what } = await openTrainingInput(args.inputs, args.fromIndex, adapter, args.strict, work);
    return await trainRolling({
      kind, adapter, adapterOptions: args.adapterOptions ?? {}, entityKey, modelDir: args.modelDir, read, what, window: options.window,
      seed: args.seed, minCount: args.minCount, hourToken: args.hourToken, fusion, ...(screen !== undefined ? { screen: { threshold: screen } } : {}),
      ...(args.epochs !== undefined ? { epochs: args.epochs } : {}), ...(args.context !== undefined ? { context: args.context } : {}),
      ...(args.recall !== undefined ? { recall: args.recall } : {}), ...(isAnomaly ? { isAnomaly } : {}), ...(registry ? { registry } : {}),
      ...(args.capacity ? { capacity: args.capacity } : {}),
      ...(options.runId !== undefined ? { runId: options.runId } : {}),
    });
  } finally {
    await rm(work, { recursive: true, force: true });
    await client?.close();
  }
}

/** The command's summary: one line per window. */
export function formatReports(reports: readonly WindowReport[]): string {
  const f = (x: number | null | undefined) => (x === null || x === undefined ? '-' : x.toFixed(4));
  return reports.map((r) => {
    const when = `${r.window.start.slice(0, 16)}  ${String(r.window.events).padStart(7)} events`;
    if (!r.version) return `${when}  skipped: ${r.skipped ?? ''}`;
    const m = r.version.metrics;
    const next = r.next ? `; next window ${r.next.events} events, AUC ${f(r.next.auc)}, AP ${f(r.next.ap)}` : '';
    return `${when}  ${r.version.version}  held-out loss ${f(m.held_out_loss)} (from ${f(m.initial_loss)}), ${m.train_seconds.toFixed(1)} s${next}  ${r.version.path}`;
  }).join('\n') + '\n';
}
