// Component and index templates: compared by `version` and `_meta.schema_version` (and patterns/composition).
import { rawRequest } from '../opensearch/client.js';
import { jsonEqual, pick, type InstallContext, type PlanItem, type Step } from './plan.js';

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
  // An update's new fields reach the indices already made from it only through their own mappings: a template
  // applies at creation. Without them, a field the new version writes (a history refill stamp) is not indexed there
  // until the next rollover.
  const added = existing && !ctx.dryRun ? await addNewFields(ctx.client, entry.id, pick(body, 'template.mappings.properties')) : '';
  return existing ? item('update', `${versions(existing)} → ${versions(body)}${added}`) : item('create', versions(body));
};

type Properties = Record<string, { properties?: Properties } & Record<string, unknown>>;

/** The properties of `wanted` that `have` lacks, as a mapping update adds them (existing fields left as they are). */
export function missingProperties(have: Properties | undefined, wanted: Properties): Properties | null {
  const out: Properties = {};
  for (const [name, def] of Object.entries(wanted)) {
    const mine = have?.[name];
    if (!mine) out[name] = def;
    else if (def.properties && mine.properties) {
      const inner = missingProperties(mine.properties, def.properties);
      if (inner) out[name] = { properties: inner };
    }
  }
  return Object.keys(out).length ? out : null;
}

/**
 * Adds the component template's new fields to the existing indices of every index template composing it (ours and
 * an admin's); ", added its new fields to N existing indices" for the plan, with the indices that refused.
 */
async function addNewFields(client: InstallContext['client'], id: string, wanted: unknown): Promise<string> {
  if (!wanted || typeof wanted !== 'object') return '';
  const templates = (await rawRequest(client, 'GET', '/_index_template', undefined, { accept: [404] })).body as { index_templates?: Array<{ index_template?: { composed_of?: string[]; index_patterns?: string[] } }> } | undefined;
  const patterns = [...new Set((templates?.index_templates ?? []).filter((t) => t.index_template?.composed_of?.includes(id)).flatMap((t) => t.index_template?.index_patterns ?? []))];
  if (patterns.length === 0) return '';
  const mappings = (await rawRequest(client, 'GET', `/${patterns.map(encodeURIComponent).join(',')}/_mapping`, undefined, { accept: [404], querystring: { ignore_unavailable: 'true', allow_no_indices: 'true' } })).body as Record<string, { mappings?: { properties?: Properties } }> | undefined;
  let updated = 0;
  const refused: string[] = [];
  for (const [index, m] of Object.entries(mappings ?? {})) {
    const add = missingProperties(m.mappings?.properties, wanted as Properties);
    if (!add) continue;
    try {
      await rawRequest(client, 'PUT', `/${encodeURIComponent(index)}/_mapping`, { properties: add });
      updated += 1;
    } catch (err) {
      refused.push(`${index} (${(err as Error).message.slice(0, 120)})`);
    }
  }
  return `${updated ? `, added its new fields to ${updated} existing indices` : ''}${refused.length ? `; not to ${refused.slice(0, 3).join(', ')}${refused.length > 3 ? ` and ${refused.length - 3} more` : ''}` : ''}`;
}

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
  // Before anything is written, a dry run too: a template of the same priority over the same indices is refused by
  // OpenSearch (a plan must say so, not promise a create), and a lower one is shadowed on the indices both match.
  const shadowed = await overlapping(ctx.client, entry.id, body);
  const warning = shadowed.length ? `; takes precedence over ${shadowed.join(', ')} on the indices both match (their settings and mappings no longer apply there: compose seqsentry-anomaly-fields into them and leave --index-pattern out instead)` : '';
  if (!ctx.dryRun) await rawRequest(ctx.client, 'PUT', path, body);
  return existing ? item('update', `${versions(existing)}, patterns ${patterns(existing).join(',')} → ${detail}${warning}`) : item('create', `${detail}${warning}`);
};

/**
 * The other index templates that match indices ours would (`name (patterns)`), as OpenSearch's simulation finds them
 * for our patterns and priority; throws OpenSearch's refusal of a conflict (the same priority) as the write would.
 */
async function overlapping(client: InstallContext['client'], id: string, body: Record<string, unknown>): Promise<string[]> {
  const probe = { index_patterns: pick(body, 'index_patterns'), priority: pick(body, 'priority') ?? 0 };
  const res = await rawRequest(client, 'POST', '/_index_template/_simulate', probe);
  const found = pick(res.body, 'overlapping');
  if (!Array.isArray(found)) return [];
  return found
    .map((o) => ({ name: String(pick(o, 'name')), patterns: pick(o, 'index_patterns') }))
    .filter((o) => o.name !== id)
    .map((o) => `${o.name} (${Array.isArray(o.patterns) ? o.patterns.join(',') : String(o.patterns)})`);
}
