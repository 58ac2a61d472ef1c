// Dashboards saved objects (index patterns, saved searches, visualizations, the dashboard): compared one by one with
// what Dashboards holds (attributes and references), and imported in one request when any differs.
import { basename } from 'node:path';
import { bulkGet, importSavedObjects, type SavedObject } from './dashboards-api.js';
import { jsonEqual, type PlanItem, type Step } from './plan.js';

export const savedObjectsStep: Step = async (ctx, entry, file, body) => {
  const objects = body.objects as SavedObject[];
  if (!ctx.dashboards) {
    // The content file holds placeholders (the events index pattern): what is imported by hand is the rendered objects.
    ctx.exportedSavedObjects.push(...objects.map((o) => ({ ...o })));
    return { kind: entry.kind, id: entry.id, action: 'skip', detail: `no --dashboards-url: import the saved objects in Dashboards (Dashboards Management, Saved objects, Import) from the file --dashboards-file writes` };
  }
  const stored = await bulkGet(ctx.dashboards, objects);
  const items: PlanItem[] = objects.map((o) => {
    const id = `${o.type}:${o.id}`;
    const have = stored.get(id);
    const same = have && jsonEqual(have.attributes, o.attributes) && jsonEqual(have.references, o.references);
    return { kind: entry.kind, id, action: !have ? 'create' : same ? 'unchanged' : 'update', detail: String(o.attributes.title ?? ''), target: 'dashboards' };
  });
  if (!ctx.dryRun && items.some((i) => i.action !== 'unchanged')) {
    await importSavedObjects(ctx.dashboards, objects.map((o) => JSON.stringify(o)).join('\n') + '\n', basename(file));
  }
  return items;
};
