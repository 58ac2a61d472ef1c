// `seqsentry install` as a library: probe the cluster, pick the content it can take, and put what differs.
import { ConfigError, OpenSearchError, SeqSentryError, UsageError } from '../core/errors.js';
import { STATE_INDEX } from '../enrich/checkpoints.js';
import { MIN_TOKEN_LENGTH } from '../config/serve-config.js';
import { rawRequest, type OpenSearchClient } from '../opensearch/client.js';
import { writeFileSync } from 'node:fs';
import { ENTITIES_INDEX } from '../aggregate/aggregate-options.js';
import { AlertingConfigSchema, thresholdVars, type AlertingConfig } from './alert-thresholds.js';
import { compareVersions, probeCluster, selectContent, type Capabilities, type Selection } from './capabilities.js';
import { loadListedContent, loadManifest, PACKAGE_ROOT, render, type ContentKind, type Manifest } from './content.js';
import { ingestPipelineStep } from './step-ingest-pipeline.js';
import { mlConnectorStep } from './step-ml-connector.js';
import { mlModelStep } from './step-ml-model.js';
import { mlSettingsStep, trustedEndpointRegex } from './step-ml-settings.js';
import { ALERTING_PLUGIN, monitorStep } from './step-monitor.js';
import { savedObjectsStep } from './step-saved-objects.js';
import type { DashboardsTarget } from './dashboards-api.js';
import { stateIndexStep } from './step-state-index.js';
import { componentTemplateStep, indexTemplateStep } from './step-templates.js';
import { pick, type InstallContext, type PlanItem, type Step } from './plan.js';
import { installedItems, readRecord, recordId, writeRecord } from './record.js';

/** One installer per content kind. */
const STEPS: Readonly<Record<ContentKind, Step>> = Object.freeze({
  component_template: componentTemplateStep,
  index_template: indexTemplateStep,
  state_index: stateIndexStep,
  entities_index: stateIndexStep,
  cluster_settings: mlSettingsStep,
  ml_connector: mlConnectorStep,
  ml_model: mlModelStep,
  ingest_pipeline: ingestPipelineStep,
  monitor: monitorStep,
  saved_objects: savedObjectsStep,
});

export interface InstallOptions {
  sidecarUrl?: string;
  token?: string;
  /** Event index patterns to add to those the installed `seqsentry-events` template already carries. */
  indexPatterns: string[];
  /** Installed event index patterns to drop (`--remove-index-pattern`). */
  removeIndexPatterns?: string[];
  /** The given patterns replace the installed ones instead of adding to them (`--replace-index-patterns`; the demo). */
  replaceIndexPatterns?: boolean;
  dryRun: boolean;
  /** The bundle whose calibration sizes the monitors' thresholds. */
  modelDir?: string;
  /** The acceptance rate (alerts a day per monitor) and, optionally, the event volume. */
  alerting?: AlertingConfig;
  /** Where monitors go when the cluster has no Alerting plugin (default seqsentry-monitors.json). */
  monitorsFile?: string;
  /** OpenSearch Dashboards to import the saved objects into. */
  dashboards?: DashboardsTarget;
  /** Without `dashboards`: where to write the saved objects, placeholders filled, as an ndjson file to import. */
  dashboardsFile?: string;
  root?: string;
  log?: (line: string) => void;
}

/** Alerts a day per monitor when the admin sets none: the acceptance rate is theirs to choose. */
export const DEFAULT_ALERTS_PER_DAY = 5;

export interface FilledMonitor {
  id: string;
  thresholds: 'user' | 'host' | 'event';
  body: Record<string, unknown>;
}

export interface InstallResult {
  items: PlanItem[];
  capabilities: Capabilities;
  /** What the admin should know beyond the plan: how the monitors were sized, where they were written. */
  notes: string[];
  /**
   * Every selected monitor as filled in (thresholds included), whether put through the Alerting API or written to a
   * file, with the entities its manifest entry sizes it for (user, host, or single events).
   */
  monitors: FilledMonitor[];
  /** The saved-objects file written for import (`dashboardsFile`), when one was. */
  dashboardsFile?: string;
  /** The event index patterns installed (the template's before, with those given added and those removed taken out). */
  indexPatterns: string[];
}

