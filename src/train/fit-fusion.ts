// The fusion step of `seqsentry train`: after the sequence model is trained on the training period, fit the
// per-entity memory on that period, score the held-out period (the latest events, never seen by the model)
// and turn each component's statistic into a tail probability, then calibrate the fused score. Everything
// fitted here is fitted on held-out normal events; labels are never read.
import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Adapter } from '../adapters/adapter.js';
import type { ReadItem } from '../adapters/read.js';
import type { CanonicalEvent } from '../core/event.js';
import { SeqSentryError } from '../core/errors.js';
import { EntityMemory } from '../memory/entity-memory.js';
import { HABIT_MIN_AGE, NEW_MEMBER_HABIT_MIN_AGE, type MemorySpec } from '../memory/memory-spec.js';
import { eventStatistics, SEQUENCE_COMPONENT, type FusionData } from '../memory/fusion.js';
import { entityValue, memberValue, resolvePairs } from '../memory/pairs.js';
import { PlaceTrail } from '../memory/travel.js';
import { fitTail, TailTable } from '../memory/tail.js';
import { fitCalibration } from '../scorer/calibrate.js';
import { FUSION_STATISTICS } from '../scorer/raw-score.js';
import { MODEL_KINDS, type ModelKind } from '../model/kinds.js';
import { canonicalOrder } from '../scorer/order.js';
import { Scorer } from '../scorer/scorer.js';
import { progress } from '../util/progress.js';
import { isHeldOut, type HeldOutRule } from './held-out.js';

export const MEMORY_FILE = 'memory.json';
const BATCH = 1024;
/**
 * Recent events of the entity that the memory's statistics count beyond the training memory, by default. Prototyped
 * on enterprise m01 of the detection matrix, AP went 0.30 (no recall), 0.40 (8), 0.45 (16), 0.48 (32), 0.50 (64);
 * each is one history row per entity more.
 */
export const DEFAULT_RECALL = 32;

/** A source that can be read more than once, in the same order each time. */
export type EventSource = () => AsyncIterable<ReadItem>;


async function* events(source: EventSource, limit: number): AsyncGenerator<CanonicalEvent> {
  let n = 0;
  for await (const item of source()) {
    if (!item.event) continue;
    if (n++ >= limit) return;
    yield item.event;
  }
}

