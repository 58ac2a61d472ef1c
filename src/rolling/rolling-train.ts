// Rolling retraining (`seqsentry train --rolling --window 1d`): the events cut into time windows; the model of
// window w starts from the weights of window w-1 (models/warm_start.py) and trains on w alone, its memory and
// fusion are refitted on every window up to w, and it scores window w+1, the traffic it would have served. Each
// window gets its own bundle directory and version; the registry in `.seqsentry-state` lists them.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { removeOnSignal } from '../util/remove-on-signal.js';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Adapter } from '../adapters/adapter.js';
import { newReadStats, type ReadItem, type ReadStats } from '../adapters/read.js';
import type { CanonicalEvent } from '../core/event.js';
import { UsageError } from '../core/errors.js';
import type { ModelKind } from '../model/kinds.js';
import type { EventSource } from '../train/fit-fusion.js';
import type { Capacity } from '../train/capacity.js';
import { trainSequenceModel } from '../train/sequence-train.js';
import type { ModelVersion, ModelVersionStore } from './model-versions.js';
import { scoreWindow, type WindowScore } from './score-window.js';
import { splitWindows, windowIso, type TimeWindow } from './windows.js';

/** Fewer events than this in a window and it trains nothing: the previous version stays the current one. */
export const MIN_WINDOW_EVENTS = 200;
/**
 * A warm-started window trains at this share of the trainer's peak learning rate: at the full rate, one day's
 * training pulled the model far enough from what earlier days taught that on bench/rolling.mjs seed 2 the next day's
 * AUC fell 0.0021 below a model trained on all preceding days (AP 0.32 against 0.75); at 0.3 the same runs gave
 * -0.0016 (seed 2) and +0.0013 (seed 1) on the last labelled day. Chosen on those two seeds only.
 */
export const WARM_LR_SCALE = 0.3;

export interface RollingSpec {
  kind: ModelKind;
  adapter: Adapter;
  adapterOptions: Record<string, unknown>;
  entityKey: string;
  /** Each window's bundle goes to modelDir/<version>. */
  modelDir: string;
  read: (stats: ReadStats) => AsyncIterable<ReadItem>;
  what: string;
  /** Window length, seconds. */
  window: number;
  seed: number;
  minCount: number;
  hourToken: boolean;
  fusion: boolean;
  epochs?: number;
  /** Steps per epoch, width and layers of the first window's model; a warm start keeps its predecessor's shape. */
  capacity?: Capacity;
  context?: number;
  recall?: number;
  /** Each window's bundle a cascade with a screen at this threshold (SequenceTrainSpec.screen). */
  screen?: { threshold: number };
  /** Labelled anomalies, to report AUC and AP of each version on the window after its own. */
  isAnomaly?: (event: CanonicalEvent) => boolean;
  registry?: ModelVersionStore;
  /** Distinguishes this run's versions from another run's (default: the start time, YYYYMMDDTHHMMSSZ). */
  runId?: string;
}

export interface WindowReport {
  window: { index: number; start: string; end: string; events: number };
  /** Absent when the window held too few events to train on. */
  version?: ModelVersion;
  skipped?: string;
  /** How this version did on the next window. */
  next?: WindowScore;
}

/** An in-memory slice of events as the trainer's reader. */
export function readList(list: readonly CanonicalEvent[]): (stats: ReadStats) => AsyncIterable<ReadItem> {
  return async function* (stats: ReadStats) {
    for (const event of list) {
      stats.records += 1;
      stats.events += 1;
      yield { event };
    }
  };
}

const compact = (iso: string) => iso.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

