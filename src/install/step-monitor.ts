// Alerting monitors: put through the Alerting API when the plugin is there (found by name, compared by what the
// content decides: input indices, queries, trigger scripts and their thresholds); otherwise kept for a file the
// admin can post, and the plan says so.
import { z } from 'zod';
import { rawRequest, type OpenSearchClient } from '../opensearch/client.js';
import { jsonEqual, NEW_ID, type Step } from './plan.js';

export const ALERTING_PLUGIN = 'opensearch-alerting';
const API = '/_plugins/_alerting/monitors';

const SearchSchema = z.object({ hits: z.object({ hits: z.array(z.object({ _id: z.string(), _source: z.record(z.string(), z.unknown()) })) }) });

/**
 * The parts of a monitor the content pack decides, in the form the Alerting API returns them: it adds ids, times,
 * `gap_policy` to a bucket-level condition, `fields`/`query_field_names` to doc-level queries, and rewrites a range's
 * gte/lte as from/to, so those are left out of the comparison (the thresholds live in the trigger scripts' params).
 */
function essence(monitor: Record<string, unknown>): unknown {
  const triggers = ((monitor.triggers ?? []) as Record<string, Record<string, any>>[]).map((t) => {
    const [kind, body] = Object.entries(t)[0] ?? ['', {} as Record<string, any>];
    const c = body.condition ?? {};
    return { kind, name: body.name, severity: String(body.severity), script: { source: c.script?.source, params: c.script?.params ?? {} }, buckets_path: c.buckets_path, parent: c.parent_bucket_path };
  });
  const inputs = ((monitor.inputs ?? []) as Record<string, Record<string, any>>[]).map((i) => {
    const [kind, body] = Object.entries(i)[0] ?? ['', {} as Record<string, any>];
    const queries = ((body.queries ?? []) as Array<Record<string, unknown>>).map((q) => ({ id: q.id, query: q.query, tags: q.tags ?? [] }));
    return { kind, indices: body.indices, queries };
  });
  return { type: monitor.monitor_type, schedule: monitor.schedule, enabled: monitor.enabled, inputs, triggers };
}

async function findMonitor(client: OpenSearchClient, name: string): Promise<{ id: string; monitor: Record<string, unknown> } | undefined> {
  const res = await rawRequest(client, 'POST', `${API}/_search`, { query: { match_phrase: { 'monitor.name': name } }, size: 10 }, { accept: [404] });
  if (res.status === 404) return undefined;
  const hit = SearchSchema.parse(res.body).hits.hits.map((h) => ({ id: h._id, monitor: (h._source.monitor ?? h._source) as Record<string, unknown> })).find((h) => h.monitor.name === name);
  return hit;
}

export const monitorStep: Step = async (ctx, entry, file, body) => {
  const name = String(body.name);
  const item = { kind: entry.kind, id: entry.id };
  if (!ctx.capabilities.plugins.has(ALERTING_PLUGIN)) {
    ctx.exportedMonitors.push(body);
    return { ...item, action: 'skip', detail: `no Alerting plugin on this cluster: ${ctx.dryRun ? 'would be written' : 'written'} to ${ctx.monitorsFile} for POST ${API}` };
  }
  const existing = await findMonitor(ctx.client, name);
  // The plugin rewrites parts of a query; a changed content file (its sha256 against the recorded one) is an update.
  const sameFile = ctx.recorded.get(`${entry.kind}:${entry.id}`)?.sha256 === ctx.fileSha256[file];
  if (existing && sameFile && jsonEqual(essence(existing.monitor), essence(body))) return { ...item, action: 'unchanged', detail: `monitor ${existing.id}`, resource: existing.id };
  if (existing) {
    if (!ctx.dryRun) await rawRequest(ctx.client, 'PUT', `${API}/${existing.id}`, body);
    return { ...item, action: 'update', detail: `monitor ${existing.id}`, resource: existing.id };
  }
  const id = ctx.dryRun ? NEW_ID : z.object({ _id: z.string() }).parse((await rawRequest(ctx.client, 'POST', API, body)).body)._id;
  return { ...item, action: 'create', detail: `monitor ${id}`, ...(id !== NEW_ID ? { resource: id } : {}) };
};
