// The `seqsentry-score` ingest pipeline: compared as stored (OpenSearch returns a pipeline exactly as it was put).
import { rawRequest } from '../opensearch/client.js';
import { jsonEqual, NEW_ID, type Step } from './plan.js';

export const ingestPipelineStep: Step = async (ctx, entry, file, body) => {
  const path = `/_ingest/pipeline/${entry.id}`;
  const res = await rawRequest(ctx.client, 'GET', path, undefined, { accept: [404] });
  const existing = res.status === 404 ? undefined : (res.body as Record<string, unknown>)[entry.id];
  const detail = `version ${String(body.version ?? '-')} from ${file}`;
  if (existing && jsonEqual(existing, body)) return { kind: entry.kind, id: entry.id, action: 'unchanged', detail };
  // A pipeline naming a model that does not exist yet (dry run) is shown but never put.
  if (!ctx.dryRun && ctx.vars.model_id !== NEW_ID) await rawRequest(ctx.client, 'PUT', path, body);
  return { kind: entry.kind, id: entry.id, action: existing ? 'update' : 'create', detail };
};
