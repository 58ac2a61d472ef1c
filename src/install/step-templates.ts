// Component and index templates: compared by `version`, `_meta.schema_version` and their mappings and settings (and
// patterns/composition), so an admin's edit that kept the version is put right.
import { rawRequest } from '../opensearch/client.js';
import { jsonEqual, pick, type InstallContext, type PlanItem, type Step } from './plan.js';

function versions(body: unknown): string {
  return `version ${String(pick(body, 'version') ?? '-')}, schema_version ${String(pick(body, '_meta.schema_version') ?? '-')}`;
}

function sameVersion(existing: unknown, wanted: unknown): boolean {
  return pick(existing, 'version') === pick(wanted, 'version') && pick(existing, '_meta.schema_version') === pick(wanted, '_meta.schema_version');
}

/** Settings as OpenSearch gives them back: flat dotted keys under `index.`, every value a string. */
export function flatSettings(settings: unknown, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  if (!settings || typeof settings !== 'object') return out;
  for (const [key, value] of Object.entries(settings)) {
    const path = prefix ? `${prefix}.${key}` : key.startsWith('index.') || key === 'index' ? key : `index.${key}`;
    if (value && typeof value === 'object' && !Array.isArray(value)) Object.assign(out, flatSettings(value, path));
    else out[path] = Array.isArray(value) ? JSON.stringify(value.map(String)) : String(value);
  }
  return out;
}

/** The same version and the same mappings, settings and aliases: what an edit that kept the version would change. */
function sameTemplate(existing: unknown, wanted: unknown): boolean {
  return sameVersion(existing, wanted)
    && jsonEqual(pick(existing, 'template.mappings') ?? null, pick(wanted, 'template.mappings') ?? null)
    && jsonEqual(flatSettings(pick(existing, 'template.settings')), flatSettings(pick(wanted, 'template.settings')))
    && jsonEqual(pick(existing, 'template.aliases') ?? null, pick(wanted, 'template.aliases') ?? null);
}

function changed(existing: unknown, wanted: unknown): string {
  return sameVersion(existing, wanted) ? `${versions(wanted)}, its content edited since: put back` : `${versions(existing)} → ${versions(wanted)}`;
}

export const componentTemplateStep: Step = async (ctx, entry, _file, body) => {
  const path = `/_component_template/${entry.id}`;
  const res = await rawRequest(ctx.client, 'GET', path, undefined, { accept: [404] });
  const existing = res.status === 404 ? undefined : pick(res.body, 'component_templates.0.component_template');
  const item = (action: PlanItem['action'], detail: string): PlanItem => ({ kind: entry.kind, id: entry.id, action, detail });
  // An update's new fields reach the indices already made from it only through their own mappings: a template
  // applies at creation. Without them, a field the new version writes (a history refill stamp) is not indexed there
  // until the next rollover. Looked for on every run (a first install too: indices made before it), so a run that
  // stopped before it (a refused mapping read) finishes it when run again.
  const fields = async (): Promise<string> => (ctx.dryRun ? '' : addNewFields(ctx.client, entry.id, pick(body, 'template.mappings.properties')));
  if (existing && sameTemplate(existing, body)) {
    const added = await fields();
    return item(added.startsWith(', added') ? 'update' : 'unchanged', `${versions(body)}${added}`);
  }
  if (!ctx.dryRun) await rawRequest(ctx.client, 'PUT', path, body);
  const added = await fields();
  return existing ? item('update', `${changed(existing, body)}${added}`) : item('create', `${versions(body)}${added}`);
};

