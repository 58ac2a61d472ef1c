// What the target cluster offers (version, plugins, ingest processors, modules), and which content it can take.
import { z } from 'zod';
import { OpenSearchError } from '../core/errors.js';
import { rawRequest, type OpenSearchClient } from '../opensearch/client.js';
import type { ContentEntry, Manifest, Requires } from './content.js';

export interface Capabilities {
  version: string;
  distribution: string;
  /** Plugin components installed on every node (`_cat/plugins` `component`). */
  plugins: Set<string>;
  /** Ingest processor types every ingest node has. */
  processors: Set<string>;
  /** Modules every node has. */
  modules: Set<string>;
}

const RootSchema = z.object({ version: z.object({ number: z.string(), distribution: z.string().default('elasticsearch') }) });
const CatPluginsSchema = z.array(z.object({ name: z.string(), component: z.string() }));
const NodesIngestSchema = z.object({
  nodes: z.record(z.string(), z.object({ ingest: z.object({ processors: z.array(z.object({ type: z.string() })) }).optional() })).default({}),
});
const NodesModulesSchema = z.object({
  nodes: z.record(z.string(), z.object({ modules: z.array(z.object({ name: z.string() })).default([]) })).default({}),
});

function parse<T>(schema: z.ZodType<T>, body: unknown, operation: string): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new OpenSearchError(operation, `unexpected response: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

/** Present on every node: one node without a plugin or processor would fail the documents routed to it. */
function onEveryNode(perNode: string[][]): Set<string> {
  if (perNode.length === 0) return new Set();
  const [first, ...rest] = perNode;
  return new Set((first ?? []).filter((x) => rest.every((n) => n.includes(x))));
}

/** Reads `_cat/plugins` output (JSON rows): the plugins every node in the listing has. */
export function pluginsFromCat(rows: Array<{ name: string; component: string }>): Set<string> {
  const byNode = new Map<string, string[]>();
  for (const r of rows) byNode.set(r.name, [...(byNode.get(r.name) ?? []), r.component]);
  return onEveryNode([...byNode.values()]);
}

export async function probeCluster(client: OpenSearchClient): Promise<Capabilities> {
  const root = parse(RootSchema, (await rawRequest(client, 'GET', '/')).body, 'GET /');
  const cat = parse(CatPluginsSchema, (await rawRequest(client, 'GET', '/_cat/plugins', undefined, { querystring: { format: 'json' } })).body, 'GET _cat/plugins');
  const ingest = parse(NodesIngestSchema, (await rawRequest(client, 'GET', '/_nodes/ingest')).body, 'GET _nodes/ingest');
  const mods = parse(NodesModulesSchema, (await rawRequest(client, 'GET', '/_nodes/plugins')).body, 'GET _nodes/plugins');
  const ingestNodes = Object.values(ingest.nodes).filter((n) => n.ingest);
  return {
    version: root.version.number,
    distribution: root.version.distribution,
    plugins: pluginsFromCat(cat),
    processors: onEveryNode(ingestNodes.map((n) => (n.ingest?.processors ?? []).map((p) => p.type))),
    modules: onEveryNode(Object.values(mods.nodes).map((n) => n.modules.map((m) => m.name))),
  };
}

/** The requirements a cluster lacks, as readable phrases; empty when it has them all. */
export function missing(requires: Requires | undefined, caps: Capabilities): string[] {
  if (!requires) return [];
  const out: string[] = [];
  for (const p of requires.plugins ?? []) if (!caps.plugins.has(p)) out.push(`plugin ${p}${p === 'opensearch-ml' ? ' (ML Commons)' : ''}`);
  for (const p of requires.processors ?? []) if (!caps.processors.has(p)) out.push(`ingest processor ${p}`);
  for (const m of requires.modules ?? []) if (!caps.modules.has(m)) out.push(`module ${m}`);
  return out;
}

export interface SelectOptions {
  indexPatterns: string[];
  /** Why the ML steps cannot run (no sidecar URL or token), or null. */
  mlBlocked: string | null;
}

export type Selection = { entry: ContentEntry; file: string } | { entry: ContentEntry; skip: string };

const ML_KINDS: ReadonlySet<string> = new Set(['cluster_settings', 'ml_connector', 'ml_model', 'ingest_pipeline']);

/** Decides per manifest entry which file to install, or why it is skipped. Pure: no cluster calls. */
export function selectContent(manifest: Manifest, caps: Capabilities, options: SelectOptions): Selection[] {
  return manifest.content.map((entry): Selection => {
    if (entry.only_with === 'index_patterns' && options.indexPatterns.length === 0) return { entry, skip: 'no --index-pattern given' };
    const lacks = missing(entry.requires, caps);
    if (lacks.length > 0) return { entry, skip: `cluster lacks ${lacks.join(', ')}` };
    if (ML_KINDS.has(entry.kind) && options.mlBlocked) return { entry, skip: options.mlBlocked };
    if (entry.file) return { entry, file: entry.file };
    const variants = entry.variants ?? [];
    const fit = variants.find((v) => missing(v.requires, caps).length === 0);
    if (fit) return { entry, file: fit.file };
    const last = variants.at(-1);
    return { entry, skip: `cluster lacks ${missing(last?.requires, caps).join(', ')}` };
  });
}

/** Compares dotted release numbers: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length, 3); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
