// The few OpenSearch Dashboards saved-object calls install and uninstall make: bulk get, import, delete. Every call
// carries `osd-xsrf: true` (Dashboards refuses writes without it) and, when set, the OpenSearch credentials (Dashboards
// with the security plugin logs in against the same users).
import { rootCertificates } from 'node:tls';
import { Agent, fetch, FormData, type Response } from 'undici';
import { z } from 'zod';
import { OpenSearchError } from '../core/errors.js';

export interface SavedObject {
  id: string;
  type: string;
  attributes: Record<string, unknown>;
  references: Array<{ name: string; type: string; id: string }>;
  migrationVersion?: Record<string, string>;
}

export interface DashboardsTarget {
  url: string;
  username?: string;
  password?: string;
  /** PEMs of the CAs trusted beside Node's bundled ones (a private CA that signed Dashboards', NODE_EXTRA_CA_CERTS). */
  ca?: string[];
  /** Where the CAs besides Node's came from (the file, and NODE_EXTRA_CA_CERTS when set), named when a connection fails. */
  caFile?: string;
}

/** One connection pool per private CA: calls to one Dashboards share it. */
const agents = new Map<string, Agent>();

function dispatcher(target: DashboardsTarget): Agent | undefined {
  if (target.ca === undefined) return undefined;
  const key = target.ca.join('\n');
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({ connect: { ca: [...rootCertificates, ...target.ca] } });
    agents.set(key, agent);
  }
  return agent;
}

const BulkGetSchema = z.object({
  saved_objects: z.array(z.object({
    id: z.string(),
    type: z.string(),
    attributes: z.record(z.string(), z.unknown()).optional(),
    references: z.array(z.object({ name: z.string(), type: z.string(), id: z.string() })).optional(),
    error: z.object({ statusCode: z.number() }).passthrough().optional(),
  })),
});

const ImportSchema = z.object({
  success: z.boolean(),
  successCount: z.number().optional(),
  errors: z.array(z.object({ id: z.string(), type: z.string(), error: z.record(z.string(), z.unknown()) }).passthrough()).optional(),
});

function headers(target: DashboardsTarget, json: boolean): Record<string, string> {
  const out: Record<string, string> = { 'osd-xsrf': 'true' };
  if (json) out['content-type'] = 'application/json';
  if (target.username !== undefined) out.authorization = `Basic ${Buffer.from(`${target.username}:${target.password ?? ''}`).toString('base64')}`;
  return out;
}

async function call(target: DashboardsTarget, method: string, path: string, body?: string | FormData, json = true, accept: number[] = []): Promise<{ status: number; body: unknown }> {
  const where = `${method} ${target.url}${path}`;
  let res: Response;
  try {
    const agent = dispatcher(target);
    res = await fetch(`${target.url.replace(/\/+$/, '')}${path}`, { method, headers: headers(target, json && body !== undefined), ...(body !== undefined ? { body } : {}), ...(agent ? { dispatcher: agent } : {}), signal: AbortSignal.timeout(60_000) });
  } catch (err) {
    const trusted = target.caFile ? ` (its certificate checked against Node's bundled CAs and ${target.caFile})` : '';
    throw new OpenSearchError(where, `Dashboards did not answer: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}${trusted}`);
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // A proxy's HTML error page: kept as text for the message.
  }
  if (!res.ok && !accept.includes(res.status)) throw new OpenSearchError(where, `Dashboards answered ${res.status}: ${text.slice(0, 300)}`, res.status);
  return { status: res.status, body: parsed };
}

/** The stored versions of these objects (attributes and references), or undefined for those Dashboards does not have. */
export async function bulkGet(target: DashboardsTarget, objects: ReadonlyArray<{ type: string; id: string }>): Promise<Map<string, SavedObject | undefined>> {
  const res = await call(target, 'POST', '/api/saved_objects/_bulk_get', JSON.stringify(objects.map(({ type, id }) => ({ type, id }))));
  const parsed = BulkGetSchema.safeParse(res.body);
  if (!parsed.success) throw new OpenSearchError(`POST ${target.url}/api/saved_objects/_bulk_get`, `unexpected answer: ${parsed.error.issues[0]?.message}`);
  return new Map(parsed.data.saved_objects.map((o) => [`${o.type}:${o.id}`, o.error ? undefined : { id: o.id, type: o.type, attributes: o.attributes ?? {}, references: o.references ?? [] }]));
}

/** Imports ndjson saved objects, overwriting those with the same ids; fails naming every object Dashboards refused. */
export async function importSavedObjects(target: DashboardsTarget, ndjson: string, fileName: string): Promise<number> {
  const form = new FormData();
  form.append('file', new Blob([ndjson], { type: 'application/ndjson' }), fileName);
  const res = await call(target, 'POST', '/api/saved_objects/_import?overwrite=true', form, false);
  const parsed = ImportSchema.safeParse(res.body);
  if (!parsed.success) throw new OpenSearchError(`POST ${target.url}/api/saved_objects/_import`, `unexpected answer: ${parsed.error.issues[0]?.message}`);
  if (!parsed.data.success) {
    const why = (parsed.data.errors ?? []).map((e) => `${e.type}:${e.id} ${JSON.stringify(e.error)}`).join('; ');
    throw new OpenSearchError(`POST ${target.url}/api/saved_objects/_import`, `Dashboards refused ${fileName}: ${why || 'no reason given'}`);
  }
  return parsed.data.successCount ?? 0;
}

/** Deletes one saved object (in a dry run, only looks it up); answers whether it existed. */
export async function deleteSavedObject(target: DashboardsTarget, type: string, id: string, dryRun: boolean): Promise<boolean> {
  const path = `/api/saved_objects/${encodeURIComponent(type)}/${encodeURIComponent(id)}`;
  const res = await call(target, dryRun ? 'GET' : 'DELETE', path, undefined, false, [404]);
  return res.status !== 404;
}
