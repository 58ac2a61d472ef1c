// The one place that builds @opensearch-project/opensearch clients: URL, basic or API-key auth, TLS, timeouts.
import { Client } from '@opensearch-project/opensearch';
import { OpenSearchError } from '../core/errors.js';
import { tlsOptions, type OpenSearchConfig } from './config.js';

export type OpenSearchClient = Client;

/** Builds a client from validated config; a CA file that cannot be read fails here, naming the key. */
export function createOpenSearchClient(config: OpenSearchConfig): Client {
  const ssl = tlsOptions(config);
  return new Client({
    node: config.url,
    requestTimeout: config.request_timeout_ms,
    ...(config.username && config.password ? { auth: { username: config.username, password: config.password } } : {}),
    // The client has no API-key option: the header is what OpenSearch (security plugin) reads.
    ...(config.api_key ? { headers: { authorization: `ApiKey ${config.api_key}` } } : {}),
    ssl,
  });
}

export interface RawResponse {
  status: number;
  body: unknown;
}

/**
 * A low-level request for APIs the typed client does not cover (ML Commons) or where a 404 is an answer, not an
 * error. Statuses in `accept` come back as responses; anything else becomes an OpenSearchError naming the call.
 */
export async function rawRequest(
  client: Client,
  method: string,
  path: string,
  body?: unknown,
  options: { accept?: number[]; querystring?: Record<string, string>; timeoutMs?: number } = {},
): Promise<RawResponse> {
  try {
    const res = await client.transport.request(
      { method, path, ...(body !== undefined ? { body: body as Record<string, unknown> } : {}), ...(options.querystring ? { querystring: options.querystring } : {}) },
      { ignore: options.accept ?? [], ...(options.timeoutMs ? { requestTimeout: options.timeoutMs } : {}) },
    );
    return { status: res.statusCode ?? 0, body: res.body };
  } catch (err) {
    const e = err as Error & { meta?: { statusCode?: number; body?: unknown } };
    const status = e.meta?.statusCode;
    throw new OpenSearchError(`${method} ${path}`, failureReason(err), status, undefined, { cause: err });
  }
}

/**
 * Why a client call failed: the reason OpenSearch gave, or, when no answer came (a timeout, a refused or reset
 * connection: the client then sets `meta.body` to null), the client's own error, named.
 */
export function failureReason(err: unknown): string {
  const e = err as Error & { meta?: { body?: unknown } };
  if (e.meta?.body !== undefined && e.meta.body !== null) return reasonOf(e.meta.body);
  return e.name && e.name !== 'Error' ? `${e.name}: ${e.message}` : String(e.message ?? err);
}

/** The most specific reason in an OpenSearch error body. */
export function reasonOf(body: unknown): string {
  if (body && typeof body === 'object') {
    const b = body as { error?: unknown; message?: unknown };
    if (typeof b.error === 'string') return b.error;
    if (b.error && typeof b.error === 'object') {
      const e = b.error as { reason?: unknown; root_cause?: Array<{ reason?: unknown }> };
      const root = e.root_cause?.[0]?.reason;
      if (typeof e.reason === 'string') return typeof root === 'string' && root !== e.reason ? `${e.reason} (${root})` : e.reason;
    }
    if (typeof b.message === 'string') return b.message;
  }
  return typeof body === 'string' ? body : JSON.stringify(body);
}
