// The few ML Commons REST calls the installer makes, with their responses parsed at the boundary.
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { OpenSearchError } from '../core/errors.js';
import { rawRequest, type OpenSearchClient } from '../opensearch/client.js';

const HitsSchema = z.object({
  hits: z.object({ hits: z.array(z.object({ _id: z.string(), _source: z.record(z.string(), z.unknown()) })) }),
});

const ConnectorSchema = z.object({ name: z.string(), parameters: z.record(z.string(), z.unknown()).default({}) }).passthrough();
export type Connector = z.infer<typeof ConnectorSchema> & { id: string };

const ModelSchema = z
  .object({
    name: z.string(),
    model_state: z.string().optional(),
    connector_id: z.string().optional(),
    model_version: z.string().optional(),
    last_deployed_time: z.number().optional(),
  })
  .passthrough();
export type Model = z.infer<typeof ModelSchema> & { id: string };

async function search(client: OpenSearchClient, kind: 'connectors' | 'models', query: unknown): Promise<Array<{ id: string; source: unknown }>> {
  const path = `/_plugins/_ml/${kind}/_search`;
  // Before the first connector or model exists the system index is missing: that is "none", not an error.
  const res = await rawRequest(client, 'POST', path, { query, size: 20, sort: [{ created_time: { order: 'desc' } }] }, { accept: [404] });
  if (res.status === 404) return [];
  const parsed = HitsSchema.safeParse(res.body);
  if (!parsed.success) throw new OpenSearchError(`POST ${path}`, `unexpected response: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data.hits.hits.map((h) => ({ id: h._id, source: h._source }));
}

/** Connectors with this exact name, newest first. */
export async function findConnectors(client: OpenSearchClient, name: string): Promise<Connector[]> {
  const hits = await search(client, 'connectors', { term: { 'name.keyword': name } });
  return hits.map((h) => ({ ...ConnectorSchema.parse(h.source), id: h.id }));
}

/** Remote models with this exact name, newest first. */
export async function findModels(client: OpenSearchClient, name: string): Promise<Model[]> {
  const hits = await search(client, 'models', { bool: { filter: [{ term: { 'name.keyword': name } }, { term: { algorithm: 'REMOTE' } }] } });
  return hits.map((h) => ({ ...ModelSchema.parse(h.source), id: h.id }));
}

export async function getModel(client: OpenSearchClient, id: string): Promise<Model> {
  const res = await rawRequest(client, 'GET', `/_plugins/_ml/models/${id}`);
  return { ...ModelSchema.parse(res.body), id };
}

export async function createConnector(client: OpenSearchClient, body: unknown): Promise<string> {
  const res = await rawRequest(client, 'POST', '/_plugins/_ml/connectors/_create', body);
  return z.object({ connector_id: z.string() }).parse(res.body).connector_id;
}

export async function updateConnector(client: OpenSearchClient, id: string, body: unknown): Promise<void> {
  await rawRequest(client, 'PUT', `/_plugins/_ml/connectors/${id}`, body);
}

export async function registerModel(client: OpenSearchClient, body: unknown): Promise<string> {
  const res = await rawRequest(client, 'POST', '/_plugins/_ml/models/_register', body);
  const parsed = z.object({ model_id: z.string().optional(), task_id: z.string() }).parse(res.body);
  if (parsed.model_id) return parsed.model_id;
  // Older releases answer with the task only: the model id arrives when the task completes.
  return (await waitForTask(client, parsed.task_id)).model_id;
}

async function waitForTask(client: OpenSearchClient, taskId: string, timeoutMs = 60_000): Promise<{ model_id: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await rawRequest(client, 'GET', `/_plugins/_ml/tasks/${taskId}`);
    const task = z.object({ state: z.string(), model_id: z.string().optional(), error: z.string().optional() }).parse(res.body);
    if (task.state === 'COMPLETED' && task.model_id) return { model_id: task.model_id };
    if (task.state === 'FAILED') throw new OpenSearchError(`ML task ${taskId}`, task.error ?? 'failed');
    if (Date.now() > deadline) throw new OpenSearchError(`ML task ${taskId}`, `still ${task.state} after ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

/**
 * Deploys and waits for DEPLOYED. Two things ML Commons does make a plain deploy-and-wait fail:
 * - a deploy that races another one for the same model (a second installer, ML Commons auto-deploying on a predict
 *   call, or re-deploying after a node restart) ends DEPLOY_FAILED ("Duplicate deploy model task") although the other
 *   may succeed; so a model another deploy is already DEPLOYING is waited for before one is sent, and a DEPLOY_FAILED
 *   is looked at again a second later;
 * - after such a race, seen on a 2.19.6 node restarted while the model was deployed, the node can keep the model as
 *   DEPLOYING in its own cache while the model reads DEPLOY_FAILED: every later deploy then fails as a duplicate, at
 *   once and forever, until an undeploy clears the node's entry. So a deploy that failed is undeployed before it is
 *   sent again, up to `attempts` deploys, before it is an error.
 * A DEPLOYING that nobody here sent and that outlasts `foreignDeployMs` is taken for such a stale entry too.
 */
export async function deployModel(client: OpenSearchClient, id: string, timeoutMs = 60_000, attempts = 3, foreignDeployMs = 15_000): Promise<Model> {
  const start = Date.now();
  const deadline = start + timeoutMs;
  let sent = 0;
  /** Whether the deploy last sent may still be running (false before the first and after a failure's undeploy). */
  let pending = false;
  for (;;) {
    const model = await getModel(client, id);
    const state = model.model_state ?? '';
    if (state === 'DEPLOYED') return model;
    if (pending && state === 'DEPLOY_FAILED') {
      await sleep(1000);
      const again = await getModel(client, id);
      if (again.model_state === 'DEPLOYED') return again;
      if (sent >= attempts) throw new OpenSearchError(`deploy model ${id}`, `ML Commons reports DEPLOY_FAILED after ${attempts} deploys, an undeploy before each after the first (see the node log and GET /_plugins/_ml/tasks for the reason)`);
      await undeployModel(client, id, Math.max(1000, deadline - Date.now()));
      pending = false;
      continue;
    }
    const foreign = !pending && state === 'DEPLOYING';
    if (foreign && Date.now() - start > foreignDeployMs) {
      await undeployModel(client, id, Math.max(1000, deadline - Date.now()));
    } else if (!pending && !foreign) {
      await rawRequest(client, 'POST', `/_plugins/_ml/models/${id}/_deploy`);
      sent += 1;
      pending = true;
    }
    if (Date.now() > deadline) throw new OpenSearchError(`deploy model ${id}`, `state ${state || '?'} after ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

/** States in which ML Commons still holds a model deployed: it refuses to delete it or change its connector. */
const HELD_STATES: ReadonlySet<string> = new Set(['DEPLOYED', 'DEPLOYING', 'PARTIALLY_DEPLOYED']);

/**
 * Undeploys and waits until ML Commons no longer holds the model deployed. The undeploy is sent again while it does: one
 * sent while a deploy is still in flight (an install just made) leaves the model DEPLOYED when that deploy ends, and a
 * delete right after it was refused ("cannot be deleted in deploying or deployed state", seen in a CI run).
 */
export async function undeployModel(client: OpenSearchClient, id: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await rawRequest(client, 'POST', `/_plugins/_ml/models/${id}/_undeploy`);
    const state = (await getModel(client, id)).model_state ?? '';
    if (!HELD_STATES.has(state)) return;
    if (Date.now() > deadline) throw new OpenSearchError(`undeploy model ${id}`, `state ${state} after ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}