/** The manifest entry of the template over the user's event indices. */
const EVENTS_TEMPLATE = 'seqsentry-events';

/**
 * The event index patterns the installed `seqsentry-events` template carries (none when it is absent). The name is
 * the package's: a template under it that lost its `_meta` (put again by hand) still holds the admin's patterns.
 */
async function installedIndexPatterns(client: OpenSearchClient): Promise<string[]> {
  const res = await rawRequest(client, 'GET', `/_index_template/${EVENTS_TEMPLATE}`, undefined, { accept: [404] });
  const template = res.status === 404 ? undefined : pick(res.body, 'index_templates.0.index_template');
  if (!template) return [];
  const patterns = pick(template, 'index_patterns');
  return (Array.isArray(patterns) ? patterns : [patterns]).filter((p): p is string => typeof p === 'string');
}

/**
 * The event index patterns this install puts: those installed before (a second install for another source adds to
 * them instead of re-pointing the template, the monitors and the dashboards), the given ones, less the removed ones.
 */
function eventPatterns(installed: readonly string[], given: readonly string[], removed: readonly string[]): string[] {
  for (const r of removed) {
    if (!installed.includes(r)) throw new UsageError(`--remove-index-pattern ${JSON.stringify(r)}: not an installed event index pattern (installed: ${installed.join(', ') || 'none'})`);
    if (given.includes(r)) throw new UsageError(`--remove-index-pattern ${JSON.stringify(r)} is also given as --index-pattern`);
  }
  const patterns = [...new Set([...installed, ...given])].filter((p) => !removed.includes(p));
  if (removed.length > 0 && patterns.length === 0) throw new UsageError(`--remove-index-pattern: no event index pattern would be left; \`seqsentry uninstall\` removes the template, its monitor and dashboards`);
  return patterns;
}

