// One entity kind's notable windows, computed from what OpenSearch counted: anomalous events grouped into
// (entity, window) cells, each entity's windows chained in time order into a risk that decays with a half-life, and
// the notable rule (anomalous in several windows within a stretch). Pure: the reads and writes are elsewhere.
import { createHash } from 'node:crypto';
import type { AggregateOptions, AggregateStats } from './aggregate-options.js';
import { suppressing } from './suppressions.js';

/** Anomalous events kept per window document, highest score first. */
const TOP_EVENTS = 3;

/** What the chain needs of the run's options. */
export type ChainRule = Pick<AggregateOptions, 'windowMs' | 'halfLifeMs' | 'notableWindows' | 'stretchMs' | 'suppressions'>;

export interface Bucket {
  value: string;
  /** The first of the kind's fields (in their order) that held the entity in the window's events. */
  field: string;
  start: number;
  events: number;
  anomalous: number;
  maxScore: number;
  meanScore: number;
  scoreSum: number;
}

export interface TopEvent {
  index: string;
  id: string;
  score: number;
  reason?: string;
  fields: { name: string; value: string }[];
}

/** A window of one entity with anomalous events, and the top ones. */
export interface AnomalousWindow {
  value: string;
  start: number;
  /** The field that held the entity in the window's highest-scored anomalous event. */
  field: string;
  top: TopEvent[];
}

function windowKey(value: string, start: number): string {
  return `${value}\u0000${start}`;
}

/**
 * An anomalous event of the range: its time, its value of each entity kind and the field that held it, what the window
 * document shows of it.
 */
export interface AnomalousEvent {
  time: number;
  values: Record<string, { value: string; field: string }>;
  event: TopEvent;
}

/** The previous window document of an entity: where its risk and its recent anomalous windows continue from. */
export interface Prior {
  start: number;
  risk: number;
  recent: number[];
}

export interface NotableDoc {
  entity: { kind: string; field: string; value: string };
  /** The index pattern whose events the window counts: patterns that share an entity keep their own windows. */
  source_index: string;
  window: { start: string; end: string; minutes: number };
  events: number;
  anomalous: number;
  max_score: number;
  mean_score: number;
  risk: number;
  notable: boolean;
  anomalous_windows: number;
  recent_anomalous: string[];
  /** The suppression that holds this anomalous window: it is not notable, and the alert monitors leave it out. */
  suppressed_by?: string;
  top_events: { index: string; id: string; score: number; reason?: string }[];
  explain: { field: string; value: string; events: number }[];
  fingerprint: string;
  updated_at: string;
}

/** The window document's id: the same pattern, entity and window always land on the same document. */
export function notableId(pattern: string, kind: string, value: string, startMs: number): string {
  return createHash('sha256').update(`${pattern}\u0000${kind}\u0000${value}\u0000${startMs}`).digest('base64url').slice(0, 32);
}

/**
 * The id the same window had before notables carried their pattern (no `source_index`): a rerun over their range
 * replaces such a document by the pattern's own, so an upgrade leaves no window counted twice.
 */
export function legacyNotableId(kind: string, value: string, startMs: number): string {
  return createHash('sha256').update(`${kind}\u0000${value}\u0000${startMs}`).digest('base64url').slice(0, 32);
}

/**
 * Risk after a window: the previous risk decayed over the time since the previous window (half-life), plus this
 * window's anomalous score mass (the sum of its anomalous events' scores).
 */