export type Properties = Record<string, { properties?: Properties } & Record<string, unknown>>;

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
async function addNewFields(client: InstallContext['client'], id: string, wanted: unknown, only?: readonly string[]): Promise<string> {
  if (!wanted || typeof wanted !== 'object') return '';
  let patterns = only ? [...only] : [];
  if (!only) {
    const templates = (await rawRequest(client, 'GET', '/_index_template', undefined, { accept: [404] })).body as { index_templates?: Array<{ index_template?: { composed_of?: string[]; index_patterns?: string[] } }> } | undefined;
    patterns = [...new Set((templates?.index_templates ?? []).filter((t) => t.index_template?.composed_of?.includes(id)).flatMap((t) => t.index_template?.index_patterns ?? []))];
  }
  if (patterns.length === 0) return '';
  let mappings: Record<string, { mappings?: { properties?: Properties } }> | undefined;
  try {
    mappings = (await rawRequest(client, 'GET', `/${patterns.map(encodeURIComponent).join(',')}/_mapping`, undefined, { accept: [404], querystring: { ignore_unavailable: 'true', allow_no_indices: 'true' } })).body as typeof mappings;
  } catch (err) {
    // The template is put; its indices keep their mapping until this step runs (install again with the rights)
    return `; could not read the mappings of ${patterns.join(',')} to add its new fields to their existing indices (${(err as Error).message.slice(0, 200)}): install again with indices:admin/mappings/get and indices:admin/mapping/put there`;
  }
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
  if (existing && sameTemplate(existing, body) && jsonEqual(patterns(existing), patterns(body)) && jsonEqual(pick(existing, 'composed_of'), pick(body, 'composed_of')) && pick(existing, 'priority') === pick(body, 'priority')) {
    return item('unchanged', detail);
  }
  // Before anything is written, a dry run too: a template of the same priority over the same indices is refused by
  // OpenSearch (a plan must say so, not promise a create), and a lower one is shadowed on the indices both match.
  const shadowed = await overlapping(ctx.client, entry.id, body);
  const warning = shadowed.length ? `; takes precedence over ${shadowed.join(', ')} on the indices both match (their settings and mappings no longer apply there: compose seqsentry-anomaly-fields into them and leave --index-pattern out instead)` : '';
  if (!ctx.dryRun) await rawRequest(ctx.client, 'PUT', path, body);
  // Indices made before it over its patterns get the fields of the component templates it composes (the component
  // template's step ran first, when no index template composed it yet)
  const added = ctx.dryRun ? '' : await composedFields(ctx.client, body, patterns(body));
  return existing ? item('update', `${versions(existing)}, patterns ${patterns(existing).join(',')} → ${detail}${warning}${added}`) : item('create', `${detail}${warning}${added}`);
};

/** addNewFields for each component template `body` composes, over its patterns. */
async function composedFields(client: InstallContext['client'], body: Record<string, unknown>, over: readonly string[]): Promise<string> {
  const composed = pick(body, 'composed_of');
  let out = '';
  for (const id of Array.isArray(composed) ? composed.map(String) : []) {
    const res = await rawRequest(client, 'GET', `/_component_template/${encodeURIComponent(id)}`, undefined, { accept: [404] });
    const wanted = res.status === 404 ? undefined : pick(res.body, 'component_templates.0.component_template.template.mappings.properties');
    const added = await addNewFields(client, id, wanted, over);
    if (added) out += ` (${id}${added})`;
  }
  return out;
}

/**
 * The other index templates that match indices ours would (`name (patterns)`), as OpenSearch's simulation finds them
 * for our patterns and priority; throws OpenSearch's refusal of a conflict (the same priority) as the write would.
 */
async function overlapping(client: InstallContext['client'], id: string, body: Record<string, unknown>): Promise<string[]> {
  const probe = { index_patterns: pick(body, 'index_patterns'), priority: pick(body, 'priority') ?? 0 };
  // Simulated under its own name, so it stands in for the installed version of itself: its new patterns overlapping
  // its old ones (a pattern added) are no conflict.
  const res = await rawRequest(client, 'POST', `/_index_template/_simulate/${encodeURIComponent(id)}`, probe);
  const found = pick(res.body, 'overlapping');
  if (!Array.isArray(found)) return [];
  return found
    .map((o) => ({ name: String(pick(o, 'name')), patterns: pick(o, 'index_patterns') }))
    .filter((o) => o.name !== id)
    .map((o) => `${o.name} (${Array.isArray(o.patterns) ? o.patterns.join(',') : String(o.patterns)})`);
}
