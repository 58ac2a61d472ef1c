// The OpenSearch reads of `seqsentry aggregate`: the range's anomalous events (by score), the (entity, window)
// counts (a composite aggregation, or one filter per anomalous window), each entity's previous window document and
// the fingerprints of what is already stored, so unchanged windows are not rewritten.
import type { Client } from '@opensearch-project/opensearch';
import { OpenSearchError } from '../core/errors.js';
import { call } from '../enrich/os-call.js';
import { ENTITIES_INDEX, type AggregateOptions } from './aggregate-options.js';
import { entityEqualsQuery, entityTermsScript, entityValue, ruleFields } from './entity-values.js';
import type { AnomalousEvent, AnomalousWindow, Bucket, Prior, TopEvent } from './window-chain.js';

/** What each window's bucket counts: the score's statistics and its anomalous events' score mass. */
const WINDOW_STATS = Object.freeze({
  score: { stats: { field: 'anomaly_score' } },
  anomalous: { filter: { term: { 'anomaly.is_anomaly': true } }, aggs: { score_sum: { sum: { field: 'anomaly_score' } } } },
});
/** Composite buckets per page. */
const PAGE = 5000;
/** Hits per page when walking anomalous events and existing notables. */
const HITS_PAGE = 10_000;
/** Windows counted per request when only anomalous windows are written. */
const KEYS_CHUNK = 200;
/** Entities whose previous window is read per request. */
const PRIOR_CHUNK = 500;

export class NotableReads {
  constructor(private readonly client: Client, private readonly options: AggregateOptions) {}

  private rangeFilter(): Record<string, unknown> {
    return { range: { [this.options.timeField]: { gte: this.sinceMs, lt: this.options.untilMs, format: 'epoch_millis' } } };
  }

  /** The scored events of the range. */
  private scoredInRange(): Record<string, unknown> {
    return { bool: { filter: [this.rangeFilter(), { exists: { field: 'anomaly_score' } }] } };
  }

