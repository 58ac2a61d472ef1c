// `seqsentry uninstall` as a library: removes exactly what install recorded in `.seqsentry-state`, newest first,
// and says per item delete, absent or skip. The user's event indices are never named in the record, so never touched;
// the data SeqSentry itself wrote (notables, checkpoints, suppressions) goes only with deleteData.
import { STATE_INDEX } from '../enrich/checkpoints.js';
import { rawRequest, type OpenSearchClient } from '../opensearch/client.js';
import { loadManifest, PACKAGE_ROOT, type Manifest } from './content.js';
import { getModel, undeployModel } from './ml-commons-api.js';
import { formatActions } from './plan.js';
import { putRecord, readRecord, recordId, type RecordedItem } from './record.js';

export type UninstallAction = 'delete' | 'absent' | 'skip';

export interface UninstallItem {
  kind: string;
  id: string;
  action: UninstallAction;
  detail: string;
  /** Left in place because an admin's object still uses it: it stays in the record. */
  kept?: boolean;
}

export interface UninstallOptions {
  dryRun: boolean;
  /** Also delete seqsentry-entities and `.seqsentry-state` (notables, checkpoints, suppressions). */
  deleteData: boolean;
  /** Removes Dashboards saved objects (item.target 'dashboards'); without it they are skipped. */
  dashboards?: SavedObjectRemover;
  root?: string;
}

/** Deletes (or, in a dry run, looks up) one saved object in Dashboards; answers whether it existed. */
export type SavedObjectRemover = (type: string, id: string, dryRun: boolean) => Promise<boolean>;

interface Ctx {
  client: OpenSearchClient;
  options: UninstallOptions;
  /** `kind:id` of every recorded item: what this uninstall removes (an index template of ours composing ours is no user). */
  ours: ReadonlySet<string>;
}

type Remover = (ctx: Ctx, item: RecordedItem) => Promise<UninstallItem>;

const line = (item: RecordedItem, action: UninstallAction, detail: string): UninstallItem => ({ kind: item.kind, id: item.id, action, detail });

/**
 * GET `path`: absent on 404; otherwise DELETE it (unless a dry run). `before` runs first when it exists. `nameOf`
 * (an object the cluster gave an id: connector, model, monitor): what the GET says its name is, which must be the
 * recorded item's, else it is someone else's object and stays.
 */
function at(pathOf: (item: RecordedItem) => string | undefined, before?: (ctx: Ctx, item: RecordedItem) => Promise<void>, nameOf?: (body: unknown) => unknown): Remover {
  return async (ctx, item) => {
    const path = pathOf(item);
    if (!path) return line(item, 'skip', 'no cluster id was recorded for it');
    const res = await rawRequest(ctx.client, 'GET', path, undefined, { accept: [404] });
    if (res.status === 404) return line(item, 'absent', path);
    const name = nameOf?.(res.body);
    if (nameOf && name !== item.id) return line(item, 'skip', `${path} is named ${JSON.stringify(name)}, not ${item.id}: not SeqSentry's, left alone`);
    if (!ctx.options.dryRun) {
      await before?.(ctx, item);
      await rawRequest(ctx.client, 'DELETE', path, undefined, { accept: [404] });
    }
    return line(item, 'delete', path);
  };
}

/** A data index: deleted only when asked. */
function dataIndex(what: string): Remover {
  const remove = at((i) => `/${encodeURIComponent(i.id)}`);
  return async (ctx, item) => (ctx.options.deleteData ? remove(ctx, item) : line(item, 'skip', `holds ${what}; --delete-data deletes it`));
}

/**
 * Kept where removing it would break what is not ours (an admin's index template composing our component template,
 * an index writing through our pipeline): skipped with the reason, and kept in the record for a later uninstall.
 */
function unlessInUse(remove: Remover, inUse: (ctx: Ctx, item: RecordedItem) => Promise<string | null>): Remover {
  return async (ctx, item) => {
    const why = await inUse(ctx, item);
    return why === null ? remove(ctx, item) : { ...line(item, 'skip', `${why}; kept, and kept in the record`), kept: true };
  };
}

