// Per concrete index, how enrich may write an event back: the whole document with an `index` action, or only the
// anomaly fields with a partial `update`. An `index` action is cheaper for OpenSearch (no get and merge of the stored
// document) but differs from the update where the index's mapping or settings make a re-index do more than store the
// source again; such indices keep the update, and the reason is logged once per index.
import type { Client } from '@opensearch-project/opensearch';
import { z } from 'zod';
import { OpenSearchError } from '../core/errors.js';
import { logger } from '../util/log.js';
import { call, type RetryObserver } from './os-call.js';
import type { BackoffPolicy } from './retry.js';

export interface WritePath {
  action: 'index' | 'update';
  /** Why an index keeps the partial update. */
  reason?: string;
}

const SourceConfigSchema = z
  .object({
    enabled: z.union([z.boolean(), z.string()]).optional(),
    includes: z.array(z.string()).optional(),
    excludes: z.array(z.string()).optional(),
  })
  .passthrough();

const MappingsSchema = z.record(z.string(), z.object({ mappings: z.object({ _source: SourceConfigSchema.optional() }).passthrough() }).passthrough());
const SettingsSchema = z.record(z.string(), z.object({ settings: z.record(z.string(), z.unknown()) }).passthrough());

/**
 * Settings are dynamic (a final pipeline can be set while enrich runs), so a decision is looked at again after this
 * long; between two looks a newly set final pipeline runs on the events written whole (see the README).
 */
const RECHECK_MS = 60_000;

/** The reason an index must keep the partial update, or null when an `index` action stores the same document. */
export function updateOnlyReason(source: z.infer<typeof SourceConfigSchema> | undefined, finalPipeline: unknown): string | null {
  // A source stored in part (or not at all) reads back without the left-out fields. The update re-indexes from that
  // same stored source, so it loses no more; but this keeps such indices exactly on the path they had before.
  if (source && String(source.enabled) === 'false') return '_source is disabled in the mapping';
  if (source?.includes?.length) return `the mapping keeps only ${JSON.stringify(source.includes)} in _source`;
  if (source?.excludes?.length) return `the mapping leaves ${JSON.stringify(source.excludes)} out of _source`;
  // An index request runs the final pipeline whatever its `pipeline` parameter says (verified on 2.19.6); a bulk
  // partial update runs neither pipeline. The default pipeline is skipped per item with `pipeline: "_none"`.
  if (typeof finalPipeline === 'string' && finalPipeline !== '' && finalPipeline !== '_none') return `index.final_pipeline "${finalPipeline}" would run again on a re-index`;
  return null;
}

export class WritePaths {
  private readonly known = new Map<string, { path: WritePath; at: number }>();

  constructor(private readonly client: Client, private readonly backoff: BackoffPolicy, private readonly onRetry?: RetryObserver, private readonly now: () => number = Date.now) {}

  /** The write path of each of `indices` (concrete names, as hits carry them). */
  async of(indices: Iterable<string>): Promise<Map<string, WritePath>> {
    const out = new Map<string, WritePath>();
    const stale: string[] = [];
    for (const index of new Set(indices)) {
      const k = this.known.get(index);
      if (k && this.now() - k.at < RECHECK_MS) out.set(index, k.path);
      else stale.push(index);
    }
    if (stale.length === 0) return out;
    const fresh = await this.look(stale);
    for (const index of stale) {
      const path = fresh.get(index) ?? { action: 'update' as const, reason: 'OpenSearch returned no mapping or settings for it' };
      const before = this.known.get(index)?.path;
      if (path.reason && path.reason !== before?.reason) logger.info({ index, reason: path.reason }, 'enrich writes partial updates to this index');
      this.known.set(index, { path, at: this.now() });
      out.set(index, path);
    }
    return out;
  }

  private async look(indices: string[]): Promise<Map<string, WritePath>> {
    const names = indices.map(encodeURIComponent).join(',');
    try {
      const [mapping, settings] = await Promise.all([
        call(this.client, { operation: 'read mapping for the write path', method: 'GET', path: `/${names}/_mapping`, index: indices.join(',') }, this.backoff, this.onRetry),
        call(this.client, { operation: 'read settings for the write path', method: 'GET', path: `/${names}/_settings/index.final_pipeline`, querystring: { flat_settings: true }, index: indices.join(',') }, this.backoff, this.onRetry),
      ]);
      const m = MappingsSchema.safeParse(mapping.body);
      const s = SettingsSchema.safeParse(settings.body);
      if (!m.success || !s.success) throw new OpenSearchError('read mapping and settings for the write path', `unexpected answer: ${(m.error ?? s.error)?.issues[0]?.message ?? ''}`, 200, indices.join(','));
      return new Map(indices.map((index) => {
        const reason = updateOnlyReason(m.data[index]?.mappings._source, s.data[index]?.settings['index.final_pipeline']);
        return [index, reason ? { action: 'update', reason } : { action: 'index' }];
      }));
    } catch (err) {
      // Not allowed to read them (a role without indices:admin/mappings/get) or the index went away: the partial
      // update is right in every case, only slower.
      if (!(err instanceof OpenSearchError)) throw err;
      const reason = `could not read its mapping and settings (${err.message})`;
      return new Map(indices.map((index) => [index, { action: 'update', reason }]));
    }
  }
}
