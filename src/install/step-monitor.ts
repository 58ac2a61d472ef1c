// Alerting monitors: put through the Alerting API when the plugin is there (found by name, compared by what the
// content decides: input indices, queries, trigger scripts and their thresholds); otherwise kept for a file the
// admin can post, and the plan says so.
import { z } from 'zod';
import { rawRequest, type OpenSearchClient } from '../opensearch/client.js';
import { jsonEqual, NEW_ID, type Step } from './plan.js';

export const ALERTING_PLUGIN = 'opensearch-alerting';
const API = '/_plugins/_alerting/monitors';

const SearchSchema = z.object({ hits: z.object({ hits: z.array(z.object({ _id: z.string(), _source: z.record(z.string(), z.unknown()) })) }) });

/** The parts of a monitor the content pack decides; the rest (ids, times, normalised query forms) the plugin owns. */
function essence(monitor: Record<string, unknown>): unknown {
  const triggers = ((monitor.triggers ?? []) as Record<string, Record<string, unknown>>[]).map((t) => {
    const [kind, body] = Object.entries(t)[0] ?? ['', {}];
    return { kind, name: body.name, severity: body.severity, condition: body.condition };
  });
  const inputs = ((monitor.inputs ?? []) as Record<string, Record<string, unknown>>[]).map((i) => {
    const [kind, body] = Object.entries(i)[0] ?? ['', {}];
    return { kind, indices: body.indices, queries: body.queries };
  });
  return { type: monitor.monitor_type, schedule: monitor.schedule, enabled: monitor.enabled, inputs, triggers };
}

async function findMonitor(client: OpenSearchClient, name: string): Promise<{ id: string; monitor: Record<string, unknown> } | undefined> {
  const res = await rawRequest(client, 'POST', `${API}/_search`, { query: { match_phrase: { 'monitor.name': name } }, size: 10 }, { accept: [404] });
  if (res.status === 404) return undefined;
  const hit = SearchSchema.parse(res.body).hits.hits.map((h) => ({ id: h._id, monitor: (h._source.monitor ?? h._source) as Record<string, unknown> })).find((h) => h.monitor.name === name);
  return hit;
}

export const monitorStep: Step = async (ctx, entry, _file, body) => {
  const name = String(body.name);
  const item = { kind: entry.kind, id: entry.id };
  if (!ctx.capabilities.plugins.has(ALERTING_PLUGIN)) {
    ctx.exportedMonitors.push(body);
    return { ...item, action: 'skip', detail: `no Alerting plugin on this cluster: ${ctx.dryRun ? 'would be written' : 'written'} to ${ctx.monitorsFile} for POST ${API}` };
  }
  const existing = await findMonitor(ctx.client, name);
  if (existing && jsonEqual(essence(existing.monitor), essence(body))) return { ...item, action: 'unchanged', detail: `monitor ${existing.id}`, resource: existing.id };
  if (existing) {
    if (!ctx.dryRun) await rawRequest(ctx.client, 'PUT', `${API}/${existing.id}`, body);
    return { ...item, action: 'update', detail: `monitor ${existing.id}`, resource: existing.id };
  }
  const id = ctx.dryRun ? NEW_ID : z.object({ _id: z.string() }).parse((await rawRequest(ctx.client, 'POST', API, body)).body)._id;
  return { ...item, action: 'create', detail: `monitor ${id}`, ...(id !== NEW_ID ? { resource: id } : {}) };
};