/** Index templates other than the ones this uninstall removes that compose the component template. */
async function composedBy(ctx: Ctx, item: RecordedItem): Promise<string | null> {
  const res = await rawRequest(ctx.client, 'GET', '/_index_template', undefined, { accept: [404] });
  const templates = (res.body as { index_templates?: Array<{ name: string; index_template?: { composed_of?: string[] } }> } | undefined)?.index_templates ?? [];
  const users = templates.filter((t) => !ctx.ours.has(`index_template:${t.name}`) && (t.index_template?.composed_of ?? []).includes(item.id)).map((t) => t.name);
  return users.length ? `composed into index templates ${users.join(', ')} (not SeqSentry's): remove it from their composed_of first` : null;
}

/** Indices whose default or final pipeline is the pipeline: their writes would fail without it. */
async function pipelineUsers(ctx: Ctx, item: RecordedItem): Promise<string | null> {
  const res = await rawRequest(ctx.client, 'GET', '/_all/_settings/index.default_pipeline,index.final_pipeline', undefined, { accept: [404], querystring: { flat_settings: 'true', expand_wildcards: 'all' } });
  const settings = (res.body ?? {}) as Record<string, { settings?: Record<string, unknown> }>;
  const users = Object.entries(settings).filter(([, v]) => v.settings?.['index.default_pipeline'] === item.id || v.settings?.['index.final_pipeline'] === item.id).map(([index]) => index);
  if (users.length === 0) return null;
  const shown = users.length > 10 ? `${users.slice(0, 10).join(', ')} and ${users.length - 10} more` : users.join(', ');
  return `the default or final pipeline of indices ${shown}: their writes would fail without it; unset index.default_pipeline / index.final_pipeline there first`;
}

const REMOVERS: Readonly<Record<string, Remover>> = Object.freeze({
  component_template: unlessInUse(at((i) => `/_component_template/${encodeURIComponent(i.id)}`), composedBy),
  index_template: at((i) => `/_index_template/${encodeURIComponent(i.id)}`),
  ingest_pipeline: unlessInUse(at((i) => `/_ingest/pipeline/${encodeURIComponent(i.id)}`), pipelineUsers),
  ml_connector: at((i) => i.resource && `/_plugins/_ml/connectors/${encodeURIComponent(i.resource)}`, undefined, (b) => (b as { name?: unknown } | undefined)?.name),
  // ML Commons refuses to delete a deployed model.
  ml_model: at((i) => i.resource && `/_plugins/_ml/models/${encodeURIComponent(i.resource)}`, async (ctx, i) => {
    if ((await getModel(ctx.client, String(i.resource))).model_state !== 'UNDEPLOYED') await undeployModel(ctx.client, String(i.resource));
  }, (b) => (b as { name?: unknown } | undefined)?.name),
  monitor: at((i) => i.resource && `/_plugins/_alerting/monitors/${encodeURIComponent(i.resource)}`, undefined, (b) => (b as { monitor?: { name?: unknown } } | undefined)?.monitor?.name),
  state_doc: at((i) => `/${STATE_INDEX}/_doc/${encodeURIComponent(i.id)}`),
  cluster_settings: async (_ctx, item) => line(item, 'skip', 'cluster-wide ML Commons settings are left as they are: other connectors may rely on them'),
  entities_index: dataIndex('the entity notables seqsentry aggregate wrote'),
  state_index: dataIndex('checkpoints and analysts\' suppressions'),
  saved_objects: async (ctx, item) => {
    const [type, id] = splitSavedObject(item.id);
    if (!ctx.options.dashboards) return line(item, 'skip', 'a Dashboards saved object: give --dashboards-url to remove it');
    const existed = await ctx.options.dashboards(type, id, ctx.options.dryRun);
    return line(item, existed ? 'delete' : 'absent', `Dashboards ${type}/${id}`);
  },
});

/** Saved objects are recorded as `<type>:<id>`. */
export function splitSavedObject(recorded: string): [string, string] {
  const at = recorded.indexOf(':');
  return [recorded.slice(0, at), recorded.slice(at + 1)];
}

/** Characters of the ids install gives what it creates (after the package's name) and of the ids the cluster gives. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
const SAFE_RESOURCE = /^[A-Za-z0-9_-]{1,128}$/;
/** The saved object types of the content pack's Dashboards file. */
const SAVED_OBJECT_TYPES: ReadonlySet<string> = new Set(['index-pattern', 'search', 'visualization', 'dashboard']);

