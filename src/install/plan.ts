// The installer's plan: one line per content item saying what it does (create, update, unchanged, skip) and why.
import type { OpenSearchClient } from '../opensearch/client.js';
import type { Capabilities } from './capabilities.js';
import type { ContentEntry } from './content.js';
import type { DashboardsTarget } from './dashboards-api.js';

export type Action = 'create' | 'update' | 'unchanged' | 'skip';

export interface PlanItem {
  kind: string;
  id: string;
  action: Action;
  /** Why: the versions compared, the reason for a skip. */
  detail: string;
  /** The content file it came from and that file's sha256 (set by the installer). */
  file?: string;
  sha256?: string;
  /** The content's own `version` (templates, pipelines), when it has one. */
  version?: number;
  /** The id the cluster gave it, where that is not `id` (connector, model, monitor). */
  resource?: string;
  /** Where it lives when that is not OpenSearch. */
  target?: 'dashboards';
}

/** Shared by the steps of one run; ML steps fill connector_id and model_id for the ones after them. */
export interface InstallContext {
  client: OpenSearchClient;
  dryRun: boolean;
  /** Placeholder values for content files. */
  vars: Record<string, unknown>;
  /** Name of the package, for _meta and the model registry. */
  packageName: string;
  capabilities: Capabilities;
  /** Monitors rendered for a cluster without the Alerting plugin, written to `monitorsFile` after the run. */
  exportedMonitors: Record<string, unknown>[];
  monitorsFile: string;
  /** Saved objects rendered when no Dashboards is given, for the installer's `dashboardsFile`. */
  exportedSavedObjects: Record<string, unknown>[];
  /** What the last install recorded (kind:id → item), and every content file's sha256 from the manifest. */
  recorded: ReadonlyMap<string, { sha256?: string; resource?: string }>;
  fileSha256: Readonly<Record<string, string>>;
  /** OpenSearch Dashboards, when --dashboards-url is given. */
  dashboards?: DashboardsTarget;
  log: (line: string) => void;
}

/** A content kind's installer: compares what exists with the content and, unless dry-run, applies the difference. */
export type Step = (ctx: InstallContext, entry: ContentEntry, file: string, body: Record<string, unknown>) => Promise<PlanItem | PlanItem[]>;

/** Stands for an id the run would create, in a dry run. */
export const NEW_ID = '<new>';

export function formatPlan(items: PlanItem[], dryRun: boolean): string {
  return formatActions(items, ['create', 'update', 'unchanged', 'skip'], dryRun ? 'Plan (dry run, nothing changed):' : 'Changes:');
}

/** One line per item (action, kind, id, detail) under a heading, and a count per action. */
export function formatActions<A extends string>(items: ReadonlyArray<{ kind: string; id: string; action: A; detail: string }>, actions: readonly A[], heading: string): string {
  const actionWidth = Math.max(...actions.map((a) => a.length));
  const kindWidth = Math.max(...items.map((i) => i.kind.length), 4);
  const idWidth = Math.max(...items.map((i) => i.id.length), 2);
  const lines = items.map((i) => `  ${i.action.padEnd(actionWidth)} ${i.kind.padEnd(kindWidth)}  ${i.id.padEnd(idWidth)}  ${i.detail}`);
  const counts = actions.map((a) => `${items.filter((i) => i.action === a).length} ${a}`);
  return [heading, ...lines, `  ${counts.join(', ')}`].join('\n');
}

/** Reads `a.b.c` from a parsed JSON object. */
export function pick(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Structural equality for JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => jsonEqual(x, (b as unknown[])[i]));
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
