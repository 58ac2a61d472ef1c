// What install put into the cluster, kept in `.seqsentry-state` as one document (`install:<package>`): the ids, kinds,
// files, hashes and cluster-side ids (connector, model, monitor) that `seqsentry uninstall` removes and nothing else.
import { z } from 'zod';
import { OpenSearchError } from '../core/errors.js';
import { STATE_INDEX } from '../enrich/checkpoints.js';
import { rawRequest, type OpenSearchClient } from '../opensearch/client.js';
import { jsonEqual, type PlanItem } from './plan.js';

const RecordedItemSchema = z
  .object({
    kind: z.string(),
    id: z.string(),
    /** The content file installed, and its sha256 as the manifest lists it. */
    file: z.string().optional(),
    sha256: z.string().optional(),
    /** The content's own version (templates, pipelines). */
    version: z.number().optional(),
    /** The id the cluster gave it, where it is not `id` (connector, model, monitor). */
    resource: z.string().optional(),
    /** Where it lives when that is not OpenSearch (Dashboards saved objects). */
    target: z.literal('dashboards').optional(),
  })
  .strict();
export type RecordedItem = z.infer<typeof RecordedItemSchema>;

const RecordSchema = z.object({
  type: z.literal('install'),
  name: z.string(),
  version: z.string(),
  items: z.array(RecordedItemSchema),
  updated_at: z.string(),
});
export type InstallRecord = z.infer<typeof RecordSchema>;

export const recordId = (packageName: string): string => `install:${packageName}`;

const key = (i: { kind: string; id: string }): string => `${i.kind}\u0000${i.id}`;

/** The items of a run to record: what exists in the cluster after it (created, updated or already there). */
export function installedItems(items: readonly PlanItem[]): RecordedItem[] {
  return items
    .filter((i) => i.action !== 'skip')
    .map((i) => ({ kind: i.kind, id: i.id, ...(i.file ? { file: i.file } : {}), ...(i.sha256 ? { sha256: i.sha256 } : {}), ...(i.version !== undefined ? { version: i.version } : {}), ...(i.resource ? { resource: i.resource } : {}), ...(i.target ? { target: i.target } : {}) }));
}

/** The recorded install, or null when there is none (no state index, or no document). */
export async function readRecord(client: OpenSearchClient, packageName: string): Promise<InstallRecord | null> {
  const path = `/${STATE_INDEX}/_doc/${encodeURIComponent(recordId(packageName))}`;
  const res = await rawRequest(client, 'GET', path, undefined, { accept: [404] });
  const got = res.body as { found?: boolean; _source?: unknown } | undefined;
  if (res.status === 404 || !got?.found) return null;
  const parsed = RecordSchema.safeParse(got._source);
  if (!parsed.success) throw new OpenSearchError(`GET ${path}`, `not an install record: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`, 200, STATE_INDEX);
  return parsed.data;
}

/**
 * Merges this run's items into the recorded ones (an item a later run skips, e.g. ML without --sidecar-url, stays
 * recorded: it is still in the cluster) and writes the document only when it changes, so a second install writes
 * nothing. Returns the plan line for it.
 */
export async function writeRecord(client: OpenSearchClient, packageName: string, version: string, items: readonly RecordedItem[], dryRun: boolean): Promise<PlanItem> {
  const id = recordId(packageName);
  const have = await readRecord(client, packageName);
  const merged = new Map((have?.items ?? []).map((i) => [key(i), i]));
  for (const i of items) merged.set(key(i), i);
  const next = [...merged.values()];
  const line = (action: PlanItem['action'], detail: string): PlanItem => ({ kind: 'state_doc', id, action, detail });
  const detail = `${next.length} items of ${packageName} ${version}`;
  if (have && have.version === version && jsonEqual(have.items, next)) return line('unchanged', detail);
  if (!dryRun) await putRecord(client, packageName, version, next);
  return line(have ? 'update' : 'create', have ? `${detail} (was ${have.items.length} of ${have.version})` : detail);
}

/** Writes the record as `items`, replacing what it held (uninstall keeps only what it left in place). */
export async function putRecord(client: OpenSearchClient, packageName: string, version: string, items: readonly RecordedItem[]): Promise<void> {
  const doc: InstallRecord = { type: 'install', name: packageName, version, items: [...items], updated_at: new Date().toISOString() };
  await rawRequest(client, 'PUT', `/${STATE_INDEX}/_doc/${encodeURIComponent(recordId(packageName))}`, doc, { querystring: { refresh: 'wait_for' } });
}
