// Composition root of `seqsentry serve`: listens first (health probes answer during model load), then loads the
// model, wires adapter → history refill → scoring service, and shuts down in order.
import { Senders } from '../service/senders.js';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_NOTABLE_SETTINGS } from '../aggregate/run.js';
import { startAggregateSchedule, type ScheduledAggregation } from '../aggregate/schedule.js';
import type { ServeConfig } from '../config/serve-config.js';
import { ConfigError } from '../core/errors.js';
import { DEFAULT_BACKOFF } from '../enrich/retry.js';
import { createOpenSearchClient, type OpenSearchClient } from '../opensearch/client.js';
import { OpenSearchHttp } from '../opensearch/http.js';
import { bundleFingerprint, watchBundle, type BundleWatch } from '../service/bundle-watch.js';
import { ModelSwitch } from '../service/model-switch.js';
import { logger } from '../util/log.js';
import { readPemFile } from '../util/pem.js';
import { TokenAuth } from './auth.js';
import { compileBulkPolicy, compileIndexPolicy } from './bulk-policy.js';
import { createHttpServer, type AppState, type ServerTls } from './http-server.js';
import { ServerMetrics } from './metrics.js';
import { ModelReloader } from './model-reload.js';
import { loadServeScoring, refillServeBudget, type ServeScoringDeps } from './serve-scoring.js';

export interface Sidecar {
  /** Base URL, e.g. http://127.0.0.1:8080. */
  url: string;
  server: Server;
  state: AppState;
  /** Stops accepting, finishes in-flight requests (their scoring and forwards), drains batches, releases all. */
  shutdown(): Promise<void>;
}

const log = logger.child({ component: 'serve' });

/** listen.tls's certificate and key, read now: an unreadable or non-PEM file is named at start-up. */
function readServerTls(tls: ServeConfig['listen']['tls']): ServerTls | null {
  if (!tls) return null;
  return {
    cert: readPemFile(tls.cert_file, 'listen.tls.cert_file', '-----BEGIN CERTIFICATE-----', 'certificate'),
    key: readPemFile(tls.key_file, 'listen.tls.key_file', 'PRIVATE KEY-----', 'private key'),
  };
}

function listen(server: Server, host: string, port: number, scheme: 'http' | 'https'): Promise<string> {
  return new Promise((resolve, reject) => {
    // A port in use or a host that does not resolve is a configuration error, said as one (no stack trace).
    const refuse = (err: NodeJS.ErrnoException) => reject(new ConfigError('listen', `cannot listen on ${host}:${port}: ${err.code ?? ''} ${err.message}`.replace(/\s+/g, ' ')));
    server.once('error', refuse);
    server.listen(port, host, () => {
      server.off('error', refuse);
      const addr = server.address() as AddressInfo;
      resolve(`${scheme}://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`);
    });
  });
}

export async function startSidecar(config: ServeConfig): Promise<Sidecar> {
  const metrics = new ServerMetrics();
  const opensearch = new OpenSearchHttp(config.opensearch);
  const state: AppState = {
    config, metrics, opensearch, models: new ModelSwitch(), reloader: null, modelState: 'loading', shuttingDown: false, senders: new Senders(), inflight: { bytes: 0 },
    auth: config.auth.enabled ? new TokenAuth(config.auth.tokens, config.auth.admin_tokens, config.auth.score_tokens) : null,
    bulkRefusal: compileBulkPolicy({ actions: config.bulk.allowed_actions, indexPatterns: config.bulk.index_patterns }),
    scopeRefusal: compileIndexPolicy(config.bulk.index_patterns),
  };
  if (!state.auth) log.warn('auth.enabled is false: every route is open');
  const tls = readServerTls(config.listen.tls);
  const server = createHttpServer(state, tls);
  const url = await listen(server, config.listen.host, config.listen.port, tls ? 'https' : 'http');
  log.info({ url, model_dir: config.model_dir, opensearch: opensearch.origin }, 'listening; loading the model');

  let client: OpenSearchClient | null = null;
  let notables: ScheduledAggregation | null = null;
  let watch: BundleWatch | null = null;
  const release = async () => {
    watch?.stop();
    metrics.close();
    // A watch-triggered reload may be loading: it switches (or is refused) before the models close.
    await state.reloader?.settled();
    await notables?.stop();
    await state.models.close();
    await Promise.allSettled([opensearch.close(), client?.close()]);
  };
  const deps: ServeScoringDeps = { senders: state.senders, observer: metrics.batchObserver, client: () => (client ??= createOpenSearchClient(config.opensearch)) };
  try {
    // Taken before the load, so a bundle replaced while this one loads is still seen as a change.
    const fingerprint = config.model.watch ? await bundleFingerprint(config.model_dir) : null;
    const first = await loadServeScoring(config, config.model_dir, deps);
    const { scorer } = first.service;
    if (config.budget.refill_index) await refillServeBudget(deps.client(), config.budget.refill_index, first);
    state.models.switchTo(first.service);
    metrics.attachModel(scorer.history, scorer.modelId, scorer.windowCache, scorer);
    state.reloader = new ModelReloader(config, state.models, deps, metrics, (next, trigger) => {
      metrics.attachModel(next.service.scorer.history, next.service.scorer.modelId, next.service.scorer.windowCache, next.service.scorer);
      // An admin's reload of the bundle the watch refused: the watch does not load it a second time.
      if (trigger !== 'watch') void watch?.switched();
    });
    if (config.aggregate.index) {
      const { index, every_ms: everyMs, lookback_ms: lookbackMs } = config.aggregate;
      // A reload keeps the format and entity key (model-reload.ts), so the schedule's adapter stays right.
      notables = startAggregateSchedule(deps.client(), { pattern: index, adapter: first.adapter, entityKey: scorer.bundle.entity_key, ...DEFAULT_NOTABLE_SETTINGS, backoff: DEFAULT_BACKOFF, everyMs, lookbackMs });
    }
    if (config.model.watch) {
      const reloader = state.reloader;
      // A refused bundle was logged with its reason and counted by the reloader; the watch goes on polling.
      watch = watchBundle(config.model_dir, config.model.watch_interval_ms, fingerprint, () => reloader.reload('watch').then(() => true, () => false));
    }
    state.modelState = 'loaded';
    log.info({ model: scorer.modelId, format: first.adapter.name, context: scorer.context, screen: scorer.screenStats?.threshold ?? null, history_refill: first.refill ?? false, watch: config.model.watch }, 'model loaded; serving');
  } catch (err) {
    state.modelState = `failed: ${(err as Error).message}`;
    await new Promise((r) => server.close(r));
    await release();
    throw err;
  }

  let stopping: Promise<void> | null = null;
  const shutdown = (): Promise<void> => {
    stopping ??= (async () => {
      state.shuttingDown = true;
      log.info('shutting down: no new connections, finishing in-flight requests');
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      const force = setTimeout(() => {
        log.warn({ timeout_ms: config.shutdown_timeout_ms }, 'requests still running at the shutdown deadline: closing their connections');
        server.closeAllConnections();
      }, config.shutdown_timeout_ms);
      await closed;
      clearTimeout(force);
      await release(); // drains the serving model's batches (and any replaced one's) before releasing it
      log.info('stopped');
    })();
    return stopping;
  };
  return { url, server, state, shutdown };
}