/**
 * Why a recorded item is not something install could have created, or null. The record lives in `.seqsentry-state`,
 * which the sidecar's account may write: uninstall deletes only objects named as this package names them (its name
 * first, no wildcard, comma or slash), the two data indices only under the manifest's own ids, and a cluster-given id
 * only when it is one (the object's name is checked at the GET).
 */
function untrusted(item: RecordedItem, manifest: Manifest): string | null {
  const ours = (id: string): boolean => (id.startsWith(manifest.name) || id.startsWith(`.${manifest.name}`)) && SAFE_ID.test(id.replace(/^\./, ''));
  if (item.resource !== undefined && !SAFE_RESOURCE.test(item.resource)) return `cluster id ${JSON.stringify(item.resource)} is not one the cluster gives`;
  switch (item.kind) {
    case 'state_doc':
      return null; // a document of our own state index
    case 'entities_index':
    case 'state_index': {
      const listed = manifest.content.find((e) => e.kind === item.kind)?.id;
      return item.id === listed ? null : `not the manifest's ${item.kind} (${String(listed)})`;
    }
    case 'saved_objects': {
      const [type, id] = splitSavedObject(item.id);
      return SAVED_OBJECT_TYPES.has(type) && ours(id) ? null : 'not a saved object of the content pack';
    }
    default:
      return ours(item.id) ? null : `not named as ${manifest.name} names what it installs`;
  }
}

/** The skip line of an item uninstall does not touch (untrusted), or null. */
function refused(item: RecordedItem, manifest: Manifest): UninstallItem | null {
  const why = untrusted(item, manifest);
  return why === null ? null : line(item, 'skip', `${why}: left alone (was .seqsentry-state edited?)`);
}

/** Newest first, so a model goes before its connector and an index template before its component templates; the state index last. */
function removalOrder(items: readonly RecordedItem[]): RecordedItem[] {
  const reversed = [...items].reverse();
  return [...reversed.filter((i) => i.kind !== 'state_index'), ...reversed.filter((i) => i.kind === 'state_index')];
}

export async function uninstall(client: OpenSearchClient, options: UninstallOptions): Promise<UninstallItem[]> {
  const manifest = loadManifest(options.root ?? PACKAGE_ROOT);
  const record = await readRecord(client, manifest.name);
  if (!record) return [];
  const ctx: Ctx = { client, options, ours: new Set(record.items.map((i) => `${i.kind}:${i.id}`)) };
  const out: UninstallItem[] = [];
  const own: RecordedItem = { kind: 'state_doc', id: recordId(manifest.name) };
  const ordered = removalOrder(record.items);
  const stateIndex = ordered.at(-1)?.kind === 'state_index' ? ordered.pop() : undefined;
  const kept: RecordedItem[] = [];
  for (const item of ordered) {
    const remover = REMOVERS[item.kind];
    const done = refused(item, manifest) ?? (remover ? await remover(ctx, item) : line(item, 'skip', `no remover for kind ${item.kind} in this version`));
    if (done.kept) kept.push(item);
    out.push(done);
  }
  if (kept.length > 0) {
    // The record then holds what is still ours, so that an uninstall after the admin's change removes it.
    // in the record's order, so that a later uninstall removes them newest first as this one would have
    if (!options.dryRun) await putRecord(client, manifest.name, record.version, record.items.filter((i) => kept.includes(i)));
    out.push(line(own, 'skip', `kept: it records the ${kept.length} item(s) left in place`));
    if (stateIndex) out.push(line(stateIndex, 'skip', 'kept: it holds the record of the items left in place'));
    return out;
  }
  for (const item of [own, ...(stateIndex ? [stateIndex] : [])]) {
    out.push(refused(item, manifest) ?? (await (REMOVERS[item.kind] as Remover)(ctx, item)));
  }
  return out;
}

export function formatUninstall(items: readonly UninstallItem[], dryRun: boolean): string {
  if (items.length === 0) return 'Nothing recorded: no SeqSentry install found in .seqsentry-state.';
  return formatActions(items, ['delete', 'absent', 'skip'], dryRun ? 'Plan (dry run, nothing changed):' : 'Removed:');
}