/** The q-quantile of the values, linearly interpolated between order statistics (numpy's default). */
function quantile(values: Float64Array, q: number): number {
  const x = Float64Array.from(values).sort();
  const pos = q * (x.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(x.length - 1, lo + 1);
  return (x[lo] as number) + (pos - lo) * ((x[hi] as number) - (x[lo] as number));
}

export interface FusionFit {
  heldOut: number;
  components: { name: string; mean_minus_log_p: number }[];
}

/** What a kind whose units are not adapter records (zeek-seq) fuses instead of the adapter's pairs. */
export interface FusionOptions {
  /** The memory's pairs and hour entity (default: the adapter's pairs, the context entity's hour habit). */
  spec?: MemorySpec;
  /**
   * Per-event statistics the kind's featurizer computes (`event.numeric`), fused as components after the memory's.
   * The source's held-out events must carry them as they would be without their own training record counted.
   */
  statistics?: string[];
  /**
   * Judge the held-out events against the memory of the training events only (their blocks left out whole, as the
   * model left them out), not against the whole memory with each event alone left out. A connection's destination
   * recurs within the hour (a page's requests, a beacon), so leaving one connection out leaves its burst in; the
   * connections of a day after training meet a memory that holds none of their day.
   */
  blocksOut?: boolean;
  /**
   * More bundles trained on the same events with the same tokenizer (a cascade's screen), fitted in the same pass: each
   * its own sequence tail and calibration, the memory's tails and the memory file shared (named relative to each).
   */
  also?: string[];
}

/**
 * The memory a format's events fuse by default: the adapter's pairs, and the context entity's hour habit (this user at
 * 3 a.m., or this host at 3 a.m.; none for an entity that never recurs, a connection's uid), split by the adapter's
 * hourHabitField when the pair entity+field is among the pairs (a web login's user per OS; with `--entity src_host`
 * there is no such pair and the host keeps one habit). With `recalls` (a bundle whose scorer recalls the entity's recent
 * events), the adapter's travel field adds the travel component the same way (`user+country`), which measures its gap
 * over recalled events and so has none to measure without recall.
 */
export function defaultMemorySpec(adapter: Adapter, entityKey: string, recalls = true): MemorySpec {
  const pairs = resolvePairs(adapter).used;
  if (adapter.transientEntities?.includes(entityKey)) return { pairs, hour_entity: null };
  const split = adapter.hourHabitField === undefined ? undefined : `${entityKey}+${adapter.hourHabitField}`;
  const moves = adapter.travel === undefined || !recalls ? undefined : `${entityKey}+${adapter.travel.field}`;
  const outcome = adapter.travel?.outcome;
  const outcomeIndex = outcome ? adapter.fieldNames.indexOf(outcome.field) : -1;
  if (outcome && outcomeIndex < 0) throw new SeqSentryError(`adapter ${adapter.name}: travel.outcome.field "${outcome.field}" is not one of its fields (${adapter.fieldNames.join(', ')})`);
  return {
    pairs,
    hour_entity: entityKey,
    ...(pairs.some((p) => p.name === split) ? { hour_pair: split as string } : {}),
    ...(adapter.travel && pairs.some((p) => p.name === moves)
      ? { travel_pair: moves as string, travel_within: adapter.travel.within, ...(outcome ? { travel_outcome: { field: outcome.field, index: outcomeIndex, success: outcome.success } } : {}) }
      : {}),
  };
}

/** The events `keep` takes, in time order (input order within a time): held in memory to sort them. */
async function* inTimeOrder(source: AsyncIterable<CanonicalEvent>, keep: (e: CanonicalEvent) => boolean): AsyncGenerator<CanonicalEvent> {
  const all: CanonicalEvent[] = [];
  for await (const e of source) if (keep(e)) all.push(e);
  const order = all.map((_, i) => i).sort((a, b) => (all[a] as CanonicalEvent).time - (all[b] as CanonicalEvent).time || a - b);
  for (const i of order) yield all[i] as CanonicalEvent;
}

/**
 * Adds memory.json and the fusion to the bundle in modelDir (bundle.json is rewritten last, atomically).
 * `limit` is the number of readable events the model was trained from (the first ones of the source).
 */
export async function fitFusion(modelDir: string, adapter: Adapter, entityKey: string, source: EventSource, limit: number, heldOut: HeldOutRule, recall = DEFAULT_RECALL, options: FusionOptions = {}): Promise<FusionFit> {
  const spec: MemorySpec = options.spec ?? defaultMemorySpec(adapter, entityKey, recall > 0);
  const statistics = options.statistics ?? [];
  const dirs = [modelDir, ...(options.also ?? [])];
  const scorers: Scorer[] = [];
  try {
    for (const dir of dirs) scorers.push(await Scorer.load(dir));
    const scorer = scorers[0] as Scorer;
    const fusionStatistic = FUSION_STATISTICS[(MODEL_KINDS[scorer.bundle.kind] as ModelKind).rawScore];
    const memory = new EntityMemory(spec);
    const later = new EntityMemory(spec);
    const names = [SEQUENCE_COMPONENT, ...memory.componentNames, ...statistics];
    const K = names.length;
    const rows: Float64Array[] = [];
    // Each further bundle's sequence statistic per held-out event (rows[i][0] is the first bundle's).
    const sequences: number[][] = dirs.slice(1).map(() => []);
    const statistic = (r: { fields: { surprisal: number }[] }) => fusionStatistic(Float64Array.from(r.fields, (f) => f.surprisal), 0, r.fields.length);
    // The travel component's gap per held-out event, over its entity's previous `recall` events (training and held-out,
    // in time order, as the loop below meets them): the events a scored one recalls.
    const travel = memory.travelSpec;
    const trail = travel ? new PlaceTrail(recall) : null;
    const gaps: (number | null)[] = [];
    const walk = (e: CanonicalEvent, held: boolean) => {
      if (!trail || !travel) return;
      const entity = entityValue(e, spec.hour_entity as string);
      const place = memberValue(e, travel.members[1]);
      if (held) gaps.push(trail.gap(entity, place, e.time));
      trail.add(entity, place, e.time, memory.wasThere(e));
    };

    // The held-out events, in canonical order, as a stream of them would be, whatever order the files were given in.
    const read: CanonicalEvent[] = [];
    // Whether the training events come in time order (the loop below remembers them as they come): files given out
    // of order, or lines shuffled, are sorted first, so the fit does not depend on the order of the input.
    let inOrder = true;
    let latest = Number.NEGATIVE_INFINITY;
    for await (const event of events(source, limit)) {
      if (isHeldOut(heldOut, event.time)) read.push(event);
      else if (event.time < latest) inOrder = false;
      else latest = event.time;
    }
    const order = canonicalOrder(read.map((e) => e.time), read.map((e) => scorer.encode(e)), read.map((e) => scorer.historyKey(e)));
    const held = order.map((i) => read[i] as CanonicalEvent);
    read.length = 0;

    // The sequence statistic of each held-out event comes from the model, which never saw it, with the context a
    // scored event has: the entity's previous events, training and held-out alike. Training events are remembered
    // as they come (files in time order), the held-out ones before each are scored first.
    let next = 0;
    const scoring = progress('fusion: training and held-out events');
    const scoreUntil = async (time: number) => {
      while (next < held.length && (held[next] as CanonicalEvent).time < time) {
        let end = next;
        while (end < held.length && end - next < BATCH && (held[end] as CanonicalEvent).time < time) end += 1;
        const batch = held.slice(next, end);
        // The bundles score the batch at once, each on its own ONNX worker and with its own history.
        const scored = await Promise.all(scorers.map((s) => s.score(batch)));
        for (const [d, results] of scored.entries()) {
          if (d === 0) {
            results.forEach((r) => {
              const row = new Float64Array(K);
              row[0] = statistic(r);
              rows.push(row);
            });
          } else for (const r of results) (sequences[d - 1] as number[]).push(statistic(r));
        }
        for (const e of batch) {
          later.add(e);
          walk(e, true);
        }
        next = end;
      }
    };
    let warmed = 0;
    for await (const event of inOrder ? events(source, limit) : inTimeOrder(events(source, limit), (e) => !isHeldOut(heldOut, e.time))) {
      if (isHeldOut(heldOut, event.time)) continue;
      await scoreUntil(event.time);
      memory.add(event);
      walk(event, false);
      for (const s of scorers) s.remember([event]);
      if (++warmed % 10_000 === 0) scoring.update(warmed + rows.length);
    }
    await scoreUntil(Infinity);
    scoring.finish(`${warmed} training events in memory, ${rows.length} held-out events scored`);
    if (rows.length < 10) throw new SeqSentryError(`only ${rows.length} held-out events: too few to fit the fusion`);
    // The memory's statistics come from the whole memory with the event itself left out: every event scored later
    // meets that whole memory, and a memory of only the events before it would see more new pairs than it.
    // (With blocksOut, against the training events' memory alone; the bundle keeps the whole memory either way.)
    if (!options.blocksOut) memory.merge(later);
    held.forEach((e, i) => {
      memory.statistics(e, rows[i] as Float64Array, 1, !options.blocksOut, undefined, undefined, gaps[i] ?? null);
      eventStatistics(e, statistics, rows[i] as Float64Array, 1 + memory.componentNames.length);
    });
    if (options.blocksOut) memory.merge(later);

    const memoryBytes = Buffer.from(JSON.stringify(memory.toFile()));
    const memoryPath = join(modelDir, MEMORY_FILE);
    await writeFile(memoryPath, memoryBytes);
    // The hour habit's tail is bounded (tailFloor: ln n beyond its largest held-out value). Held-out events are judged
    // with their own sitting in the memory, so none meets an hour its entity never worked, while a scored benign
    // evening session's first hour does; beyond the held-out values the statistic then grows with how busy the entity
    // is (its profile's weight against the pseudo-events of everyone's hours), not with how unusual the event is, and
    // the unbounded exponential tail gave such a logon 25-37 nats, more than the pairs, novelty and sequence of most
    // attacks together. Measured on the detection matrix's 18 LANL runs: mean AP 0.407 -> 0.441, above the rule's in
    // 18 runs instead of 16 (docs/benchmarks.md). The other components' tails stay unbounded: bounding them too
    // lowered the web-login runs' TPR at 0.1% FPR (0.897 -> 0.877, re-ranked from the 12 web-login runs' dumps) for no
    // gain on LANL.
    // The travel component's tail is bounded too: held-out events from a place new to their entity soon after one from
    // elsewhere are few or none (a trip's own logins make its country known, left out one at a time), so beyond them
    // its tail rests on no data at all.
    const bounded = (name: string) => name === memory.hourComponent || name === memory.travelComponent;
    const columns = names.map((_, c) => Float64Array.from(rows, (r) => r[c] as number));
    const tails = names.map((name, c) => fitTail(columns[c] as Float64Array, bounded(name)));
    const shared: SharedFit = { names, columns, tails, memoryPath, memorySha256: createHash('sha256').update(memoryBytes).digest('hex'), memory, heldOut, recall, adapter, statistics };
    const fit = await writeBundleFusion(modelDir, shared, null);
    for (const [d, dir] of dirs.slice(1).entries()) {
      const sequence = Float64Array.from(sequences[d] as number[]);
      await writeBundleFusion(dir, shared, { column: sequence, tail: fitTail(sequence, bounded(SEQUENCE_COMPONENT)) });
    }
    return fit;
  } finally {
    await Promise.all(scorers.map((s) => s.close()));
  }
}

/** What the bundles of one fusion fit share: the components, the held-out events' statistics and tails, the memory. */
interface SharedFit {
  names: string[];
  /** Per component, its statistic of each held-out event (the first: the first bundle's sequence statistic). */
  columns: Float64Array[];
  /** Per component, its tail fitted on those (the first: the first bundle's). */
  tails: ReturnType<typeof fitTail>[];
  memoryPath: string;
  memorySha256: string;
  memory: EntityMemory;
  heldOut: HeldOutRule;
  recall: number;
  adapter: Adapter;
  statistics: string[];
}

/**
 * Fits the calibration of one bundle from the held-out statistics and writes its fusion into its bundle.json
 * (rewritten atomically). `sequence`: this bundle's sequence statistic per held-out event and its tail, when they are
 * not the first bundle's.
 */
async function writeBundleFusion(dir: string, fit: SharedFit, sequence: { column: Float64Array; tail: ReturnType<typeof fitTail> } | null): Promise<FusionFit> {
  const { names, memory, heldOut, recall, adapter, statistics } = fit;
  const columns = sequence ? [sequence.column, ...fit.columns.slice(1)] : fit.columns;
  const tails = sequence ? [sequence.tail, ...fit.tails.slice(1)] : fit.tails;
  const n = (columns[0] as Float64Array).length;
  const tables = tails.map((t) => new TailTable(t));
  const fused = Float64Array.from({ length: n }, (_, i) => tables.reduce((s, t, c) => s - t.logP((columns[c] as Float64Array)[i] as number), 0));
  const components = names.map((name, c) => ({ name, mean_minus_log_p: (columns[c] as Float64Array).reduce((s, v) => s - (tables[c] as TailTable).logP(v), 0) / n }));

  const fusion: FusionData = {
    components: names.map((name, c) => ({ name, tail: tails[c] as FusionData['components'][number]['tail'] })),
    memory_file: relative(dir, fit.memoryPath),
    memory_sha256: fit.memorySha256,
    recall,
    ...(recall > 0 && adapter.recallMinAge ? { recall_min_age: adapter.recallMinAge } : {}),
    ...(recall > 0 ? { habit_recall_min_age: HABIT_MIN_AGE, new_member_habit_min_age: NEW_MEMBER_HABIT_MIN_AGE } : {}),
    ...(statistics.length ? { statistics } : {}),
  };
  const bundlePath = join(dir, 'bundle.json');
  const bundle = JSON.parse(await readFile(bundlePath, 'utf8')) as Record<string, unknown>;
  const metrics = (bundle.metrics ?? {}) as Record<string, unknown>;
  // An acceptance-rate threshold (1 - R on the anomaly_score scale) stays; the raw value it stands for is now the
  // fused score's (1 - R) quantile among these held-out events.
  const acceptance = metrics.acceptance as { rate: number } | undefined;
  if (acceptance) metrics.acceptance = { ...acceptance, raw_threshold: quantile(fused, 1 - acceptance.rate), held_out: n };
  Object.assign(bundle, {
    fusion,
    calibration: fitCalibration(fused),
    metrics: { ...metrics, sequence_calibration: bundle.calibration, fusion: { held_out: heldOut, held_out_events: n, memory_events: memory.events, memory_truncated: memory.truncated, components } },
  });
  await writeFile(`${bundlePath}.tmp`, JSON.stringify(bundle, null, 1) + '\n');
  await rename(`${bundlePath}.tmp`, bundlePath);
  return { heldOut: n, components };
}
