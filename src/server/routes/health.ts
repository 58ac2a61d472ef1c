// GET /healthz (the process answers) and GET /readyz (model loaded and OpenSearch reachable, else 503; why only with a token).
import type { OpenSearchHttp } from '../../opensearch/http.js';
import type { ScoringService } from '../../service/scoring-service.js';
import { json, type Reply } from '../http-errors.js';

export interface ReadinessContext {
  scoring: ScoringService | null;
  /** Why the model is not there yet (loading, failed), when scoring is null. */
  modelState: string;
  opensearch: OpenSearchHttp;
  shuttingDown: boolean;
  /** The caller presented an accepted token (or auth is off): it may see model, OpenSearch URL and reasons. */
  detailed: boolean;
}

export function handleHealthz(): Reply {
  return json(200, { status: 'ok' });
}

export async function handleReadyz(ctx: ReadinessContext): Promise<Reply> {
  const reasons: string[] = [];
  if (ctx.shuttingDown) reasons.push('shutting down');
  if (!ctx.scoring) reasons.push(`model not loaded: ${ctx.modelState}`);
  // An anonymous probe shares the ping of the second; a token holder asks OpenSearch now.
  const opensearch = await ctx.opensearch.ping(undefined, !ctx.detailed);
  if (opensearch) reasons.push(`OpenSearch not reachable: ${opensearch}`);
  const model = ctx.scoring?.scorer.modelId ?? null;
  // Anyone may ask whether the sidecar is up; only a token holder learns the model, the URL and the errors.
  if (!ctx.detailed) return json(reasons.length ? 503 : 200, { status: reasons.length ? 'not_ready' : 'ready' });
  if (reasons.length) return json(503, { status: 'not_ready', reasons, model });
  return json(200, { status: 'ready', model, opensearch: ctx.opensearch.origin });
}
