// The enricher's scoring path: the bundle's scorer and adapter behind the shared ScoringService, with the
// OpenSearch history loader for cold entities, so enrich scores with the same context as the proxy.
import type { Client } from '@opensearch-project/opensearch';
import { createAdapter } from '../adapters/registry.js';
import { createHistoryLoader, historyFieldsFor } from '../opensearch/history-loader.js';
import { Scorer } from '../scorer/scorer.js';
import { ScoringService } from '../service/scoring-service.js';

export interface EnrichScoring {
  scorer: Scorer;
  service: ScoringService;
  close(): Promise<void>;
}

/** Loads the bundle in `modelDir`; `batchSize` events at most per ONNX call; full explanations from `explainAbove`. */
export async function createEnrichScoring(client: Client, modelDir: string, batchSize: number, explainAbove?: number): Promise<EnrichScoring> {
  const scorer = await Scorer.load(modelDir, { maxBatch: batchSize });
  const adapter = createAdapter(scorer.bundle.format, scorer.bundle.adapter_options);
  const fields = historyFieldsFor(adapter, scorer.bundle.entity_key);
  const service = new ScoringService(scorer, adapter, {
    maxBatch: batchSize,
    // Pages arrive whole (thousands of events); the delay only matters for a short last page.
    maxDelayMs: 2,
    ...(explainAbove !== undefined ? { explainAbove } : {}),
    ...(scorer.historyLength > 0 ? { historyLoader: createHistoryLoader({ client, adapter, fields, timeoutMs: 30_000 }) } : {}),
  });
  return {
    scorer,
    service,
    async close() {
      await service.drain();
      await scorer.close();
    },
  };
}
