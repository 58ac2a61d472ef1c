// ML Commons cluster settings: persistent values, and the sidecar's endpoint added to the trusted-endpoint list.
import { rawRequest } from '../opensearch/client.js';
import { jsonEqual, pick, type Step } from './plan.js';

const TRUSTED = 'plugins.ml_commons.trusted_connector_endpoints_regex';

/** Anchored regex for every URL under the sidecar's base URL. */
export function trustedEndpointRegex(sidecarUrl: string): string {
  const base = sidecarUrl.replace(/\/+$/, '');
  return `^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/.*$`;
}

function asText(v: unknown): unknown {
  return Array.isArray(v) ? v.map(String) : v === undefined || v === null ? v : String(v);
}

export const mlSettingsStep: Step = async (ctx, entry, _file, body) => {
  const res = await rawRequest(ctx.client, 'GET', '/_cluster/settings', undefined, { querystring: { include_defaults: 'true', flat_settings: 'true' } });
  // Effective value: transient over persistent over node/default settings.
  const layers = ['transient', 'persistent', 'defaults'].map((l) => (pick(res.body, l) ?? {}) as Record<string, unknown>);
  const current = (key: string): unknown => layers.find((l) => key in l)?.[key];
  const wanted = (pick(body, 'persistent') ?? {}) as Record<string, unknown>;
  const changes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(wanted)) {
    const have = asText(current(key));
    if (key === TRUSTED) {
      // Keep every endpoint the cluster already trusts; add ours.
      const list = Array.isArray(have) ? have.map(String) : typeof have === 'string' && have ? [have] : [];
      const add = (Array.isArray(value) ? value : [value]).map(String).filter((r) => !list.includes(r));
      if (add.length > 0) changes[key] = [...list, ...add];
    } else if (!jsonEqual(have, asText(value))) {
      changes[key] = value;
    }
  }
  const keys = Object.keys(changes);
  if (keys.length === 0) return { kind: entry.kind, id: entry.id, action: 'unchanged', detail: `${Object.keys(wanted).length} settings as wanted` };
  if (!ctx.dryRun) await rawRequest(ctx.client, 'PUT', '/_cluster/settings', { persistent: changes });
  return { kind: entry.kind, id: entry.id, action: 'update', detail: `persistent ${keys.join(', ')}` };
};
