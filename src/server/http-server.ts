// The sidecar's HTTP server: route table, auth gate, body limit, per-request metrics and error replies.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { BudgetRoute, ServeConfig } from '../config/serve-config.js';
import type { OpenSearchHttp } from '../opensearch/http.js';
import type { ScoringService } from '../service/scoring-service.js';
import type { ModelSwitch } from '../service/model-switch.js';
import type { ModelReloader } from './model-reload.js';
import { handleAdminReload } from './routes/admin-reload.js';
import { logger } from '../util/log.js';
import type { TokenAuth } from './auth.js';
import { readBody, type BodyLimit } from './body.js';
import { HttpError, errorReply, json, type Reply } from './http-errors.js';
import type { ServerMetrics } from './metrics.js';
import { PROMETHEUS_CONTENT_TYPE } from './prometheus.js';
import { currentRequest, type Senders } from '../service/senders.js';
import { handleBulk } from './routes/bulk.js';
import type { BulkRefusal, IndexRefusal } from './bulk-policy.js';
import { handleClusterInfo } from './routes/cluster-info.js';
import { handleHealthz, handleReadyz } from './routes/health.js';
import { handleMlCommons } from './routes/ml-commons.js';
import { handleScore } from './routes/score.js';
import { handleRisk, RISK_MAX_BODY_BYTES } from './routes/risk.js';

/** What the routes share; `models.current` is null until the first model is loaded. */
export interface AppState {
  config: ServeConfig;
  metrics: ServerMetrics;
  auth: TokenAuth | null;
  /** The config's least-privilege bulk policy, compiled at start-up. */
  bulkRefusal: BulkRefusal;
  /** The same policy's index check for the history scope a scoring call names (its default scope passes). */
  scopeRefusal: IndexRefusal;
  opensearch: OpenSearchHttp;
  /** The serving bundle's ScoringService, switched on reload; each scoring request leases one for its whole run. */
  models: ModelSwitch;
  /** Null until the first model is loaded. */
  reloader: ModelReloader | null;
  modelState: string;
  shuttingDown: boolean;
  /** The clients scoring requests come from, for the scorer's reordering window. */
  senders: Senders;
  /** Bytes of the scoring requests' bodies held now (limits.inflight_body_bytes). */
  inflight: { bytes: number };
}

interface Call {
  req: IncomingMessage;
  url: URL;
  params: string[];
  state: AppState;
  body(): Promise<Buffer>;
}

interface Route {
  /** Metrics label. */
  name: string;
  methods: readonly string[];
  match: RegExp;
  /** Health probes stay open; everything else needs a token. */
  open?: boolean;
  /** Needs an admin token (auth.admin_tokens) instead of a scoring one. */
  admin?: boolean;
  /** Takes an admin token as well as a shipper's. */
  adminToo?: boolean;
  handle(call: Call, scoring: ScoringService | null): Promise<Reply> | Reply;
  /** Needs the model: 503 while it loads. */
  needsModel?: boolean;
  /** Scores and writes nothing: a score-only token (auth.score_tokens) is accepted too. */
  scoringOnly?: boolean;
  /** The route's body limit; max_body_bytes otherwise. */
  bodyLimit?: (config: AppState['config']) => BodyLimit;
}

/** A route's own limit, or max_body_bytes where that is smaller. */
function within(config: AppState['config'], bytes: number, key: string): BodyLimit {
  return bytes <= config.max_body_bytes ? { bytes, key } : { bytes: config.max_body_bytes, key: 'max_body_bytes' };
}

/** Headers of a bulk request worth passing on to OpenSearch (never the sidecar's own Authorization). */
const FORWARDED_HEADERS = ['x-opaque-id', 'traceparent'];

function parseJsonBody(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new HttpError(400, 'parse_exception', `request body is not JSON: ${(err as Error).message}`, 'bad_request');
  }
}

