// Builds serve's scoring path from one bundle directory: the scorer, the adapter checked against the bundle, the
// history refill and the ScoringService; used at start-up and for every reload, so both check a bundle the same way.
import { createAdapter } from '../adapters/registry.js';
import { withTextTokens } from '../tokenizer/text-tokens.js';
import type { Adapter } from '../adapters/adapter.js';
import type { ServeConfig } from '../config/serve-config.js';
import { ConfigError, UsageError } from '../core/errors.js';
import type { OpenSearchClient } from '../opensearch/client.js';
import { createHistoryLoader, historyFieldsFor, type HistoryFields } from '../opensearch/history-loader.js';
import { refillBudget } from '../opensearch/budget-loader.js';
import { MODEL_KINDS } from '../model/kinds.js';
import { Scorer } from '../scorer/scorer.js';
import { ScoringService, type BatchObserver } from '../service/scoring-service.js';
import type { Senders } from '../service/senders.js';
import { clockSeconds } from '../scorer/daily-budget.js';

export interface ServeScoringDeps {
  senders: Senders;
  observer: BatchObserver;
  /** The OpenSearch client of the history refill; asked for only when the bundle keeps history and refill is on. */
  client: () => OpenSearchClient;
}

export interface ServeScoring {
  service: ScoringService;
  adapter: Adapter;
  /** The fields the history refill searches by, or null without refill. */
  refill: HistoryFields | null;
}

/** The adapter for incoming records: configured or the bundle's, and checked to produce the fields the model knows. */
function servedAdapter(config: ServeConfig, scorer: Scorer): Adapter {
  const { bundle } = scorer;
  const format = config.adapter.format ?? bundle.format;
  const options = config.adapter.options ?? bundle.adapter_options;
  let adapter: Adapter;
  try {
    adapter = withTextTokens(createAdapter(format, options, { live: true }), scorer.textTokens);
  } catch (err) {
    if (err instanceof UsageError) throw new ConfigError('adapter.format', err.message);
    // Options the config gave are named by the config's key, not the bundle's.
    if (err instanceof ConfigError && config.adapter.options !== undefined && err.key.startsWith('adapter_options')) {
      throw new ConfigError(`adapter.options${err.key.slice('adapter_options'.length)}`, err.message.slice(`config ${err.key}: `.length));
    }
    throw err;
  }
  // A kind without a tokenizer (pure TypeScript) reads the event itself; its runtime checks what it needs. A kind whose
  // unit joins several records (zeek-seq) has the unit's fields, not the adapter's: the sidecar forwards its records
  // unscored (ScoringService.scoredElsewhere), so only the format has to agree.
  if (MODEL_KINDS[bundle.kind]?.featurizer) {
    if (format !== bundle.format) throw new ConfigError('adapter.format', `model ${bundle.name} (${bundle.kind}) reads ${bundle.format} records, not ${format}`);
    return adapter;
  }
  const { tokenizer } = bundle;
  const fields = [...adapter.fieldNames, ...(tokenizer?.hour_token ? ['hour'] : [])];
  if (tokenizer && fields.join(',') !== tokenizer.fields.join(',')) {
    throw new ConfigError('adapter', `the ${format} adapter yields fields [${fields.join(', ')}] but model ${bundle.name} was trained on [${tokenizer.fields.join(', ')}] (${bundle.format})`);
  }
  return adapter;
}

/** At start-up, before any request is served: the budget refilled from `pattern` (budget-loader.ts refillBudget). */
export async function refillServeBudget(client: OpenSearchClient, pattern: string, scoring: ServeScoring): Promise<void> {
  const { scorer } = scoring.service;
  await refillBudget(client, pattern, scorer, scoring.refill ?? historyFieldsFor(scoring.adapter, scorer.bundle.entity_key));
}

/** The scorer's budget option from the config: off (null), a configured rate, or unset for the bundle's rate. */
function budgetOption(config: ServeConfig): { budget?: number | null } {
  if (!config.budget.enabled) return { budget: null };
  return config.budget.rate !== undefined ? { budget: config.budget.rate } : {};
}

/**
 * Loads the bundle in `modelDir` (manifest, model file hashes, the runtime's session and its inputs) and wires its
 * ScoringService; a bundle that fails any check throws and leaves nothing open.
 */
export async function loadServeScoring(config: ServeConfig, modelDir: string, deps: ServeScoringDeps): Promise<ServeScoring> {
  const scorer = await Scorer.load(modelDir, { maxBatch: config.batching.max_batch, intraOpThreads: config.batching.onnx_threads || undefined, windowCache: config.batching.window_cache, maxEntities: config.history.max_entities, ...budgetOption(config), budgetClock: clockSeconds });
  try {
    const adapter = servedAdapter(config, scorer);
    const refill = config.history.refill && scorer.historyLength > 0 ? historyFieldsFor(adapter, scorer.bundle.entity_key) : null;
    const historyLoader = refill ? createHistoryLoader({ client: deps.client(), adapter, fields: refill, timeoutMs: config.history.load_timeout_ms }) : undefined;
    const service = new ScoringService(scorer, adapter, {
      maxBatch: config.batching.max_batch, maxDelayMs: config.batching.max_delay_ms, maxValueBytes: config.history.max_value_bytes,
      maxScopeBytes: config.history.max_scope_bytes, reorderWindowMs: config.history.reorder_window_ms, senders: deps.senders,
      explainAbove: config.explanation.full_above, ...(historyLoader ? { historyLoader } : {}),
    }, deps.observer);
    return { service, adapter, refill };
  } catch (err) {
    await scorer.close();
    throw err;
  }
}
