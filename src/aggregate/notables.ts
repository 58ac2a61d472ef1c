// Entity notables (`seqsentry aggregate`): per entity (user, source host, destination host) and window, what its
// scored events add up to, written to seqsentry-entities. OpenSearch does the counting (a composite aggregation
// per entity kind); here each entity's windows are chained in time order into a risk score that decays with a
// half-life, and a window is notable when the entity was anomalous in several windows within a stretch of time, so
// one odd logon pages nobody. Ids are deterministic and a document is written only when it changed: a rerun over
// the same range writes nothing, a late event rewrites its window and the windows after it.
import { createHash } from 'node:crypto';
import type { Client } from '@opensearch-project/opensearch';
import { OpenSearchError } from '../core/errors.js';
import { call, ensureIndex } from '../enrich/os-call.js';
import type { BackoffPolicy } from '../enrich/retry.js';
import { suppressing, type Suppression } from './suppressions.js';
import { loadContent } from '../install/content.js';

export const ENTITIES_INDEX = 'seqsentry-entities';
/** The aggregation's defaults (`seqsentry aggregate`'s flags, the demo): window, risk half-life, notable rule. */
export const AGGREGATE_DEFAULTS = Object.freeze({ window: '15m', halfLife: '6h', notableWindows: 2, stretch: '2h' });
/** What each window's bucket counts: the score's statistics and its anomalous events' score mass. */
const WINDOW_STATS = Object.freeze({
  score: { stats: { field: 'anomaly_score' } },
  anomalous: { filter: { term: { 'anomaly.is_anomaly': true } }, aggs: { score_sum: { sum: { field: 'anomaly_score' } } } },
});
/** Composite buckets per page. */
const PAGE = 5000;
/** Hits per page when walking anomalous events and existing notables. */
const HITS_PAGE = 10_000;
/** Anomalous events kept per window document, highest score first. */
const TOP_EVENTS = 3;
/** Windows counted per request when only anomalous windows are written. */
const KEYS_CHUNK = 200;
/** Entities whose previous window is read per request. */
const PRIOR_CHUNK = 500;
/** Documents per bulk write. */
const WRITE_CHUNK = 2000;

export interface AggregateOptions {
  /** Index pattern of the scored events. */
  pattern: string;
  timeField: string;
  /** Entity kind → the keyword field that holds it in the events, e.g. user → user.name. */
  entities: Readonly<Record<string, string>>;
  /** Range [since, until) in epoch ms; since is floored to a window boundary. */
  sinceMs: number;
  untilMs: number;
  windowMs: number;
  halfLifeMs: number;
  /** A window is notable when the entity had anomalous events in at least this many windows within `stretchMs`. */
  notableWindows: number;
  stretchMs: number;
  /**
   * Write every window with events, not only those with anomalous events. Off by default: risk changes only in
   * anomalous windows (in between it only decays, which a reader computes from the last document), and a document
   * per entity and quiet window costs about one document per scored event.
   */
  allWindows: boolean;
  /** Active analysts' suppressions: a window they hold back is not notable. */
  suppressions: readonly Suppression[];
  backoff: BackoffPolicy;
}

export interface AggregateStats {
  windows: number;
  created: number;
  updated: number;
  unchanged: number;
  notable: number;
  events: number;
  /** Seconds spent counting (OpenSearch aggregations), reading top events, comparing with what is stored, writing. */
  seconds: { count: number; top: number; compare: number; write: number };
}

interface Bucket {
  value: string;
  start: number;
  events: number;
  anomalous: number;
  maxScore: number;
  meanScore: number;
  scoreSum: number;
}

interface TopEvent {
  index: string;
  id: string;
  score: number;
  reason?: string;
  fields: { name: string; value: string }[];
}

/** A window of one entity with anomalous events, and the top ones. */
interface AnomalousWindow {
  value: string;
  start: number;
  top: TopEvent[];
}

function windowKey(value: string, start: number): string {
  return `${value}\u0000${start}`;
}