/** Whether a scoring route's events count into the daily budget's window (budget.counted_routes). */
function counts(config: ServeConfig, route: BudgetRoute): boolean {
  return config.budget.counted_routes.includes(route);
}

function bulkRoute(name: string, match: RegExp): Route {
  return {
    name, match, methods: ['POST', 'PUT'], needsModel: true,
    handle: async ({ req, url, params, state, body }, scoring) => {
      const headers: Record<string, string> = {};
      for (const h of FORWARDED_HEADERS) if (typeof req.headers[h] === 'string') headers[h] = req.headers[h];
      let pathIndex: string | undefined;
      try {
        pathIndex = params[0] !== undefined ? decodeURIComponent(params[0]) : undefined;
      } catch {
        throw new HttpError(400, 'invalid_index_name_exception', `index name ${JSON.stringify(params[0])} is not valid percent-encoding`, 'bad_request');
      }
      return handleBulk(
        { body: await body(), path: url.pathname, search: url.search, pathIndex, headers },
        {
          scoring: scoring!, opensearch: state.opensearch, metrics: state.metrics,
          closeOnUpstreamFailure: state.config.bulk.on_upstream_failure === 'close', refusal: state.bulkRefusal,
          deterministicIds: state.config.bulk.deterministic_ids, maxForwardBytes: state.config.bulk.max_forward_bytes, maxItems: state.config.bulk.max_items,
          budgetCounted: counts(state.config, 'bulk'), overwrite: state.config.bulk.overwrite,
        },
      );
    },
  };
}

const ROUTES: readonly Route[] = [
  { name: '/healthz', methods: ['GET', 'HEAD'], match: /^\/healthz$/, open: true, handle: () => handleHealthz() },
  { name: '/readyz', methods: ['GET', 'HEAD'], match: /^\/readyz$/, open: true, handle: ({ req, state }) => handleReadyz({ ...state, scoring: state.models.current, detailed: state.auth?.accepts(req.headers.authorization) ?? true }) },
  { name: '/v1/admin/reload', methods: ['POST'], match: /^\/v1\/admin\/reload$/, admin: true, handle: ({ state }) => handleAdminReload(state.reloader) },
  {
    // A shipper's token or an admin's: the daily budget's window (how close the day's flags are to their quota) only
    // for an admin, as a shipper's token that learnt it could time a burst to land once the quota is spent.
    name: '/metrics', methods: ['GET'], match: /^\/metrics$/, adminToo: true,
    handle: ({ req, state }) => ({ status: 200, body: state.metrics.render(state.auth ? state.auth.isAdmin(req.headers.authorization) : true), contentType: PROMETHEUS_CONTENT_TYPE }),
  },
  {
    name: '/v1/score', methods: ['POST'], match: /^\/v1\/score$/, needsModel: true, scoringOnly: true,
    bodyLimit: (config) => within(config, config.limits.score_body_bytes, 'limits.score_body_bytes'),
    handle: async ({ state, body }, scoring) => handleScore(await body(), { scoring: scoring!, metrics: state.metrics, defaultScope: state.config.history.default_scope, maxScopeBytes: state.config.history.max_scope_bytes, maxRecordKeys: state.config.limits.record_keys, scopeRefusal: state.scopeRefusal, budgetCounted: counts(state.config, 'score') }),
  },
  {
    // authentication servers' login risk; authorized like every scoring route (the token check in dispatch)
    name: '/v1/risk', methods: ['POST'], match: /^\/v1\/risk$/, needsModel: true, scoringOnly: true,
    bodyLimit: (config) => within(config, RISK_MAX_BODY_BYTES, 'the login risk route\'s own limit'),
    handle: async ({ state, body }, scoring) => handleRisk(await body(), { scoring: scoring!, metrics: state.metrics, defaultScope: state.config.history.default_scope, budgetCounted: counts(state.config, 'risk') }),
  },
  {
    name: '/v1/ml/score', methods: ['POST'], match: /^\/v1\/ml\/score$/, needsModel: true, scoringOnly: true,
    bodyLimit: (config) => within(config, config.limits.ml_body_bytes, 'limits.ml_body_bytes'),
    handle: async ({ state, body }, scoring) => {
      const out = await handleMlCommons(parseJsonBody(await body()), { scoring: scoring!, metrics: state.metrics, defaultScope: state.config.history.default_scope, maxRecordKeys: state.config.limits.record_keys, scopeRefusal: state.scopeRefusal, budgetCounted: counts(state.config, 'ml') });
      if (out.status >= 400) state.metrics.error(out.status === 403 ? 'auth' : out.status >= 500 ? 'scorer' : 'bad_request');
      return json(out.status, out.body);
    },
  },
  { name: '/', methods: ['GET', 'HEAD'], match: /^\/$/, handle: ({ state, url }) => handleClusterInfo(state.opensearch, url.search) },
  bulkRoute('/_bulk', /^\/_bulk$/),
  // Index names cannot start with `_`, so `/_bulk` never reaches this one.
  bulkRoute('/{index}/_bulk', /^\/([^/_][^/]*)\/_bulk$/),
];