function checkHttpUrl(url: string, flag: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`${flag} must be an http(s) URL, got "${url}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`${flag} must be http or https, got ${u.protocol}`);
  if (u.search || u.hash) throw new UsageError(`${flag} takes no query or fragment`);
  return url.replace(/\/+$/, '');
}

/**
 * Why an --index-pattern may not carry our template, or null: a template of priority 150 over hidden and system
 * indices (a leading `.`, `*` or `_all`, which also match `.seqsentry-state` and the security plugin's own) would
 * change their mappings; a comma is two patterns, given as two options.
 */
export function indexPatternRefusal(pattern: string): string | null {
  if (pattern === '' || pattern.trim() !== pattern) return 'empty, or blanks around it';
  if (pattern.startsWith('.') || pattern.startsWith('*') || pattern === '_all') return 'it would match hidden and system indices (.seqsentry-state, the security plugin\'s); name your event indices, e.g. logs-auth-*';
  if (/[,\s"\\/|<>?#]/.test(pattern)) return 'not an index pattern (a comma, a blank or one of "\\/|<>?#): give each pattern its own --index-pattern';
  return null;
}

export async function install(client: OpenSearchClient, options: InstallOptions): Promise<InstallResult> {
  // The sidecar refuses a shorter token (serve's auth): a connector holding one could never score.
  if (options.token !== undefined && options.token.length < MIN_TOKEN_LENGTH) {
    throw new UsageError(`--token (or SEQSENTRY_TOKEN): a sidecar token must be at least ${MIN_TOKEN_LENGTH} characters, as serve requires`);
  }
  for (const p of options.indexPatterns) {
    const why = indexPatternRefusal(p);
    if (why) throw new UsageError(`--index-pattern ${JSON.stringify(p)}: ${why}`);
  }
  const root = options.root ?? PACKAGE_ROOT;
  const log = options.log ?? (() => {});
  const manifest = loadManifest(root);
  const caps = await probeCluster(client);
  const { min, below } = manifest.conditions.opensearch;
  if (caps.distribution !== 'opensearch' || compareVersions(caps.version, min) < 0 || compareVersions(caps.version, below) >= 0) {
    throw new OpenSearchError('install', `${manifest.name} ${manifest.version} needs OpenSearch >= ${min} and < ${below}; the cluster is ${caps.distribution} ${caps.version}`);
  }
  if (options.replaceIndexPatterns && options.removeIndexPatterns?.length) throw new UsageError('--remove-index-pattern and --replace-index-patterns: give one (with --replace-index-patterns only the given patterns stay)');
  if (options.replaceIndexPatterns && options.indexPatterns.length === 0) throw new UsageError('--replace-index-patterns needs the patterns to put, --index-pattern');
  const installedPatterns = options.replaceIndexPatterns ? [] : await installedIndexPatterns(client);
  const indexPatterns = eventPatterns(installedPatterns, options.indexPatterns, options.removeIndexPatterns ?? []);
  // A pattern an older version (or an edit of the template) put there is held to today's rule as well.
  for (const p of indexPatterns) {
    const why = indexPatternRefusal(p);
    if (why) throw new UsageError(`installed event index pattern ${JSON.stringify(p)}: ${why} (drop it with --remove-index-pattern)`);
  }
  const sidecarUrl = options.sidecarUrl ? checkHttpUrl(options.sidecarUrl, '--sidecar-url') : undefined;
  const mlBlocked = !sidecarUrl
    ? 'no --sidecar-url: ML Commons needs the sidecar address'
    : !options.token
      ? 'no --token (or SEQSENTRY_TOKEN): the connector needs the sidecar bearer token'
      : null;
  const ctx: InstallContext = {
    client,
    dryRun: options.dryRun,
    packageName: manifest.name,
    capabilities: caps,
    exportedMonitors: [],
    exportedSavedObjects: [],
    monitorsFile: options.monitorsFile ?? 'seqsentry-monitors.json',
    recorded: new Map(((await readRecord(client, manifest.name))?.items ?? []).map((i) => [`${i.kind}:${i.id}`, i])),
    fileSha256: manifest.files,
    ...(options.dashboards ? { dashboards: { ...options.dashboards, url: checkHttpUrl(options.dashboards.url, '--dashboards-url') } } : {}),
    log,
    vars: {
      index_patterns: indexPatterns,
      // The events index pattern of the dashboards: Dashboards takes several patterns comma-separated.
      index_patterns_title: indexPatterns.join(','),
      sidecar_url: sidecarUrl,
      token: options.token,
      trusted_endpoints: sidecarUrl ? [trustedEndpointRegex(sidecarUrl)] : undefined,
      // The connector step fills in the real fingerprint after hashing the rest.
      connector_fingerprint: '',
    },
  };
  const items: PlanItem[] = [];
  const selections = selectContent(manifest, caps, { indexPatterns, mlBlocked });
  const sized = await sizeMonitors(client, manifest, selections, root, { ...options, indexPatterns });
  const notes: string[] = [];
  const kept = installedPatterns.filter((p) => indexPatterns.includes(p) && !options.indexPatterns.includes(p));
  if (kept.length > 0) notes.push(`event index patterns ${indexPatterns.join(', ')} (kept from the installed template: ${kept.join(', ')}; drop one with --remove-index-pattern)`);
  const monitors: FilledMonitor[] = [];
  if ('summary' in sized && sized.vars.size > 0) notes.push(`monitor thresholds from ${sized.summary}`);
  // The record is kept up to date step by step (written only when it changes): an account that may change the
  // cluster but not write the record stops after the first step, not with everything applied and nothing recorded.
  const stateExists = () => items.some((i) => i.kind === 'state_index' && i.action !== 'skip');
  // What this run did to the record, said once at the end: created (a first install) or updated, whichever came first
  let recordAction: PlanItem['action'] | null = null;
  for (const sel of selections) {
    const before = items.length;
    try {
      await applySelection(sel);
      const changed = items.slice(before).some((i) => i.action === 'create' || i.action === 'update');
      if (changed && !options.dryRun && stateExists()) {
        const written = await writeRecord(client, manifest.name, manifest.version, installedItems(items), false);
        if (recordAction === null && written.action !== 'unchanged') recordAction = written.action;
      }
    } catch (err) {
      throw await stoppedPartWay(client, manifest, items, sel.entry, err, options.dryRun);
    }
  }
  async function applySelection(sel: Selection): Promise<void> {
    const { entry } = sel;
    const skip = 'skip' in sel ? sel.skip : entry.kind === 'monitor' && 'skip' in sized ? sized.skip : undefined;
    if (skip !== undefined || !('file' in sel)) {
      items.push({ kind: entry.kind, id: entry.id, action: 'skip', detail: skip ?? 'not selected' });
      return;
    }
    const listed = loadListedContent(manifest, sel.file, root);
    const docLevelRefused = docLevelPatternRefusal(entry.kind, listed.body, indexPatterns, caps);
    if (docLevelRefused) {
      // Alerting would refuse it and stop the install there; exported to a file, the admin's POST would fail alike.
      if (caps.plugins.has(ALERTING_PLUGIN)) {
        items.push({ kind: entry.kind, id: entry.id, action: 'skip', detail: docLevelRefused });
        return;
      }
      notes.push(`${entry.id}: ${docLevelRefused}`);
    }
    const entryVars = 'vars' in sized ? sized.vars.get(entry.id) : undefined;
    const body = render(listed.body, entryVars ? { ...ctx.vars, ...entryVars } : ctx.vars, sel.file);
    delete body._notes;
    if (entry.kind === 'monitor') monitors.push({ id: entry.id, thresholds: entry.thresholds ?? 'event', body });
    const out = await STEPS[entry.kind](ctx, entry, sel.file, body);
    for (const item of Array.isArray(out) ? out : [out]) {
      items.push(item.kind === entry.kind ? { ...item, file: sel.file, sha256: listed.sha256, ...(typeof body.version === 'number' ? { version: body.version } : {}) } : item);
      log(`${item.action} ${item.kind} ${item.id}`);
    }
  }
  if (ctx.exportedMonitors.length > 0 && !options.dryRun) {
    writeFileSync(ctx.monitorsFile, `${JSON.stringify({ _notes: `SeqSentry ${manifest.version} monitors with their thresholds filled in: POST each to /_plugins/_alerting/monitors on a cluster with the Alerting plugin`, monitors: ctx.exportedMonitors }, null, 2)}\n`);
    notes.push(`${ctx.exportedMonitors.length} monitors written to ${ctx.monitorsFile}: POST each to /_plugins/_alerting/monitors`);
  }
  let dashboardsFile: string | undefined;
  if (ctx.exportedSavedObjects.length > 0 && options.dashboardsFile && !options.dryRun) {
    writeFileSync(options.dashboardsFile, ctx.exportedSavedObjects.map((o) => `${JSON.stringify(o)}\n`).join(''));
    dashboardsFile = options.dashboardsFile;
    notes.push(`${ctx.exportedSavedObjects.length} Dashboards saved objects written to ${dashboardsFile}: ${importCommand(dashboardsFile)}`);
  }
  // The record lives in the state index: without it (a dry run on a fresh cluster) there is nothing to compare.
  const stateCreated = items.some((i) => i.kind === 'state_index' && i.action === 'create');
  const last = options.dryRun && stateCreated
    ? { kind: 'state_doc', id: recordId(manifest.name), action: 'create' as const, detail: 'what this run installed' }
    : await writeRecord(client, manifest.name, manifest.version, installedItems(items), options.dryRun);
  const record = recordAction !== null && last.action === 'unchanged' ? { ...last, action: recordAction } : last;
  items.push(record);
  log(`${record.action} ${record.kind} ${record.id}`);
  for (const n of notes) log(n);
  return { items, capabilities: caps, notes, monitors, indexPatterns, ...(dashboardsFile ? { dashboardsFile } : {}) };
}

/** The first version whose Alerting refuses index patterns in a per-document monitor (common-utils #829). */
const DOC_LEVEL_NO_PATTERNS = '2.19.3';

/** Why a per-document monitor over these patterns cannot be put on this cluster's version, or null. */
function docLevelPatternRefusal(kind: string, body: Record<string, unknown>, patterns: readonly string[], caps: Capabilities): string | null {
  if (kind !== 'monitor' || body.monitor_type !== 'doc_level_monitor' || compareVersions(caps.version, DOC_LEVEL_NO_PATTERNS) < 0) return null;
  const pattern = patterns.find((p) => /[*?<>,]/.test(p) || p === '_all');
  return pattern === undefined ? null : `OpenSearch ${DOC_LEVEL_NO_PATTERNS} and later refuse an index pattern ("${pattern}") in a per-document monitor: give --index-pattern an alias or a concrete index for it`;
}

/**
 * An install that failed part-way: what it applied before the failure is recorded (merged into the record, where the
 * state index exists), so that `uninstall` finds it and a rerun compares against it, and the error says what was
 * applied and where it stopped. Without the state index nothing can be recorded: the error lists the objects.
 */
async function stoppedPartWay(client: OpenSearchClient, manifest: Manifest, items: readonly PlanItem[], at: { kind: string; id: string }, err: unknown, dryRun: boolean): Promise<Error> {
  const applied = items.filter((i) => i.action === 'create' || i.action === 'update');
  const reason = err instanceof Error ? err.message : String(err);
  if (dryRun || applied.length === 0) return err instanceof Error ? err : new SeqSentryError(reason);
  const list = applied.map((i) => `${i.action} ${i.kind} ${i.id}`).join(', ');
  let where = `not recorded (${STATE_INDEX} does not exist yet): remove them by hand or rerun install once the cause is fixed`;
  try {
    if ((await rawRequest(client, 'HEAD', `/${STATE_INDEX}`, undefined, { accept: [404] })).status === 200) {
      await writeRecord(client, manifest.name, manifest.version, installedItems(items), false);
      where = `recorded in ${STATE_INDEX}, so \`seqsentry uninstall\` removes them and a rerun picks up from them`;
    }
  } catch (recordErr) {
    // the failure that stopped the install may stop this too; the message still lists what was applied
    where = `not recorded (${(recordErr as Error).message.slice(0, 300)}): remove them by hand or rerun install once the cause is fixed`;
  }
  return new SeqSentryError(`${reason}\ninstall stopped at ${at.kind} ${at.id}; applied before it (${where}): ${list}`, { cause: err });
}

