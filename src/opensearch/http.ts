// Raw HTTP to OpenSearch over one undici Pool: the bulk proxy's forwards and the readiness ping, bytes in, bytes out.
import { Pool } from 'undici';
import { OpenSearchError } from '../core/errors.js';
import { tlsOptions, type OpenSearchConfig } from './config.js';

export interface ForwardRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT';
  /** Path and query string as received, e.g. `/logs/_bulk?refresh=wait_for`. */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Overrides the configured request timeout. */
  timeoutMs?: number;
}

export interface ForwardResponse {
  status: number;
  contentType: string | undefined;
  body: Buffer;
}

/**
 * OpenSearch did not answer (refused, reset, timed out). `httpStatus` is what the sidecar's own client should
 * get so it retries: 504 for a timeout, 502 otherwise.
 */
export class OpenSearchUnreachableError extends OpenSearchError {
  constructor(
    operation: string,
    reason: string,
    readonly httpStatus: 502 | 504,
    readonly code: string,
    /** True only when no connection was made, so OpenSearch cannot have received (or written) any of the request. */
    readonly notSent: boolean,
    options?: ErrorOptions,
  ) {
    super(operation, reason, undefined, undefined, options);
  }
}

/** Failures before a connection exists: the request never left. A timeout or reset after sending proves nothing. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  // TLS handshake refused by us: the request never left either.
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT', 'ABORT_ERR']);

function authHeader(config: OpenSearchConfig): string | undefined {
  if (config.username && config.password) return `Basic ${Buffer.from(`${config.username}:${config.password}`).toString('base64')}`;
  if (config.api_key) return `ApiKey ${config.api_key}`;
  return undefined;
}

/** How long one readiness ping answers for (see ping). */
const PING_REUSE_MS = 1_000;

export class OpenSearchHttp {
  private readonly pool: Pool;
  /** The last readiness ping, answering the pings of the PING_REUSE_MS after it. */
  private lastPing: { at: number; answer: Promise<string | null> } | null = null;
  private readonly prefix: string;
  private readonly auth: string | undefined;
  readonly origin: string;

  constructor(private readonly config: OpenSearchConfig, connections = 16) {
    const url = new URL(config.url);
    this.origin = url.origin;
    // OpenSearch behind a reverse proxy may live under a path, e.g. https://gw/opensearch.
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.auth = authHeader(config);
    const tls = tlsOptions(config);
    this.pool = new Pool(url.origin, {
      connections,
      connectTimeout: Math.min(10_000, config.request_timeout_ms),
      headersTimeout: config.request_timeout_ms,
      bodyTimeout: config.request_timeout_ms,
      connect: tls,
    });
  }

  /** Sends one request; any HTTP status is an answer. Throws OpenSearchUnreachableError when there is none. */
  async request(req: ForwardRequest): Promise<ForwardResponse> {
    const timeout = req.timeoutMs ?? this.config.request_timeout_ms;
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    if (this.auth) headers.authorization = this.auth;
    const operation = `${req.method} ${req.path.split('?')[0]}`;
    try {
      const res = await this.pool.request({
        method: req.method,
        path: this.prefix + req.path,
        headers,
        body: req.body ?? null,
        headersTimeout: timeout,
        bodyTimeout: timeout,
        signal: AbortSignal.timeout(timeout + 1_000),
      });
      const body = Buffer.from(await res.body.arrayBuffer());
      const type = res.headers['content-type'];
      return { status: res.statusCode, contentType: Array.isArray(type) ? type[0] : type, body };
    } catch (err) {
      throw this.unreachable(operation, err);
    }
  }

  /**
   * Null when OpenSearch answers GET / with 2xx within the deadline, else why not. With `shared`, one request answers
   * every shared ping within PING_REUSE_MS of its start: anonymous probes are open to anyone, and a flood of them must
   * not become a flood of requests on the pool bulks are forwarded on.
   */
  ping(timeoutMs = 2_000, shared = false): Promise<string | null> {
    const now = Date.now();
    if (shared && this.lastPing && now - this.lastPing.at < PING_REUSE_MS) return this.lastPing.answer;
    const answer = (async () => {
      try {
        const res = await this.request({ method: 'GET', path: '/', timeoutMs });
        return res.status < 300 ? null : `OpenSearch at ${this.origin} answered HTTP ${res.status}`;
      } catch (err) {
        return (err as Error).message;
      }
    })();
    this.lastPing = { at: now, answer };
    return answer;
  }

  private unreachable(operation: string, err: unknown): OpenSearchUnreachableError {
    const e = err as Error & { code?: string; cause?: { code?: string } };
    const code = e.code ?? e.cause?.code ?? e.name;
    const timedOut = TIMEOUT_CODES.has(code) || e.name === 'TimeoutError';
    const reason = timedOut ? `no answer from ${this.origin} in time (${code})` : `cannot reach ${this.origin}: ${e.message} (${code})`;
    return new OpenSearchUnreachableError(operation, reason, timedOut ? 504 : 502, code, NOT_SENT_CODES.has(code), { cause: err });
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
