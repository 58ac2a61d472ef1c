// Component and index templates: compared by `version` and `_meta.schema_version` (and patterns/composition).
import { rawRequest } from '../opensearch/client.js';
import { jsonEqual, pick, type PlanItem, type Step } from './plan.js';

function versions(body: unknown): string {
  return `version ${String(pick(body, 'version') ?? '-')}, schema_version ${String(pick(body, '_meta.schema_version') ?? '-')}`;
}

function sameVersion(existing: unknown, wanted: unknown): boolean {
  return pick(existing, 'version') === pick(wanted, 'version') && pick(existing, '_meta.schema_version') === pick(wanted, '_meta.schema_version');
}

export const componentTemplateStep: Step = async (ctx, entry, _file, body) => {
  const path = `/_component_template/${entry.id}`;
  const res = await rawRequest(ctx.client, 'GET', path, undefined, { accept: [404] });
  const existing = res.status === 404 ? undefined : pick(res.body, 'component_templates.0.component_template');
  const item = (action: PlanItem['action'], detail: string): PlanItem => ({ kind: entry.kind, id: entry.id, action, detail });
  if (existing && sameVersion(existing, body)) return item('unchanged', versions(body));
  if (!ctx.dryRun) await rawRequest(ctx.client, 'PUT', path, body);
  return existing ? item('update', `${versions(existing)} → ${versions(body)}`) : item('create', versions(body));
};

export const indexTemplateStep: Step = async (ctx, entry, _file, body) => {
  const path = `/_index_template/${entry.id}`;
  const res = await rawRequest(ctx.client, 'GET', path, undefined, { accept: [404] });
  const existing = res.status === 404 ? undefined : pick(res.body, 'index_templates.0.index_template');
  const patterns = (b: unknown): string[] => {
    const p = pick(b, 'index_patterns');
    return (Array.isArray(p) ? p.map(String) : [String(p)]).sort();
  };
  const detail = `${versions(body)}, patterns ${patterns(body).join(',')}`;
  const item = (action: PlanItem['action'], d: string): PlanItem => ({ kind: entry.kind, id: entry.id, action, detail: d });
  if (existing && sameVersion(existing, body) && jsonEqual(patterns(existing), patterns(body)) && jsonEqual(pick(existing, 'composed_of'), pick(body, 'composed_of'))) {
    return item('unchanged', detail);
  }
  if (!ctx.dryRun) await rawRequest(ctx.client, 'PUT', path, body);
  return existing ? item('update', `${versions(existing)}, patterns ${patterns(existing).join(',')} → ${detail}`) : item('create', detail);
};