  /**
   * Every anomalous event of the range (few: the share the threshold lets through), walked by score with
   * search_after: the top ones of each window are picked from them per entity kind (`groupWindows`).
   */
  async topEvents(): Promise<AnomalousEvent[]> {
    const { timeField, entities } = this.options;
    const out: AnomalousEvent[] = [];
    let after: unknown[] | undefined;
    for (;;) {
      const page = await this.anomalousPage(after);
      for (const h of page) {
        const time = Number(h.fields?.[timeField]?.[0]);
        const values: AnomalousEvent['values'] = {};
        for (const [kind, fields] of Object.entries(entities)) {
          const field = fields.find((f) => h.fields?.[f]?.[0] !== undefined);
          const rule = this.options.rules?.[kind];
          const value = rule ? entityValue(rule, (f) => h.fields?.[f]?.[0]) : field !== undefined ? String(h.fields?.[field]?.[0]) : undefined;
          if (value !== undefined) values[kind] = { value, field: field ?? fields[0] ?? kind };
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
      // unmapped_type: an index of the pattern without the anomaly fields mapped yet (enrich's first pass) sorts as empty
      sort: [{ anomaly_score: { order: 'desc', unmapped_type: 'float' } }, { [timeField]: 'asc' }, { _index: 'asc' }, { _id: 'asc' }],
      _source: { includes: ['anomaly_score', 'anomaly.reason', 'anomaly.fields.name', 'anomaly.fields.value'] },
      docvalue_fields: [...new Set([...Object.values(entities).flat(), ...Object.values(this.options.rules ?? {}).flatMap(ruleFields)]), { field: timeField, format: 'epoch_millis' }],
      track_total_hits: false,
      ...(after ? { search_after: after } : {}),
    };
    const res = await call(this.client, { operation: 'read anomalous events', method: 'POST', path: `/${encodeURIComponent(pattern)}/_search`, body, index: pattern, ignore: [404] }, backoff);
    if (res.status === 404) return [];
    return (res.body as { hits: { hits: { _index: string; _id: string; _source: any; fields?: Record<string, unknown[]>; sort: unknown[] }[] } }).hits.hits;
  }

  /**
   * Fingerprints of the stored notables of one kind in the range, by id: this pattern's, and those written before
   * notables carried a pattern (`legacyNotableId`), which a rerun replaces.
   */
  async storedFingerprints(kind: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    let after: unknown[] | undefined;
    for (;;) {
      const body = {
        size: HITS_PAGE,
        query: { bool: { filter: [{ term: { 'entity.kind': kind } }, { range: { 'window.start': { gte: this.sinceMs, lt: this.options.untilMs, format: 'epoch_millis' } } }, this.ownOrLegacy()] } },
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

  /** Notables of this pattern, or of none (written before notables carried their pattern). */
  private ownOrLegacy(): Record<string, unknown> {
    return { bool: { should: [{ term: { source_index: this.options.pattern } }, { bool: { must_not: { exists: { field: 'source_index' } } } }], minimum_should_match: 1 } };
  }

  private get sinceMs(): number {
    return Math.floor(this.options.sinceMs / this.options.windowMs) * this.options.windowMs;
  }

  /**
   * Every (entity, window) bucket of the range, by a composite aggregation per field paged with after_key: an event
   * counts under the first of the kind's fields it holds (the later fields' aggregations leave out events holding an
   * earlier one), and a window's counts add up over the fields.
   */
  async buckets(kind: string, fields: readonly string[]): Promise<Bucket[]> {
    const rule = this.options.rules?.[kind];
    // Derived entities: one composite over the script's value, every event counted once by construction.
    if (rule) return this.fieldBuckets({ script: entityTermsScript(rule) }, [], fields[0] ?? kind);
    const merged = new Map<string, Bucket>();
    for (const [i, field] of fields.entries()) {
      for (const b of await this.fieldBuckets({ field }, fields.slice(0, i), field)) {
        const key = `${b.value}\u0000${b.start}`;
        const m = merged.get(key);
        if (!m) {
          merged.set(key, b);
          continue;
        }
        const events = m.events + b.events;
        m.meanScore = events > 0 ? (m.meanScore * m.events + b.meanScore * b.events) / events : 0;
        m.events = events;
        m.anomalous += b.anomalous;
        m.maxScore = Math.max(m.maxScore, b.maxScore);
        m.scoreSum += b.scoreSum;
      }
    }
    // chainWindows wants each entity's windows together and in time order.
    return [...merged.values()].sort((x, y) => (x.value < y.value ? -1 : x.value > y.value ? 1 : x.start - y.start));
  }

  /** The composite buckets of one terms source (a field, or a script), leaving out events that hold `earlier`. */
  private async fieldBuckets(terms: Record<string, unknown>, earlier: readonly string[], field: string): Promise<Bucket[]> {
    const { pattern, timeField, windowMs, backoff } = this.options;
    const out: Bucket[] = [];
    let after: Record<string, unknown> | undefined;
    const query = earlier.length ? { bool: { filter: [this.scoredInRange()], must_not: earlier.map((f) => ({ exists: { field: f } })) } } : this.scoredInRange();
    for (;;) {
      const body = {
        size: 0,
        query,
        aggs: {
          w: {
            composite: {
              size: PAGE,
              sources: [{ entity: { terms } }, { window: { date_histogram: { field: timeField, fixed_interval: `${windowMs}ms` } } }],
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
      for (const b of agg.buckets) out.push(toBucket(b, field));
      if (agg.buckets.length < PAGE || !agg.after_key) return out;
      after = agg.after_key;
    }
  }

  /**
   * The anomalous windows of one entity kind (in (entity, time) order), counted by a filter each: the events whose
   * first held field of the kind's holds the entity.
   */
  async anomalousBuckets(kind: string, fields: readonly string[], sorted: readonly AnomalousWindow[]): Promise<Bucket[]> {
    const { pattern, timeField, windowMs, backoff } = this.options;
    const out: Bucket[] = [];
    const rule = this.options.rules?.[kind];
    // A lenient match is a term query on a keyword field and matches nothing where the value cannot be of the field's
    // type (a host name against source.ip), where a term query would fail the search.
    const equals = (f: string, value: string) => ({ match: { [f]: { query: value, lenient: true } } });
    const holds = (value: string) => (rule ? entityEqualsQuery(rule, value) : fields.length === 1
      ? equals(fields[0] as string, value)
      : { bool: { should: fields.map((f, i) => ({ bool: { filter: [equals(f, value)], must_not: fields.slice(0, i).map((e) => ({ exists: { field: e } })) } })), minimum_should_match: 1 } });
    for (let i = 0; i < sorted.length; i += KEYS_CHUNK) {
      const chunk = sorted.slice(i, i + KEYS_CHUNK);
      const filters = Object.fromEntries(chunk.map((k, j) => [String(j), { bool: { filter: [holds(k.value), { range: { [timeField]: { gte: k.start, lt: k.start + windowMs, format: 'epoch_millis' } } }] } }]));
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
      chunk.forEach((k, j) => out.push(toBucket({ ...buckets[String(j)], key: { entity: k.value, window: k.start } }, k.field)));
    }
    return out;
  }

  /** Each entity's latest window document before the range (its risk and recent anomalous windows carry on). */
  async priors(kind: string, values: string[]): Promise<Map<string, Prior>> {
    const out = new Map<string, Prior>();
    for (let i = 0; i < values.length; i += PRIOR_CHUNK) {
      const chunk = values.slice(i, i + PRIOR_CHUNK);
      const body = {
        size: chunk.length,
        query: { bool: { filter: [{ term: { 'entity.kind': kind } }, { terms: { 'entity.value': chunk } }, { range: { 'window.start': { lt: this.sinceMs, format: 'epoch_millis' } } }, this.ownOrLegacy()] } },
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
}

function toBucket(b: any, field: string): Bucket {
  return {
    value: String(b.key.entity),
    field,
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