const log = logger.child({ component: 'http' });

function send(res: ServerResponse, reply: Reply, closing: boolean): void {
  const isBytes = Buffer.isBuffer(reply.body) || typeof reply.body === 'string';
  const payload = isBytes ? (reply.body as Buffer | string) : JSON.stringify(reply.body);
  const headers: Record<string, string | number> = {
    'content-type': reply.contentType ?? 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(payload),
    ...(reply.headers ?? {}),
  };
  if (closing) headers.connection = 'close';
  res.writeHead(reply.status, headers);
  res.end(res.req.method === 'HEAD' ? undefined : payload);
}

async function dispatch(req: IncomingMessage, state: AppState): Promise<{ route: string; reply: Reply }> {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://sidecar');
  } catch {
    throw new HttpError(400, 'illegal_argument_exception', `cannot parse the request target ${JSON.stringify(req.url)}`, 'bad_request');
  }
  let params: string[] = [];
  const route = ROUTES.find((r) => {
    const m = r.match.exec(url.pathname);
    if (m) params = m.slice(1);
    return m !== null;
  });
  // Unknown paths need a token too, so an anonymous caller learns nothing about the routes.
  if (route?.admin) {
    // With auth off every other route is open, but switching the model stays closed: no token, no reload.
    if (!state.auth) throw new HttpError(403, 'security_exception', 'auth.enabled is false: the admin routes need auth and auth.admin_tokens', 'auth');
    state.auth.checkAdmin(req.headers.authorization);
  } else if (!route?.open && !(route?.adminToo && state.auth?.isAdmin(req.headers.authorization))) state.auth?.check(req.headers.authorization, route?.scoringOnly === true);
  if (!route) throw new HttpError(404, 'no_handler_found_exception', `no handler for ${req.method} ${url.pathname}`, 'bad_request');
  if (!route.methods.includes(req.method ?? '')) {
    throw new HttpError(405, 'method_not_allowed_exception', `${req.method} is not allowed on ${route.name}, use ${route.methods.join(' or ')}`, 'bad_request', { allow: route.methods.join(', ') });
  }
  const limit = route.bodyLimit?.(state.config) ?? { bytes: state.config.max_body_bytes, key: 'max_body_bytes' };
  const call: Call = { req, url, params, state, body: () => readBody(req, limit) };
  if (!route.needsModel) return { route: route.name, reply: await route.handle(call, null) };
  // Bodies held at once are bounded (each request's by its own limit): a body that would pass the bound waits for
  // none, it is answered 429 for the shipper to retry, unless nothing else is held (one request always proceeds).
  const declared = Number(req.headers['content-length']);
  let held = Number.isFinite(declared) && declared > 0 ? declared : 0;
  const bound = state.config.limits.inflight_body_bytes;
  if (state.inflight.bytes > 0 && state.inflight.bytes + held > bound) {
    req.resume();
    throw new HttpError(429, 'too_many_requests', `the sidecar holds ${state.inflight.bytes} bytes of request bodies; this one (${held}) would pass limits.inflight_body_bytes (${bound}): retry`, 'too_large', { 'retry-after': '1', connection: 'close' });
  }
  state.inflight.bytes += held;
  try {
    // The body first: a client that stalls mid-body holds no model (a replaced one could not be released) and is no
    // sender the reordering window waits for (every other request would wait for it).
    const body = await call.body();
    state.inflight.bytes += body.length - held; // what it holds decompressed, or without a Content-Length
    held = body.length;
    call.body = () => Promise.resolve(body);
    return await scoringCall(route, call, state);
  } finally {
    state.inflight.bytes -= held;
  }
}