export function nextRisk(prior: Prior | undefined, start: number, scoreSum: number, halfLifeMs: number): number {
  const carried = prior ? prior.risk * 0.5 ** ((start - prior.start) / halfLifeMs) : 0;
  return carried + scoreSum;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/**
 * The windows of one entity kind that hold anomalous events, in (entity, time) order, each with its top anomalous
 * events (they come highest score first).
 */
export function groupWindows(kind: string, anomalous: readonly AnomalousEvent[], windowMs: number): Map<string, AnomalousWindow> {
  const windows = new Map<string, AnomalousWindow>();
  for (const a of anomalous) {
    const held = a.values[kind];
    if (held === undefined) continue;
    const { value, field } = held;
    const start = Math.floor(a.time / windowMs) * windowMs;
    const key = windowKey(value, start);
    const w = windows.get(key) ?? { value, start, field, top: [] };
    if (w.top.length < TOP_EVENTS) w.top.push(a.event);
    windows.set(key, w);
  }
  return new Map([...windows].sort(([, x], [, y]) => (x.value < y.value ? -1 : x.value > y.value ? 1 : x.start - y.start)));
}

/**
 * Chains each entity's windows in time order: risk, recent anomalous windows, notable. The documents name the field
 * that held the entity in the window's top anomalous event, or the first field of the bucket's (`Bucket.field`).
 */
export function chainWindows(pattern: string, kind: string, buckets: readonly Bucket[], priors: ReadonlyMap<string, Prior>, windows: ReadonlyMap<string, AnomalousWindow>, options: ChainRule, stats: AggregateStats): { id: string; doc: NotableDoc }[] {
  const { windowMs, halfLifeMs, notableWindows, stretchMs, suppressions } = options;
  // Composite order is (entity, window): each entity's windows come together and in time order.
  const docs: { id: string; doc: NotableDoc }[] = [];
  let prior: Prior | undefined;
  let current = '';
  for (const b of buckets) {
    if (b.value !== current) {
      current = b.value;
      prior = priors.get(b.value);
    }
    const window = windows.get(windowKey(b.value, b.start));
    const top = window?.top ?? [];
    const risk = nextRisk(prior, b.start, b.scoreSum, halfLifeMs);
    const recent = (prior?.recent ?? []).filter((t) => t > b.start - stretchMs);
    if (b.anomalous > 0) recent.push(b.start);
    const leading = top.flatMap((e) => (e.fields[0] ? [{ field: e.fields[0].name, value: e.fields[0].value }] : []));
    const wouldBe = b.anomalous > 0 && recent.length >= notableWindows;
    // Named on every anomalous window a suppression holds, not only the would-be notable ones: the alert monitors
    // (pipelines/monitors) leave windows with suppressed_by out.
    const held = b.anomalous > 0 ? suppressing(suppressions, kind, b.value, leading) : undefined;
    const notable = wouldBe && !held;
    const doc: Omit<NotableDoc, 'fingerprint' | 'updated_at'> = {
      entity: { kind, field: window?.field ?? b.field, value: b.value },
      source_index: pattern,
      window: { start: new Date(b.start).toISOString(), end: new Date(b.start + windowMs).toISOString(), minutes: Math.round(windowMs / 60_000) },
      events: b.events,
      anomalous: b.anomalous,
      max_score: round(b.maxScore),
      mean_score: round(b.meanScore),
      risk: round(risk),
      notable,
      anomalous_windows: recent.length,
      recent_anomalous: recent.map((t) => new Date(t).toISOString()),
      ...(held ? { suppressed_by: held.id } : {}),
      top_events: top.map(({ index, id, score, reason }) => ({ index, id, score: round(score), ...(reason ? { reason } : {}) })),
      explain: explain(top),
    };
    const fingerprint = createHash('sha256').update(JSON.stringify(doc)).digest('base64url');
    docs.push({ id: notableId(pattern, kind, b.value, b.start), doc: { ...doc, fingerprint, updated_at: new Date().toISOString() } });
    prior = { start: b.start, risk, recent };
    stats.windows += 1;
    stats.events += b.events;
    if (notable) stats.notable += 1;
  }
  return docs;
}

/** The field values that explain the window's top anomalous events: each event's leading field, counted. */
function explain(top: readonly TopEvent[]): NotableDoc['explain'] {
  const counts = new Map<string, { field: string; value: string; events: number }>();
  for (const e of top) {
    const f = e.fields[0];
    if (!f) continue;
    const key = `${f.name}\u0000${f.value}`;
    const c = counts.get(key) ?? { field: f.name, value: f.value, events: 0 };
    c.events += 1;
    counts.set(key, c);
  }
  return [...counts.values()].sort((a, b) => b.events - a.events || a.field.localeCompare(b.field));
}
