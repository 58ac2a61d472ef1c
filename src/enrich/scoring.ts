// The enricher's scoring path: the bundle's scorer and adapter behind the shared ScoringService, with the
// OpenSearch history loader for cold entities, so enrich scores with the same context as the proxy; `pickUp`
// switches to a changed bundle between pages (enrich --follow), as serve's reload does.
import type { Client } from '@opensearch-project/opensearch';
import { createAdapter } from '../adapters/registry.js';
import { withTextTokens } from '../tokenizer/text-tokens.js';
import { ModelLoadError } from '../core/errors.js';
import { refillBudget } from '../opensearch/budget-loader.js';
import { createHistoryLoader, historyFieldsFor } from '../opensearch/history-loader.js';
import { Scorer } from '../scorer/scorer.js';
import { BundleChanges, bundleFingerprint } from '../service/bundle-watch.js';
import { ModelSwitch, switchRefusal } from '../service/model-switch.js';
import { ScoringService } from '../service/scoring-service.js';
import { logger } from '../util/log.js';
import { clockSeconds } from '../scorer/daily-budget.js';

export interface EnrichScoring {
  /** The serving bundle's service; a page leases it for its scoring. */
  models: ModelSwitch;
  /** The service enrich started with (its adapter and entity key hold for every later bundle). */
  service: ScoringService;
  scorer: Scorer;
  /**
   * Switches to the bundle now in modelDir when its bundle.json changed since the last look; a bundle that fails
   * to load or does not fit (another format or entity key) is logged and the serving one kept. Never rejects.
   */
  pickUp(): Promise<void>;
  close(): Promise<void>;
}

const log = logger.child({ component: 'enrich' });

export interface EnrichScoringOptions {
  /** Full explanations from this anomaly_score (default: the sidecar's). */
  explainAbove?: number;
  /** The daily alert budget's rate; null: off; unset: the bundle's acceptance rate (ScorerOptions.budget). */
  budget?: number | null;
  /**
   * The index pattern whose scored events refill the budget's window before the first page (enrich's own
   * `--index`), as `serve` does from `budget.refill_index`; unset: the window starts empty and warms up.
   */
  budgetFrom?: string;
  /** Intra-op threads of a large ONNX call (RuntimeOptions.intraOpThreads); unset: ONNX Runtime's choice. */
  onnxThreads?: number;
}

async function loadService(client: Client, modelDir: string, batchSize: number, { explainAbove, budget, onnxThreads }: Omit<EnrichScoringOptions, 'budgetFrom'>): Promise<ScoringService> {
  const scorer = await Scorer.load(modelDir, { maxBatch: batchSize, ...(budget !== undefined ? { budget } : {}), ...(onnxThreads !== undefined ? { intraOpThreads: onnxThreads } : {}), budgetClock: clockSeconds });
  const adapter = withTextTokens(createAdapter(scorer.bundle.format, scorer.bundle.adapter_options, { live: true }), scorer.textTokens);
  const fields = historyFieldsFor(adapter, scorer.bundle.entity_key);
  return new ScoringService(scorer, adapter, {
    maxBatch: batchSize,
    // Pages arrive whole (thousands of events); the delay only matters for a short last page.
    maxDelayMs: 2,
    ...(explainAbove !== undefined ? { explainAbove } : {}),
    ...(scorer.historyLength > 0 ? { historyLoader: createHistoryLoader({ client, adapter, fields, timeoutMs: 30_000 }) } : {}),
  });
}

/** Loads the bundle in `modelDir`; `batchSize` events at most per ONNX call. */
export async function createEnrichScoring(client: Client, modelDir: string, batchSize: number, options: EnrichScoringOptions = {}): Promise<EnrichScoring> {
  const changes = new BundleChanges(modelDir, await bundleFingerprint(modelDir));
  const service = await loadService(client, modelDir, batchSize, options);
  // Only the first bundle's: a switch between pages hands the budget on (ModelSwitch), so a later one never refills.
  if (options.budgetFrom !== undefined) await refillBudget(client, options.budgetFrom, service.scorer, historyFieldsFor(service.adapter, service.scorer.bundle.entity_key));
  const models = new ModelSwitch();
  models.switchTo(service);
  let looking: Promise<void> | null = null;
  const look = async () => {
    if (!(await changes.due())) return;
    const serving = models.current as ScoringService;
    try {
      const next = await loadService(client, modelDir, batchSize, options);
      const refusal = switchRefusal(serving.scorer.bundle, next.scorer.bundle);
      if (refusal) {
        await next.scorer.close();
        throw new ModelLoadError(modelDir, `bundle ${next.scorer.modelId.version} cannot replace ${serving.scorer.modelId.version} while enriching: ${refusal} (restart enrich to change it)`);
      }
      models.switchTo(next);
      log.info({ from: serving.scorer.modelId, to: next.scorer.modelId }, 'switched to the new bundle between pages');
      await changes.tried(true);
    } catch (err) {
      log.error({ reason: (err as Error).message, serving: serving.scorer.modelId }, 'new bundle refused; the serving one stays');
      await changes.tried(false);
    }
  };
  return {
    models,
    service,
    scorer: service.scorer,
    pickUp() {
      // Slices share one look: the first page to ask loads, the others wait for it.
      looking ??= look().finally(() => {
        looking = null;
      });
      return looking;
    },
    close: () => models.close(),
  };
}