/** A scoring route's handling once its body is read: a model lease, and the request counted as a sender. */
async function scoringCall(route: Route, call: Call, state: AppState): Promise<{ route: string; reply: Reply }> {
  const { req } = call;
  // The request keeps the service it starts with to its end, so one bundle scores all of it, however long it runs.
  const lease = state.models.lease();
  if (!lease) throw new HttpError(503, 'unavailable_exception', `model not loaded yet: ${state.modelState}`, 'internal', { 'retry-after': '5' });
  // A sender the reordering window waits for: only once its token has passed, so that refused callers (a flood of
  // 401s) never hold a shipper's events back (senders.ts).
  const sender = state.senders.begin(req.socket.remoteAddress ?? '?');
  try {
    return { route: route.name, reply: await currentRequest.run(sender, () => route.handle(call, lease.service)) };
  } finally {
    state.senders.end(sender);
    lease.release();
  }
}

/** The server's certificate and key (listen.tls), or null for plain HTTP. */
export interface ServerTls {
  cert: Buffer;
  key: Buffer;
}

export function createHttpServer(state: AppState, tls: ServerTls | null = null): Server {
  const { headers_timeout_ms: headersTimeout, request_timeout_ms: requestTimeout } = state.config.limits;
  const options = { keepAliveTimeout: 65_000, headersTimeout, requestTimeout };
  const server = (tls ? createHttpsServer({ ...options, cert: tls.cert, key: tls.key }, handle) : createServer(options, handle)) as Server;
  return server;

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const started = process.hrtime.bigint();
    let route = 'unmatched';
    dispatch(req, state)
      .then((out) => {
        route = out.route;
        return out.reply;
      })
      .catch((err: unknown): Reply => {
        route = ROUTES.find((r) => r.match.test((req.url ?? '/').split('?')[0] ?? '/'))?.name ?? 'unmatched';
        if (err instanceof HttpError) {
          state.metrics.error(err.kind);
          if (err.status >= 500) log.warn({ route, status: err.status, reason: err.reason }, 'request failed');
          else if (err.kind !== 'auth') log.info({ route, status: err.status, reason: err.reason }, 'request refused');
          return errorReply(err);
        }
        state.metrics.error('internal');
        log.error({ err, route }, 'unexpected error');
        return errorReply(new HttpError(500, 'exception', `internal error: ${(err as Error).message}`, 'internal'));
      })
      .then((reply) => {
        if (reply.abort) res.destroy();
        else send(res, reply, state.shuttingDown || reply.headers?.connection === 'close');
        state.metrics.requests.inc({ route, status: String(reply.status) });
        state.metrics.requestSeconds.observe({ route }, Number(process.hrtime.bigint() - started) / 1e9);
        log.debug({ method: req.method, route, status: reply.status }, 'request');
      })
      .catch((err: unknown) => {
        log.error({ err }, 'cannot write the response');
        res.destroy();
      });
  }
}
