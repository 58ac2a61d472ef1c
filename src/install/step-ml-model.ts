// The remote model over the connector: registered, deployed, and recorded in the `.seqsentry-state` model registry.
import { STATE_INDEX } from '../enrich/checkpoints.js';
import { rawRequest } from '../opensearch/client.js';
import { deployModel, findModels, registerModel, undeployModel, type Model } from './ml-commons-api.js';
import { NEW_ID, type PlanItem, type Step } from './plan.js';

export const mlModelStep: Step = async (ctx, entry, _file, body) => {
  const name = String(body.name);
  const connectorId = String(ctx.vars.connector_id);
  const item = (action: PlanItem['action'], detail: string): PlanItem => ({ kind: entry.kind, id: entry.id, action, detail });
  const models = connectorId === NEW_ID ? [] : await findModels(ctx.client, name);
  const current = models.find((m) => m.connector_id === connectorId);
  let model: Model | undefined = current;
  let result: PlanItem;
  if (current && current.model_state === 'DEPLOYED') {
    result = item('unchanged', `${current.id} v${current.model_version ?? '?'} deployed`);
  } else if (current) {
    if (!ctx.dryRun) model = await deployModel(ctx.client, current.id);
    result = item('update', `${current.id} ${current.model_state ?? '?'} → DEPLOYED`);
  } else {
    if (!ctx.dryRun) {
      model = await deployModel(ctx.client, await registerModel(ctx.client, body));
      // Older registrations point at a replaced connector: stop them so only the current one holds resources.
      for (const old of models) if (old.model_state === 'DEPLOYED') await undeployModel(ctx.client, old.id);
    }
    result = item('create', `remote model over connector ${connectorId}, deployed`);
  }
  ctx.vars.model_id = model?.id ?? NEW_ID;
  return [{ ...result, ...(model ? { resource: model.id } : {}) }, await recordModel(ctx, name, model)];
};

/** Upserts `model:<name>:<version>` in the state index (contracts.md), unchanged when it already says the same. */
async function recordModel(ctx: Parameters<Step>[0], name: string, model: Model | undefined): Promise<PlanItem> {
  const version = model?.model_version ?? NEW_ID;
  const id = `model:${name}:${version}`;
  const item = (action: PlanItem['action'], detail: string): PlanItem => ({ kind: 'state_doc', id, action, detail });
  if (!model) return item('create', `model registry entry in ${STATE_INDEX}`);
  const doc = {
    type: 'model',
    name,
    version,
    kind: 'remote',
    sha256: String(ctx.vars.connector_sha256 ?? ''),
    connector_id: model.connector_id ?? '',
    model_id: model.id,
    deployed_at: new Date(model.last_deployed_time ?? Date.now()).toISOString(),
  };
  const path = `/${STATE_INDEX}/_doc/${encodeURIComponent(id)}`;
  const res = await rawRequest(ctx.client, 'GET', path, undefined, { accept: [404] });
  const have = (res.body as { found?: boolean; _source?: Record<string, unknown> }) ?? {};
  if (have.found && have._source?.model_id === doc.model_id && have._source.connector_id === doc.connector_id && have._source.sha256 === doc.sha256) {
    return item('unchanged', `model_id ${doc.model_id}`);
  }
  if (!ctx.dryRun) await rawRequest(ctx.client, 'PUT', path, doc, { querystring: { refresh: 'wait_for' } });
  return item(have.found ? 'update' : 'create', `model_id ${doc.model_id}, connector ${doc.connector_id}`);
}
