// Refills a cold entity's history from OpenSearch: its latest events before this one, oldest first, via the adapter.
import { isNoEvent, type Adapter } from '../adapters/adapter.js';
import { AdapterError, OpenSearchError } from '../core/errors.js';
import type { CanonicalEvent } from '../core/event.js';
import { isFoldable } from '../service/entity-stamp.js';
import type { HistoryLoader } from '../service/history-refill.js';
import { logger } from '../util/log.js';
import type { OpenSearchClient } from './client.js';
import { SearchBatcher } from './search-batcher.js';
import { BOUNDARY_READ, INNER_RESULT_WINDOW, SAME_TIME_READ, SearchResponse, SharedRefillSearch, SharedSearchFailed, type Hit, type SharedRead } from './shared-refill-search.js';

export interface HistoryFields {
  /** Document field holding the entity value (ECS: user.name). */
  entity: string;
  /** Document field holding the event time (ECS: @timestamp). */
  time: string;
  /** `date`: an ISO date field; `seconds`: the event time in the adapter's seconds (anomaly.time). */
  timeType: 'date' | 'seconds';
  /**
   * With the stamped entity: the document fields that hold it up to letter case on the scored documents that carry
   * no stamp (service/entity-stamp.ts); those are found by a case-insensitive term query on them.
   */
  folded?: readonly string[];
  /**
   * Every document field the adapter may read the entity from, in its order (ECS: `user.name`, then
   * `winlog.event_data.TargetUserName`), `entity` first: a document's entity is the value of the first of them it
   * holds, so the refill finds it by each path where the ones before are absent. Absent: `entity` alone.
   */
  entityPaths?: readonly string[];
}

/** The fields SeqSentry itself writes with a score for formats whose documents hold no queryable entity or time. */
export const STAMPED_FIELDS: HistoryFields = { entity: 'anomaly.entity', time: 'anomaly.time', timeType: 'seconds' };

/**
 * Where the model's context entity (the bundle's entity_key, chosen at training with --entity) and the event time
 * live in OpenSearch documents: the adapter's own fields, or those SeqSentry stamps on what it scores.
 */
export function historyFieldsFor(adapter: Adapter, entityKey = adapter.entityKey): HistoryFields {
  const own = adapter.documentFields;
  const entity = own?.entities[entityKey];
  if (own?.entitiesDerived) {
    const folded = own.foldedEntityPaths?.[entityKey];
    return { entity: STAMPED_FIELDS.entity, time: own.time, timeType: 'date', ...(folded ? { folded } : {}) };
  }
  const paths = own?.entityPaths?.[entityKey];
  if (!own || !entity) return STAMPED_FIELDS;
  return paths && paths.length > 1 && paths[0] === entity ? { entity, time: own.time, timeType: 'date', entityPaths: paths } : { entity, time: own.time, timeType: 'date' };
}

/** Dynamic mappings index strings as text with a .keyword sub-field; ECS templates and the content pack as keyword. */
const termOn = (field: string, value: string) => [field, `${field}.keyword`].map((f) => ({ term: { [f]: value } }));

/**
 * A case-insensitive match of the whole value of `field`: its `.keyword` sub-field where it has one (a dynamic
 * mapping's: a term query on the text field itself would match one word of `svc-sql` or `ws1$`), else the field,
 * a keyword. A text field without a keyword sub-field is not supported (README, Known limits).
 */
const foldedTermOn = (field: string, value: string) => {
  const term = (f: string) => ({ term: { [f]: { value, case_insensitive: true } } });
  return [term(`${field}.keyword`), { bool: { filter: [term(field)], must_not: [{ exists: { field: `${field}.keyword` } }] } }];
};

/**
 * The documents of one entity: its value in the entity field; where stamps may be left out, also the scored
 * documents without a stamp whose own fields hold the value up to letter case (only for a value the stamping
 * leaves out: any other is stamped wherever it occurs, and a case-insensitive query for it could match more).
 */
function entityFilter(fields: HistoryFields, value: string): Record<string, unknown> {
  if (fields.entityPaths) {
    // The value at the first path the document holds: path k counts where paths 0 .. k-1 are absent.
    const paths = fields.entityPaths;
    const at = paths.map((p, k) => (k === 0
      ? { bool: { should: termOn(p, value), minimum_should_match: 1 } }
      : { bool: { should: termOn(p, value), minimum_should_match: 1, must_not: paths.slice(0, k).map((q) => ({ exists: { field: q } })) } }));
    return { bool: { should: at, minimum_should_match: 1 } };
  }
  const stamped = termOn(fields.entity, value);
  if (!fields.folded?.length || !isFoldable(value)) return { bool: { should: stamped, minimum_should_match: 1 } };
  const unstamped = {
    bool: {
      filter: [{ exists: { field: 'anomaly_score' } }, { bool: { should: fields.folded.flatMap((f) => foldedTermOn(f, value)), minimum_should_match: 1 } }],
      must_not: [{ exists: { field: fields.entity } }],
    },
  };
  return { bool: { should: [...stamped, unstamped], minimum_should_match: 1 } };
}

const hitKey = (h: Hit): string => `${h._index ?? ''}\u0000${h._id ?? ''}`;

export interface HistoryLoaderOptions {
  client: OpenSearchClient;
  adapter: Adapter;
  fields: HistoryFields;
  timeoutMs: number;
}

const log = logger.child({ component: 'history-loader' });

/** Events of one entity at one time read at most by a refill. */
const MAX_SAME_TIME = 1_000;

type Range = Record<string, string | number>;