/** Trains one bundle per window; returns a report per window, in time order. */
export async function trainRolling(spec: RollingSpec): Promise<WindowReport[]> {
  if (!spec.kind.onnx) throw new UsageError(`--rolling: ${spec.kind.kind} has no weights to carry forward (rolling retraining is for the PyTorch kinds)`);
  const all: CanonicalEvent[] = [];
  for await (const item of spec.read(newReadStats())) if (item.event) all.push(item.event);
  // Stable by time: events of one window stay in input order, and "every window up to w" is a prefix.
  all.sort((a, b) => a.time - b.time);
  const windows = splitWindows(all, spec.window);
  const runId = spec.runId ?? compact(new Date().toISOString());
  const modelDir = resolve(spec.modelDir);
  await mkdir(modelDir, { recursive: true });
  const reports: WindowReport[] = [];
  let previous: { version: ModelVersion; dir: string; window: TimeWindow; report: WindowReport } | undefined;
  let prefixEnd = 0;
  for (const w of windows) {
    while (prefixEnd < all.length && (all[prefixEnd] as CanonicalEvent).time < w.end) prefixEnd += 1;
    const report: WindowReport = { window: { index: w.index, start: windowIso(w.start), end: windowIso(w.end), events: w.events.length } };
    reports.push(report);
    if (previous && w.events.length > 0) {
      // the previous version serves this window: score it, then record the version with what it did here
      const prev = previous;
      const next = await scoreWindow(prev.dir, prev.window.events, w.events, spec.isAnomaly);
      prev.report.next = next;
      prev.version.event_counts.scored = next.events;
      prev.version.event_counts.positives = next.positives;
      prev.version.metrics.auc = next.auc;
      prev.version.metrics.ap = next.ap;
      await spec.registry?.record(prev.version);
    }
    if (w.events.length < MIN_WINDOW_EVENTS) {
      report.skipped = `${w.events.length} events, fewer than ${MIN_WINDOW_EVENTS}: the previous version stays current`;
      // an empty window passes: the version before it goes on to score the window after it
      if (previous) previous = { ...previous, window: { ...previous.window, events: [...previous.window.events, ...w.events] } };
      continue;
    }
    const version = `${runId}-${compact(windowIso(w.start))}`;
    const dir = join(modelDir, version);
    // built beside its place and renamed in when complete: a stopped run leaves no version a watch could switch to
    const stage = `${dir}.partial-${process.pid}`;
    await rm(stage, { recursive: true, force: true });
    const keepStage = removeOnSignal(stage);
    const memory = all.slice(0, prefixEnd);
    const readMemory = readList(memory);
    const work = await mkdtemp(join(tmpdir(), 'seqsentry-rolling-'));
    const keepWork = removeOnSignal(work);
    const t0 = performance.now();
    try {
      await trainSequenceModel({
        kind: spec.kind, adapter: spec.adapter, adapterOptions: spec.adapterOptions, entityKey: spec.entityKey, modelDir: stage, work,
        read: readList(w.events), what: `${spec.what}, window ${report.window.start}`, seed: spec.seed, minCount: spec.minCount, hourToken: spec.hourToken,
        fusion: spec.fusion, memory: { source: (() => readMemory(newReadStats())) satisfies EventSource, events: memory.length, heldOutSince: w.start },
        ...(spec.epochs !== undefined ? { epochs: spec.epochs } : {}), ...(spec.context !== undefined ? { context: spec.context } : {}),
        ...(spec.capacity ? { capacity: spec.capacity } : {}),
        ...(spec.recall !== undefined ? { recall: spec.recall } : {}), ...(spec.screen ? { screen: spec.screen } : {}), ...(previous ? { init: join(previous.dir, 'ckpt.pt'), initLrScale: WARM_LR_SCALE } : {}), version,
      });
      await rm(dir, { recursive: true, force: true });
      await rename(stage, dir);
    } catch (err) {
      await rm(stage, { recursive: true, force: true });
      throw err;
    } finally {
      await rm(work, { recursive: true, force: true });
      keepWork();
      keepStage();
    }
    const seconds = (performance.now() - t0) / 1000;
    const bundleText = await readFile(join(dir, 'bundle.json'), 'utf8');
    const bundle = JSON.parse(bundleText) as { name: string; kind: string; created_at: string; training: { events: number; best_val_loss: number; initial_val_loss: number } };
    report.version = {
      name: bundle.name, version, kind: bundle.kind, path: dir, sha256: createHash('sha256').update(bundleText).digest('hex'), created_at: bundle.created_at,
      window_start: report.window.start, window_end: report.window.end, ...(previous ? { previous_version: previous.version.version } : {}),
      event_counts: { train: w.events.length, memory: memory.length, scored: 0, positives: null },
      metrics: { held_out_loss: bundle.training.best_val_loss, initial_loss: bundle.training.initial_val_loss, train_seconds: Math.round(seconds * 10) / 10, auc: null, ap: null },
    };
    previous = { version: report.version, dir, window: w, report };
  }
  // the latest version has no next window yet: recorded with what it was trained on
  if (previous) await spec.registry?.record(previous.version);
  return reports;
}
