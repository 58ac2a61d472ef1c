// `seqsentry install` as a library: probe the cluster, pick the content it can take, and put what differs.
import { OpenSearchError, UsageError } from '../core/errors.js';
import type { OpenSearchClient } from '../opensearch/client.js';
import { compareVersions, probeCluster, selectContent, type Capabilities } from './capabilities.js';
import { loadContent, loadManifest, PACKAGE_ROOT, render, type ContentKind } from './content.js';
import { ingestPipelineStep } from './step-ingest-pipeline.js';
import { mlConnectorStep } from './step-ml-connector.js';
import { mlModelStep } from './step-ml-model.js';
import { mlSettingsStep, trustedEndpointRegex } from './step-ml-settings.js';
import { stateIndexStep } from './step-state-index.js';
import { componentTemplateStep, indexTemplateStep } from './step-templates.js';
import type { InstallContext, PlanItem, Step } from './plan.js';

/** One installer per content kind. */
const STEPS: Readonly<Record<ContentKind, Step>> = Object.freeze({
  component_template: componentTemplateStep,
  index_template: indexTemplateStep,
  state_index: stateIndexStep,
  cluster_settings: mlSettingsStep,
  ml_connector: mlConnectorStep,
  ml_model: mlModelStep,
  ingest_pipeline: ingestPipelineStep,
});

export interface InstallOptions {
  sidecarUrl?: string;
  token?: string;
  indexPatterns: string[];
  dryRun: boolean;
  root?: string;
  log?: (line: string) => void;
}

export interface InstallResult {
  items: PlanItem[];
  capabilities: Capabilities;
}

function checkSidecarUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--sidecar-url must be an http(s) URL, got "${url}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--sidecar-url must be http or https, got ${u.protocol}`);
  if (u.search || u.hash) throw new UsageError('--sidecar-url takes no query or fragment');
  return url.replace(/\/+$/, '');
}

export async function install(client: OpenSearchClient, options: InstallOptions): Promise<InstallResult> {
  const root = options.root ?? PACKAGE_ROOT;
  const log = options.log ?? (() => {});
  const manifest = loadManifest(root);
  const caps = await probeCluster(client);
  const { min, below } = manifest.conditions.opensearch;
  if (caps.distribution !== 'opensearch' || compareVersions(caps.version, min) < 0 || compareVersions(caps.version, below) >= 0) {
    throw new OpenSearchError('install', `${manifest.name} ${manifest.version} needs OpenSearch >= ${min} and < ${below}; the cluster is ${caps.distribution} ${caps.version}`);
  }
  const sidecarUrl = options.sidecarUrl ? checkSidecarUrl(options.sidecarUrl) : undefined;
  const mlBlocked = !sidecarUrl
    ? 'no --sidecar-url: ML Commons needs the sidecar address'
    : !options.token
      ? 'no --token (or SEQSENTRY_TOKEN): the connector needs the sidecar bearer token'
      : null;
  const ctx: InstallContext = {
    client,
    dryRun: options.dryRun,
    packageName: manifest.name,
    log,
    vars: {
      index_patterns: options.indexPatterns,
      sidecar_url: sidecarUrl,
      token: options.token,
      trusted_endpoints: sidecarUrl ? [trustedEndpointRegex(sidecarUrl)] : undefined,
      // The connector step fills in the real fingerprint after hashing the rest.
      connector_fingerprint: '',
    },
  };
  const items: PlanItem[] = [];
  for (const sel of selectContent(manifest, caps, { indexPatterns: options.indexPatterns, mlBlocked })) {
    const { entry } = sel;
    if ('skip' in sel) {
      items.push({ kind: entry.kind, id: entry.id, action: 'skip', detail: sel.skip });
      continue;
    }
    const body = render(loadContent(sel.file, root), ctx.vars, sel.file);
    delete body._notes;
    const out = await STEPS[entry.kind](ctx, entry, sel.file, body);
    for (const item of Array.isArray(out) ? out : [out]) {
      items.push(item);
      log(`${item.action} ${item.kind} ${item.id}`);
    }
  }
  return { items, capabilities: caps };
}