export function createHistoryLoader({ client, adapter, fields, timeoutMs }: HistoryLoaderOptions): HistoryLoader {
  // Cold entities' reads are batched, so that a bulk of new entities cannot flood the node.
  const batcher = new SearchBatcher(client, { timeoutMs, operation: 'history search' });
  // Newest first; ties break like the enrich walk (index, then id), reversed, so that a refill returns the same rows
  // on every version and every call.
  // A date in milliseconds whatever an index maps it as (date_nanos too: query.ts eventSort).
  const time = fields.timeType === 'date' ? { order: 'desc', unmapped_type: 'date', numeric_type: 'date' } : { order: 'desc', unmapped_type: 'double' };
  const sort = [{ [fields.time]: time }, { _index: { order: 'desc' } }, { _id: { order: 'desc' } }];
  const within = (entityValue: string, range: Range) => ({ bool: { filter: [entityFilter(fields, entityValue), { range: { [fields.time]: range } }] } });
  const shared = new SharedRefillSearch(client, timeoutMs, { entity: (value) => entityFilter(fields, value), timeField: fields.time, sort });
  /** One entity's events in `range`, at most `size` of the latest, oldest first. */
  const search = async (scope: string, entityValue: string, range: Range, size: number): Promise<Hit[]> => {
    const raw = await batcher.search({ index: scope, body: { size, sort, query: within(entityValue, range) } });
    const parsed = SearchResponse.safeParse(raw);
    if (!parsed.success) throw new OpenSearchError('history search', `unexpected response: ${parsed.error.issues[0]?.message ?? ''}`, undefined, scope);
    return [...parsed.data.hits.hits].reverse(); // newest first → oldest first
  };
  const allAt = (scope: string, entityValue: string, time: string | number) => search(scope, entityValue, { gte: time, lte: time }, MAX_SAME_TIME);
  /** The events at the time of the limit's oldest that the limit (`taken`) left out, oldest first. */
  const boundaryOf = async (scope: string, entityValue: string, time: string | number, taken: Hit[]) => {
    const seen = new Set(taken.map(hitKey));
    return (await allAt(scope, entityValue, time)).filter((h) => !seen.has(hitKey(h)));
  };

  /**
   * The latest `limit` events strictly before `at`, every event at `at` itself, and every event at the time of the
   * oldest of the `limit` (the limit may cut that time, and which of its events come last in canonical order
   * OpenSearch cannot tell): the boundary's events not among the limit, then the limit's, then those at `at`, each
   * oldest first. The caller keeps those of them that come first in canonical order. Here by searches of its own.
   */
  const separately = async (scope: string, entityValue: string, at: string | number, limit: number): Promise<Hit[]> => {
    const [before, same] = await Promise.all([search(scope, entityValue, { lt: at }, limit), allAt(scope, entityValue, at)]);
    const oldest = before.length === limit ? (before[0]?.sort?.[0] as string | number | undefined) : undefined;
    const boundary = oldest === undefined ? [] : await boundaryOf(scope, entityValue, oldest, before);
    return [...boundary, ...before, ...same];
  };
  /** What separately() reads, from the shared search; a time that goes on past what it read is read on its own. */
  const read = async (scope: string, entityValue: string, at: string | number, limit: number): Promise<Hit[]> => {
    // More than an aggregation returns: searches of its own.
    if (limit + BOUNDARY_READ > INNER_RESULT_WINDOW) return separately(scope, entityValue, at, limit);
    let got: SharedRead;
    try {
      got = await shared.read(scope, entityValue, at, limit);
    } catch (err) {
      if (err instanceof SharedSearchFailed) return separately(scope, entityValue, at, limit);
      throw err;
    }
    // The shared read is newest first; what it returns, oldest first.
    const same = got.same.length < SAME_TIME_READ ? [...got.same].reverse() : await allAt(scope, entityValue, at);
    const before = got.before.slice(0, limit).reverse();
    if (got.before.length <= limit) return [...before, ...same];
    const oldest = before[0]?.sort?.[0] as string | number;
    const past = got.before.slice(limit);
    // Every event read past the limit at the oldest's time, unless the read ended still inside that time.
    const boundary =
      got.before.length < limit + BOUNDARY_READ || past.at(-1)?.sort?.[0] !== oldest
        ? past.filter((h) => h.sort?.[0] === oldest).reverse()
        : await boundaryOf(scope, entityValue, oldest, before);
    return [...boundary, ...before, ...same];
  };

  return async (scope, entityValue, until, limit) => {
    // An empty scope would search every index: such requests keep their history in memory only. Events without the
    // entity ('?': an sshd line naming no user) share one history in memory; only the stamp holds that '?' (a document
    // field is missing in such documents, not '?'), so they are refilled only where SeqSentry stamps the entity.
    if (!scope || limit <= 0 || (entityValue === '?' && fields.entity !== STAMPED_FIELDS.entity)) return [];
    const at = fields.timeType === 'date' ? new Date(Math.floor(until * 1000)).toISOString() : until;
    const hits = await read(scope, entityValue, at, limit);
    const events: CanonicalEvent[] = [];
    hits.forEach((hit, i) => {
      try {
        const event = adapter.parse(hit._source ?? {}, { file: `opensearch:${hit._index ?? scope}`, line: i + 1 });
        if (event && !isNoEvent(event)) events.push(event); // a record of no event is no one's history
      } catch (err) {
        if (!(err instanceof AdapterError)) throw err;
        log.debug({ scope, entity: entityValue, reason: err.message }, 'history document skipped: the adapter cannot read it');
      }
    });
    return events;
  };
}