/** An anomalous event of the range: its time, its value of each entity kind, what the window document shows of it. */
interface AnomalousEvent {
  time: number;
  values: Record<string, string>;
  event: TopEvent;
}

/** The previous window document of an entity: where its risk and its recent anomalous windows continue from. */
interface Prior {
  start: number;
  risk: number;
  recent: number[];
}

export interface NotableDoc {
  entity: { kind: string; field: string; value: string };
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

/** The window document's id: the same entity and window always land on the same document. */
export function notableId(kind: string, value: string, startMs: number): string {
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

export class NotableAggregator {
  readonly stats: AggregateStats = { windows: 0, created: 0, updated: 0, unchanged: 0, notable: 0, events: 0, seconds: { count: 0, top: 0, compare: 0, write: 0 } };

  constructor(private readonly client: Client, private readonly options: AggregateOptions) {}

  /**
   * Creates seqsentry-entities from the content pack's mapping when it is missing, or adds the fields of this
   * version's mapping to an older index (new fields only; OpenSearch refuses a changed type, which is reported).
   */
  async ensureIndex(): Promise<void> {
    const { settings, mappings } = loadContent(`pipelines/entities/${ENTITIES_INDEX}.json`);
    await ensureIndex(this.client, this.options.backoff, ENTITIES_INDEX, 'entities index', { settings, mappings }, true);
  }

  async run(): Promise<AggregateStats> {
    await this.ensureIndex();
    const timed = async <T>(phase: keyof AggregateStats['seconds'], fn: () => Promise<T>): Promise<T> => {
      const t0 = performance.now();
      try {
        return await fn();
      } finally {
        this.stats.seconds[phase] += (performance.now() - t0) / 1000;
      }
    };
    const top = await timed('top', () => this.topEvents());
    for (const [kind, field] of Object.entries(this.options.entities)) {
      const windows = this.anomalousWindows(kind, top);
      const buckets = await timed('count', () => (this.options.allWindows ? this.buckets(field) : this.anomalousBuckets(field, [...windows.values()])));
      const priors = await timed('compare', () => this.priors(kind, [...new Set(buckets.map((b) => b.value))]));
      const docs = this.chain(kind, field, buckets, priors, windows);
      const stored = await timed('compare', () => this.storedFingerprints(kind));
      await timed('write', () => this.write(docs, stored));
    }
    for (const k of Object.keys(this.stats.seconds) as (keyof AggregateStats['seconds'])[]) this.stats.seconds[k] = Math.round(this.stats.seconds[k] * 100) / 100;
    return this.stats;
  }

  private rangeFilter(): Record<string, unknown> {
    return { range: { [this.options.timeField]: { gte: this.sinceMs, lt: this.options.untilMs, format: 'epoch_millis' } } };
  }

  /** The scored events of the range. */
  private scoredInRange(): Record<string, unknown> {
    return { bool: { filter: [this.rangeFilter(), { exists: { field: 'anomaly_score' } }] } };
  }

  /**
   * The windows of one entity kind that hold anomalous events, in (entity, time) order, each with its top anomalous
   * events (they come highest score first).
   */
  private anomalousWindows(kind: string, anomalous: readonly AnomalousEvent[]): Map<string, AnomalousWindow> {
    const { windowMs } = this.options;
    const windows = new Map<string, AnomalousWindow>();
    for (const a of anomalous) {
      const value = a.values[kind];
      if (value === undefined) continue;
      const start = Math.floor(a.time / windowMs) * windowMs;
      const key = windowKey(value, start);
      const w = windows.get(key) ?? { value, start, top: [] };
      if (w.top.length < TOP_EVENTS) w.top.push(a.event);
      windows.set(key, w);
    }
    return new Map([...windows].sort(([, x], [, y]) => (x.value < y.value ? -1 : x.value > y.value ? 1 : x.start - y.start)));
  }

  /**
   * Every anomalous event of the range (few: the share the threshold lets through), walked by score with
   * search_after: the top ones of each window are picked from them per entity kind in `chain`.
   */
  private async topEvents(): Promise<AnomalousEvent[]> {
    const { timeField, entities } = this.options;
    const out: AnomalousEvent[] = [];
    let after: unknown[] | undefined;
    for (;;) {
      const page = await this.anomalousPage(after);
      for (const h of page) {
        const time = Number(h.fields?.[timeField]?.[0]);
        const values: Record<string, string> = {};
        for (const [kind, field] of Object.entries(entities)) {
          const v = h.fields?.[field]?.[0];
          if (v !== undefined) values[kind] = String(v);
        }
        out.push({ time, values, event: toTopEvent(h) });
      }
      if (page.length < HITS_PAGE) return out;
      after = page.at(-1)?.sort;
    }
  }

  private async anomalousPage(after: unknown[] | undefined): Promise<{ _index: string; _id: string; _source: any; fields?: Record<string, unknown[]>; sort: unknown[] }[]> {
    const { pattern, timeField, entities, backoff } = this.options;
    const body = {
      size: HITS_PAGE,
      query: { bool: { filter: [this.rangeFilter(), { term: { 'anomaly.is_anomaly': true } }] } },
      // _index and _id break ties (OpenSearch 2.19 has no _shard_doc), so paging skips and repeats nothing.
      sort: [{ anomaly_score: 'desc' }, { [timeField]: 'asc' }, { _index: 'asc' }, { _id: 'asc' }],
      _source: { includes: ['anomaly_score', 'anomaly.reason', 'anomaly.fields.name', 'anomaly.fields.value'] },
      docvalue_fields: [...new Set(Object.values(entities)), { field: timeField, format: 'epoch_millis' }],
      track_total_hits: false,
      ...(after ? { search_after: after } : {}),
    };
    const res = await call(this.client, { operation: 'read anomalous events', method: 'POST', path: `/${encodeURIComponent(pattern)}/_search`, body, index: pattern, ignore: [404] }, backoff);
    if (res.status === 404) return [];
    return (res.body as { hits: { hits: { _index: string; _id: string; _source: any; fields?: Record<string, unknown[]>; sort: unknown[] }[] } }).hits.hits;
  }

  /** Fingerprints of the stored notables of one kind in the range, by id. */
  private async storedFingerprints(kind: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    let after: unknown[] | undefined;
    for (;;) {
      const body = {
        size: HITS_PAGE,
        query: { bool: { filter: [{ term: { 'entity.kind': kind } }, { range: { 'window.start': { gte: this.sinceMs, lt: this.options.untilMs, format: 'epoch_millis' } } }] } },
        sort: [{ 'window.start': 'asc' }, { 'entity.value': 'asc' }],
        _source: false,
        docvalue_fields: ['fingerprint'],
        ...(after ? { search_after: after } : {}),
      };
      const res = await call(this.client, { operation: 'read stored notables', method: 'POST', path: `/${ENTITIES_INDEX}/_search`, body, index: ENTITIES_INDEX }, this.options.backoff);
      const hits = (res.body as { hits: { hits: { _id: string; fields?: { fingerprint?: string[] }; sort: unknown[] }[] } }).hits.hits;
      for (const h of hits) out.set(h._id, h.fields?.fingerprint?.[0] ?? '');
      if (hits.length < HITS_PAGE) return out;
      after = hits.at(-1)?.sort;
    }
  }

  private get sinceMs(): number {
    return Math.floor(this.options.sinceMs / this.options.windowMs) * this.options.windowMs;
  }

  /** Every (entity, window) bucket of the range, by a composite aggregation paged with after_key. */
  private async buckets(field: string): Promise<Bucket[]> {
    const { pattern, timeField, windowMs, backoff } = this.options;
    const out: Bucket[] = [];
    let after: Record<string, unknown> | undefined;
    for (;;) {
      const body = {
        size: 0,
        query: this.scoredInRange(),
        aggs: {
          w: {
            composite: {
              size: PAGE,
              sources: [{ entity: { terms: { field } } }, { window: { date_histogram: { field: timeField, fixed_interval: `${windowMs}ms` } } }],
              ...(after ? { after } : {}),
            },
            aggs: WINDOW_STATS,
          },
        },
      };
      const res = await call(this.client, { operation: 'aggregate entity windows', method: 'POST', path: `/${encodeURIComponent(pattern)}/_search`, body, index: pattern, ignore: [404] }, backoff);
      if (res.status === 404) return out;
      const agg = (res.body as { aggregations?: { w?: { after_key?: Record<string, unknown>; buckets: any[] } } }).aggregations?.w;
      if (!agg) throw new OpenSearchError('aggregate entity windows', 'answer without aggregations', res.status, pattern);
      for (const b of agg.buckets) out.push(toBucket(b));
      if (agg.buckets.length < PAGE || !agg.after_key) return out;
      after = agg.after_key;
    }
  }

  /** The anomalous windows of one entity kind (in (entity, time) order), counted by a filter each. */
  private async anomalousBuckets(field: string, sorted: readonly AnomalousWindow[]): Promise<Bucket[]> {
    const { pattern, timeField, windowMs, backoff } = this.options;
    const out: Bucket[] = [];
    for (let i = 0; i < sorted.length; i += KEYS_CHUNK) {
      const chunk = sorted.slice(i, i + KEYS_CHUNK);
      const filters = Object.fromEntries(chunk.map((k, j) => [String(j), { bool: { filter: [{ term: { [field]: k.value } }, { range: { [timeField]: { gte: k.start, lt: k.start + windowMs, format: 'epoch_millis' } } }] } }]));
      const body = {
        size: 0,
        query: this.scoredInRange(),
        aggs: {
          w: {
            filters: { filters },
            aggs: WINDOW_STATS,
          },
        },
      };
      const res = await call(this.client, { operation: 'count anomalous windows', method: 'POST', path: `/${encodeURIComponent(pattern)}/_search`, body, index: pattern }, backoff);
      const buckets = (res.body as { aggregations?: { w?: { buckets?: Record<string, any> } } }).aggregations?.w?.buckets;
      if (!buckets) throw new OpenSearchError('count anomalous windows', 'answer without aggregations', res.status, pattern);
      chunk.forEach((k, j) => out.push(toBucket({ ...buckets[String(j)], key: { entity: k.value, window: k.start } })));
    }
    return out;
  }

  /** Each entity's latest window document before the range (its risk and recent anomalous windows carry on). */
  private async priors(kind: string, values: string[]): Promise<Map<string, Prior>> {
    const out = new Map<string, Prior>();
    for (let i = 0; i < values.length; i += PRIOR_CHUNK) {
      const chunk = values.slice(i, i + PRIOR_CHUNK);
      const body = {
        size: chunk.length,
        query: { bool: { filter: [{ term: { 'entity.kind': kind } }, { terms: { 'entity.value': chunk } }, { range: { 'window.start': { lt: this.sinceMs, format: 'epoch_millis' } } }] } },
        collapse: { field: 'entity.value' },
        sort: [{ 'window.start': 'desc' }],
        _source: ['entity.value', 'window.start', 'risk', 'recent_anomalous'],
      };
      const res = await call(this.client, { operation: 'read previous notables', method: 'POST', path: `/${ENTITIES_INDEX}/_search`, body, index: ENTITIES_INDEX }, this.options.backoff);
      for (const h of (res.body as { hits: { hits: { _source: any }[] } }).hits.hits) {
        const s = h._source;
        out.set(s.entity.value, { start: Date.parse(s.window.start), risk: s.risk, recent: (s.recent_anomalous ?? []).map((t: string) => Date.parse(t)) });
      }
    }
    return out;
  }

  /** Chains each entity's windows in time order: risk, recent anomalous windows, notable. */
  private chain(kind: string, field: string, buckets: Bucket[], priors: Map<string, Prior>, windows: ReadonlyMap<string, AnomalousWindow>): { id: string; doc: NotableDoc }[] {
    const { windowMs, halfLifeMs, notableWindows, stretchMs } = this.options;
    // Composite order is (entity, window): each entity's windows come together and in time order.
    const docs: { id: string; doc: NotableDoc }[] = [];
    let prior: Prior | undefined;
    let current = '';
    for (const b of buckets) {
      if (b.value !== current) {
        current = b.value;
        prior = priors.get(b.value);
      }
      const top = windows.get(windowKey(b.value, b.start))?.top ?? [];
      const risk = nextRisk(prior, b.start, b.scoreSum, halfLifeMs);
      const recent = (prior?.recent ?? []).filter((t) => t > b.start - stretchMs);
      if (b.anomalous > 0) recent.push(b.start);
      const leading = top.flatMap((e) => (e.fields[0] ? [{ field: e.fields[0].name, value: e.fields[0].value }] : []));
      const wouldBe = b.anomalous > 0 && recent.length >= notableWindows;
      // Named on every anomalous window a suppression holds, not only the would-be notable ones: the alert monitors
      // (pipelines/monitors) leave windows with suppressed_by out.
      const held = b.anomalous > 0 ? suppressing(this.options.suppressions, kind, b.value, leading) : undefined;
      const notable = wouldBe && !held;
      const doc: Omit<NotableDoc, 'fingerprint' | 'updated_at'> = {
        entity: { kind, field, value: b.value },
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
      docs.push({ id: notableId(kind, b.value, b.start), doc: { ...doc, fingerprint, updated_at: new Date().toISOString() } });
      prior = { start: b.start, risk, recent };
      this.stats.windows += 1;
      this.stats.events += b.events;
      if (notable) this.stats.notable += 1;
    }
    return docs;
  }

  /** Writes the documents that are new or changed (by fingerprint); counts the rest as unchanged. */
  private async write(docs: { id: string; doc: NotableDoc }[], stored: Map<string, string>): Promise<void> {
    const { backoff } = this.options;
    for (let i = 0; i < docs.length; i += WRITE_CHUNK) {
      const chunk = docs.slice(i, i + WRITE_CHUNK);
      const changed = chunk.filter((d) => stored.get(d.id) !== d.doc.fingerprint);
      this.stats.unchanged += chunk.length - changed.length;
      if (changed.length === 0) continue;
      const ndjson = changed.map((d) => `${JSON.stringify({ index: { _index: ENTITIES_INDEX, _id: d.id } })}\n${JSON.stringify(d.doc)}\n`).join('');
      const res = await call(this.client, { operation: 'write notables', method: 'POST', path: '/_bulk', ndjson, index: ENTITIES_INDEX }, backoff);
      const items = (res.body as { items: { index: { status: number; error?: unknown } }[] }).items;
      const failed = items.find((it) => it.index.status >= 300);
      if (failed) throw new OpenSearchError('write notables', JSON.stringify(failed.index.error), failed.index.status, ENTITIES_INDEX);
      changed.forEach((d) => (stored.has(d.id) ? (this.stats.updated += 1) : (this.stats.created += 1)));
    }
  }
}

function toBucket(b: any): Bucket {
  return {
    value: String(b.key.entity),
    start: Number(b.key.window),
    events: b.doc_count,
    anomalous: b.anomalous?.doc_count ?? 0,
    maxScore: b.score?.max ?? 0,
    meanScore: b.score?.avg ?? 0,
    scoreSum: b.anomalous?.score_sum?.value ?? 0,
  };
}

function toTopEvent(h: { _index: string; _id: string; _source: any }): TopEvent {
  return {
    index: h._index,
    id: h._id,
    score: Number(h._source?.anomaly_score ?? 0),
    ...(typeof h._source?.anomaly?.reason === 'string' ? { reason: h._source.anomaly.reason as string } : {}),
    fields: ((h._source?.anomaly?.fields ?? []) as { name?: string; value?: string }[]).filter((f) => f.name !== undefined).map((f) => ({ name: String(f.name), value: String(f.value ?? '') })),
  };
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
