// Composition root of `seqsentry serve`: listens first (health probes answer during model load), then loads the
// model, wires adapter → history refill → scoring service, and shuts down in order.
import { Senders } from '../service/senders.js';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter } from '../adapters/registry.js';
import type { Adapter } from '../adapters/adapter.js';
import { DEFAULT_NOTABLE_SETTINGS } from '../aggregate/run.js';
import { startAggregateSchedule, type ScheduledAggregation } from '../aggregate/schedule.js';
import type { ServeConfig } from '../config/serve-config.js';
import { ConfigError, UsageError } from '../core/errors.js';
import { DEFAULT_BACKOFF } from '../enrich/retry.js';
import { createOpenSearchClient, type OpenSearchClient } from '../opensearch/client.js';
import { createHistoryLoader, historyFieldsFor } from '../opensearch/history-loader.js';
import { OpenSearchHttp } from '../opensearch/http.js';
import { Scorer } from '../scorer/scorer.js';
import { ScoringService } from '../service/scoring-service.js';
import { logger } from '../util/log.js';
import { TokenAuth } from './auth.js';
import { compileBulkPolicy } from './bulk-policy.js';
import { createHttpServer, type AppState } from './http-server.js';
import { ServerMetrics } from './metrics.js';

export interface Sidecar {
  /** Base URL, e.g. http://127.0.0.1:8080. */
  url: string;
  server: Server;
  state: AppState;
  /** Stops accepting, finishes in-flight requests (their scoring and forwards), drains batches, releases all. */
  shutdown(): Promise<void>;
}

const log = logger.child({ component: 'serve' });

/** The adapter for incoming records: configured or the bundle's, and checked to produce the fields the model knows. */
function servedAdapter(config: ServeConfig, scorer: Scorer): { adapter: Adapter; options: Record<string, unknown> } {
  const { bundle } = scorer;
  const format = config.adapter.format ?? bundle.format;
  const options = config.adapter.options ?? bundle.adapter_options;
  let adapter: Adapter;
  try {
    adapter = createAdapter(format, options);
  } catch (err) {
    if (err instanceof UsageError) throw new ConfigError('adapter.format', err.message);
    throw err;
  }
  // A kind without a tokenizer (pure TypeScript) reads the event itself; its runtime checks what it needs.
  const { tokenizer } = bundle;
  const fields = [...adapter.fieldNames, ...(tokenizer?.hour_token ? ['hour'] : [])];
  if (tokenizer && fields.join(',') !== tokenizer.fields.join(',')) {
    throw new ConfigError('adapter', `the ${format} adapter yields fields [${fields.join(', ')}] but model ${bundle.name} was trained on [${tokenizer.fields.join(', ')}] (${bundle.format})`);
  }
  return { adapter, options };
}

function listen(server: Server, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address() as AddressInfo;
      resolve(`http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`);
    });
  });
}

export async function startSidecar(config: ServeConfig): Promise<Sidecar> {
  const metrics = new ServerMetrics();
  const opensearch = new OpenSearchHttp(config.opensearch);
  const state: AppState = {
    config, metrics, opensearch, scoring: null, modelState: 'loading', shuttingDown: false, senders: new Senders(),
    auth: config.auth.enabled ? new TokenAuth(config.auth.tokens) : null,
    bulkRefusal: compileBulkPolicy({ actions: config.bulk.allowed_actions, indexPatterns: config.bulk.index_patterns }),
  };
  if (!state.auth) log.warn('auth.enabled is false: every route is open');
  const server = createHttpServer(state);
  const url = await listen(server, config.listen.host, config.listen.port);
  log.info({ url, model_dir: config.model_dir, opensearch: opensearch.origin }, 'listening; loading the model');

  let scorer: Scorer | null = null;
  let client: OpenSearchClient | null = null;
  let notables: ScheduledAggregation | null = null;
  const release = async () => {
    await notables?.stop();
    await Promise.allSettled([opensearch.close(), client?.close(), scorer?.close()]);
  };
  try {
    scorer = await Scorer.load(config.model_dir, { maxBatch: config.batching.max_batch, intraOpThreads: config.batching.onnx_threads || undefined, maxEntities: config.history.max_entities });
    const { adapter } = servedAdapter(config, scorer);
    const fields = config.history.refill && scorer.historyLength > 0 ? historyFieldsFor(adapter, scorer.bundle.entity_key) : null;
    if (fields) client = createOpenSearchClient(config.opensearch);
    const historyLoader = client && fields ? createHistoryLoader({ client, adapter, fields, timeoutMs: config.history.load_timeout_ms }) : undefined;
    state.scoring = new ScoringService(scorer, adapter, { maxBatch: config.batching.max_batch, maxDelayMs: config.batching.max_delay_ms, maxValueBytes: config.history.max_value_bytes, maxScopeBytes: config.history.max_scope_bytes, reorderWindowMs: config.history.reorder_window_ms, senders: state.senders, explainAbove: config.explanation.full_above, ...(historyLoader ? { historyLoader } : {}) }, metrics.batchObserver);
    metrics.attachModel(scorer.history, scorer.modelId);
    if (config.aggregate.index) {
      client ??= createOpenSearchClient(config.opensearch);
      const { index, every_ms: everyMs, lookback_ms: lookbackMs } = config.aggregate;
      notables = startAggregateSchedule(client, { pattern: index, adapter, entityKey: scorer.bundle.entity_key, ...DEFAULT_NOTABLE_SETTINGS, backoff: DEFAULT_BACKOFF, everyMs, lookbackMs });
    }
    state.modelState = 'loaded';
    log.info({ model: scorer.modelId, format: adapter.name, context: scorer.context, history_refill: fields ?? false }, 'model loaded; serving');
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
      await state.scoring?.drain();
      await release();
      log.info('stopped');
    })();
    return stopping;
  };
  return { url, server, state, shutdown };
}
