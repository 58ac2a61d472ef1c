// Kinds whose unit is not one adapter record (models/kinds.json "featurizer": NAME): NAME -> how `seqsentry train`
// builds and tokenizes the units to train on, how `seqsentry score` reads and scores them from files, and how
// `seqsentry enrich` joins and scores them in OpenSearch (the proxy and ML Commons see one record at a time and
// cannot build such a unit: they forward its records unscored with `servedBy` as the reason).
import type { Client } from '@opensearch-project/opensearch';
import { createAdapter } from '../adapters/registry.js';
import type { Scorer } from '../scorer/scorer.js';
import { ConnectionEnricher, type ConnectionEnrichObserver, type ConnectionEnrichOptions, type ConnectionEnrichStats } from './zeek-seq/connection-enrich.js';
import { openConnectionFeaturizer } from './zeek-seq/featurizer.js';
import { scoreConnectionFiles, type ConnectionScoreArgs } from './zeek-seq/score.js';
import { trainZeekSeq, type ZeekSeqTrainInput } from './zeek-seq/train.js';

export interface KindFeaturizer {
  /** Reads the inputs as the kind's units, trains, writes the bundle; returns bundle.json's path. */
  train(input: ZeekSeqTrainInput): Promise<string>;
  /** Scores the files' units with a loaded bundle of the kind (its scorer keeps all history), one line per unit. */
  scoreFiles(scorer: Scorer, modelDir: string, args: ConnectionScoreArgs): Promise<{ scored: number; anomalies: number; errors: number }>;
  /** Scores the units of the records stored in OpenSearch and writes each unit's fields onto its records. */
  enricher(client: Client, modelDir: string, options: ConnectionEnrichOptions, observer?: ConnectionEnrichObserver): { run(signal: AbortSignal): Promise<ConnectionEnrichStats> };
  /** Why a record sent on its own (proxy, ML Commons) is not scored there: written as its anomaly.pending. */
  readonly servedBy: string;
}

export const FEATURIZERS: Readonly<Record<string, KindFeaturizer>> = Object.freeze({
  'zeek-connection': Object.freeze({
    train: trainZeekSeq,
    async scoreFiles(scorer: Scorer, modelDir: string, args: ConnectionScoreArgs) {
      const featurizer = await openConnectionFeaturizer(modelDir, scorer.bundle);
      return scoreConnectionFiles(scorer, featurizer, createAdapter(scorer.bundle.format, scorer.bundle.adapter_options), args);
    },
    enricher: (client: Client, modelDir: string, options: ConnectionEnrichOptions, observer?: ConnectionEnrichObserver) => new ConnectionEnricher(client, modelDir, options, observer),
    servedBy: 'zeek-seq is scored by enrich (uid join)',
  }),
});