/** The command that imports a saved-objects file into OpenSearch Dashboards (what `--dashboards-url` does). */
export function importCommand(file: string, dashboardsUrl = 'http://localhost:5601'): string {
  return `curl -X POST '${dashboardsUrl}/api/saved_objects/_import?overwrite=true' -H 'osd-xsrf: true' -F 'file=@${file}'`;
}

/** The selected monitors' thresholds, or why they cannot be sized (then every monitor is skipped with that reason). */
async function sizeMonitors(client: OpenSearchClient, manifest: Manifest, selections: readonly Selection[], root: string, options: InstallOptions): ReturnType<typeof thresholdVars> {
  const monitors = selections.flatMap((sel) => ('file' in sel && sel.entry.kind === 'monitor' ? [{ id: sel.entry.id, thresholds: sel.entry.thresholds ?? 'event', file: sel.file, body: loadListedContent(manifest, sel.file, root).body }] : []));
  if (monitors.length === 0) return { vars: new Map(), summary: 'no monitors selected' };
  const parsed = AlertingConfigSchema.safeParse(options.alerting ?? { alerts_per_day: DEFAULT_ALERTS_PER_DAY });
  if (!parsed.success) throw new ConfigError(`alerting.${parsed.error.issues[0]?.path.join('.') ?? ''}`, parsed.error.issues[0]?.message ?? 'invalid');
  const alerting = parsed.data;
  return thresholdVars(client, monitors, { modelDir: options.modelDir, alerting, indexPatterns: options.indexPatterns }, ENTITIES_INDEX);
}
