// Entity notables (`seqsentry aggregate`): per entity (user, source host, destination host) and window, what its
// scored events add up to, written to seqsentry-entities. OpenSearch does the counting (a composite aggregation
// per entity kind); here each entity's windows are chained in time order into a risk score that decays with a
// half-life, and a window is notable when the entity was anomalous in several windows within a stretch of time, so
// one odd logon pages nobody. Ids are deterministic and a document is written only when it changed: a rerun over
// the same range writes nothing, a late event rewrites its window and the windows after it.
import type { Client } from '@opensearch-project/opensearch';
import { OpenSearchError } from '../core/errors.js';
import { call, ensureIndex } from '../enrich/os-call.js';
import { loadContent } from '../install/content.js';
import { ENTITIES_INDEX, type AggregateOptions, type AggregateStats } from './aggregate-options.js';
import { NotableReads } from './notable-reads.js';
import { chainWindows, groupWindows, legacyNotableId, type NotableDoc } from './window-chain.js';

/** Documents per bulk write. */
const WRITE_CHUNK = 2000;

export class NotableAggregator {
  readonly stats: AggregateStats = { windows: 0, created: 0, updated: 0, unchanged: 0, notable: 0, events: 0, seconds: { count: 0, top: 0, compare: 0, write: 0 } };
  private readonly reads: NotableReads;

  constructor(private readonly client: Client, private readonly options: AggregateOptions) {
    this.reads = new NotableReads(client, options);
  }

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
    const top = await timed('top', () => this.reads.topEvents());
    // Each kind's windows count the same events again (an event has a user and hosts): the summary counts them once,
    // as the most any kind's windows held.
    const eventsBefore = this.stats.events;
    let events = 0;
    for (const [kind, fields] of Object.entries(this.options.entities)) {
      this.stats.events = 0;
      const windows = groupWindows(kind, top, this.options.windowMs);
      const buckets = await timed('count', () => (this.options.allWindows ? this.reads.buckets(kind, fields) : this.reads.anomalousBuckets(kind, fields, [...windows.values()])));
      const priors = await timed('compare', () => this.reads.priors(kind, [...new Set(buckets.map((b) => b.value))]));
      const docs = chainWindows(this.options.pattern, kind, buckets, priors, windows, this.options, this.stats);
      const stored = await timed('compare', () => this.reads.storedFingerprints(kind));
      await timed('write', () => this.write(docs, stored));
      events = Math.max(events, this.stats.events);
    }
    this.stats.events = eventsBefore + events;
    for (const k of Object.keys(this.stats.seconds) as (keyof AggregateStats['seconds'])[]) this.stats.seconds[k] = Math.round(this.stats.seconds[k] * 100) / 100;
    return this.stats;
  }

  /**
   * Writes the documents that are new or changed (by fingerprint); counts the rest as unchanged. A window stored
   * under its id from before notables carried their pattern is replaced (deleted in the same bulk) and counted updated.
   */
  private async write(docs: { id: string; doc: NotableDoc }[], stored: Map<string, string>): Promise<void> {
    const { backoff } = this.options;
    for (let i = 0; i < docs.length; i += WRITE_CHUNK) {
      const chunk = docs.slice(i, i + WRITE_CHUNK);
      const changed = chunk.filter((d) => stored.get(d.id) !== d.doc.fingerprint);
      this.stats.unchanged += chunk.length - changed.length;
      if (changed.length === 0) continue;
      const legacy = (d: { doc: NotableDoc }) => {
        const id = legacyNotableId(d.doc.entity.kind, d.doc.entity.value, Date.parse(d.doc.window.start));
        return stored.has(id) ? id : undefined;
      };
      const ndjson = changed.map((d) => {
        const old = legacy(d);
        const drop = old ? `${JSON.stringify({ delete: { _index: ENTITIES_INDEX, _id: old } })}\n` : '';
        return `${drop}${JSON.stringify({ index: { _index: ENTITIES_INDEX, _id: d.id } })}\n${JSON.stringify(d.doc)}\n`;
      }).join('');
      const res = await call(this.client, { operation: 'write notables', method: 'POST', path: '/_bulk', ndjson, index: ENTITIES_INDEX }, backoff);
      const items = (res.body as { items: Record<string, { status: number; error?: unknown }>[] }).items;
      const failed = items.map((it) => Object.values(it)[0]).find((r) => r && r.status >= 300 && !(r.status === 404 && !r.error));
      if (failed) throw new OpenSearchError('write notables', JSON.stringify(failed.error), failed.status, ENTITIES_INDEX);
      for (const d of changed) {
        const old = legacy(d);
        if (old) stored.delete(old);
        if (stored.has(d.id) || old) this.stats.updated += 1;
        else this.stats.created += 1;
      }
    }
  }
}
