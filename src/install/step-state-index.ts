// The `.seqsentry-state` index: created with its strict mapping, or migrated when `_meta.schema_version` is older
// (or, at the same one, when it lacks fields of the mapping).
import { OpenSearchError } from '../core/errors.js';
import { rawRequest } from '../opensearch/client.js';
import { pick, type Step } from './plan.js';
import { missingProperties, type Properties } from './step-templates.js';

export const stateIndexStep: Step = async (ctx, entry, file, body) => {
  const index = entry.id;
  const wanted = pick(body, 'mappings._meta.schema_version');
  if (typeof wanted !== 'number') throw new OpenSearchError('install', `${file}: mappings._meta.schema_version must be a number`, undefined, index);
  const res = await rawRequest(ctx.client, 'GET', `/${index}/_mapping`, undefined, { accept: [404] });
  const item = (action: 'create' | 'update' | 'unchanged' | 'skip', detail: string) => ({ kind: entry.kind, id: index, action, detail });
  if (res.status === 404) {
    if (!ctx.dryRun) await rawRequest(ctx.client, 'PUT', `/${index}`, body);
    return item('create', `schema_version ${wanted}`);
  }
  // GET /<index>/_mapping answers by concrete index name; an alias would give another key, so take the first.
  const mapping = Object.values(res.body as Record<string, { mappings?: unknown }>)[0]?.mappings;
  const have = pick(mapping, '_meta.schema_version');
  if (have === wanted) {
    // The same schema, but fields may have gone missing where the index was made by hand: they are added back
    const missing = missingProperties(pick(mapping, 'properties') as Properties | undefined, (pick(body, 'mappings.properties') ?? {}) as Properties);
    if (!missing) return item('unchanged', `schema_version ${wanted}`);
    if (!ctx.dryRun) await rawRequest(ctx.client, 'PUT', `/${index}/_mapping`, { properties: missing });
    return item('update', `schema_version ${wanted}, fields it lacked added: ${Object.keys(missing).join(', ')}`);
  }
  if (typeof have === 'number' && have > wanted) return item('skip', `cluster has schema_version ${have}, newer than this package's ${wanted}; not downgrading`);
  // Migration: new fields are added in place. A change to an existing field's type is refused by OpenSearch and
  // reported; that needs a reindex, which a later schema version will ship as its own migration.
  if (!ctx.dryRun) await rawRequest(ctx.client, 'PUT', `/${index}/_mapping`, pick(body, 'mappings'));
  return item('update', `schema_version ${String(have ?? '-')} → ${wanted} (mapping migrated in place)`);
};
