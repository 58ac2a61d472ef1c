// Refills a cold entity's history from OpenSearch: its latest events before this one, oldest first, via the adapter.
import { z } from 'zod';
import type { Adapter } from '../adapters/adapter.js';
import { DEFAULT_ECS_FIELDS } from '../adapters/ecs.js';
import { AdapterError, OpenSearchError } from '../core/errors.js';
import type { CanonicalEvent } from '../core/event.js';
import type { HistoryLoader } from '../service/scoring-service.js';
import { logger } from '../util/log.js';
import { reasonOf, type OpenSearchClient } from './client.js';

export interface HistoryFields {
  /** Document field holding the entity value (ECS: user.name). */
  entity: string;
  /** Document field holding the event time (ECS: @timestamp). */
  time: string;
}

/**
 * Where an adapter's entity and time live in OpenSearch documents, or null for adapters whose records are not
 * OpenSearch documents (LANL CSV lines): those get no refill. `entityKey` is the model's context entity
 * (the bundle's entity_key, chosen at training with --entity).
 */
export function historyFieldsFor(adapter: Adapter, options: Record<string, unknown> = {}, entityKey = adapter.entityKey): HistoryFields | null {
  if (adapter.name !== 'ecs') return null;
  const fields = (options.fields ?? {}) as Record<string, string[] | undefined>;
  const time = (options.time as string[] | undefined)?.[0] ?? '@timestamp';
  const entity = fields[entityKey]?.[0] ?? DEFAULT_ECS_FIELDS[entityKey]?.[0];
  return entity ? { entity, time } : null;
}

const SearchResponse = z.object({
  hits: z.object({ hits: z.array(z.object({ _index: z.string().optional(), _source: z.record(z.string(), z.unknown()).optional() }).passthrough()) }),
});

export interface HistoryLoaderOptions {
  client: OpenSearchClient;
  adapter: Adapter;
  fields: HistoryFields;
  timeoutMs: number;
}

const log = logger.child({ component: 'history-loader' });

export function createHistoryLoader({ client, adapter, fields, timeoutMs }: HistoryLoaderOptions): HistoryLoader {
  return async (scope, entityValue, until, limit) => {
    // An empty scope would search every index: such requests keep their history in memory only.
    if (!scope || limit <= 0 || entityValue === '?') return [];
    const body = {
      size: limit,
      // Newest first; ties break like the enrich walk (index, then id), reversed, so that a refill returns the same
      // rows in the same order on every version and every call.
      sort: [{ [fields.time]: { order: 'desc', unmapped_type: 'date' } }, { _index: { order: 'desc' } }, { _id: { order: 'desc' } }] as Array<Record<string, { order: 'desc'; unmapped_type?: string }>>,
      query: {
        bool: {
          filter: [
            // Dynamic mappings index strings as text with a .keyword sub-field; ECS templates as keyword.
            { bool: { should: [{ term: { [fields.entity]: entityValue } }, { term: { [`${fields.entity}.keyword`]: entityValue } }], minimum_should_match: 1 } },
            { range: { [fields.time]: { lte: new Date(Math.floor(until * 1000)).toISOString() } } },
          ],
        },
      },
    };
    let raw: unknown;
    try {
      const res = await client.search(
        { index: scope, ignore_unavailable: true, allow_no_indices: true, body },
        { requestTimeout: timeoutMs },
      );
      raw = res.body;
    } catch (err) {
      const e = err as Error & { meta?: { statusCode?: number; body?: unknown } };
      throw new OpenSearchError('history search', e.meta?.body !== undefined ? reasonOf(e.meta.body) : e.message, e.meta?.statusCode, scope, { cause: err });
    }
    const parsed = SearchResponse.safeParse(raw);
    if (!parsed.success) throw new OpenSearchError('history search', `unexpected response: ${parsed.error.issues[0]?.message ?? ''}`, undefined, scope);
    const events: CanonicalEvent[] = [];
    const hits = [...parsed.data.hits.hits].reverse(); // newest first → oldest first
    hits.forEach((hit, i) => {
      try {
        const event = adapter.parse(hit as Record<string, unknown>, { file: `opensearch:${hit._index ?? scope}`, line: i + 1 });
        if (event) events.push(event);
      } catch (err) {
        if (!(err instanceof AdapterError)) throw err;
        log.debug({ scope, entity: entityValue, reason: err.message }, 'history document skipped: the adapter cannot read it');
      }
    });
    return events;
  };
}
