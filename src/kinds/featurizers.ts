// Kinds whose unit is not one adapter record (models/kinds.json "featurizer": NAME): NAME -> how `seqsentry train`
// builds and tokenizes the units to train on, and how `seqsentry score` reads and scores them from files.
import { createAdapter } from '../adapters/registry.js';
import type { Scorer } from '../scorer/scorer.js';
import { openConnectionFeaturizer } from './zeek-seq/featurizer.js';
import { scoreConnectionFiles, type ConnectionScoreArgs } from './zeek-seq/score.js';
import { trainZeekSeq, type ZeekSeqTrainInput } from './zeek-seq/train.js';

export interface KindFeaturizer {
  /** Reads the inputs as the kind's units, trains, writes the bundle; returns bundle.json's path. */
  train(input: ZeekSeqTrainInput): Promise<string>;
  /** Scores the files' units with a loaded bundle of the kind (its scorer keeps all history), one line per unit. */
  scoreFiles(scorer: Scorer, modelDir: string, args: ConnectionScoreArgs): Promise<{ scored: number; anomalies: number; errors: number }>;
}

export const FEATURIZERS: Readonly<Record<string, KindFeaturizer>> = Object.freeze({
  'zeek-connection': Object.freeze({
    train: trainZeekSeq,
    async scoreFiles(scorer: Scorer, modelDir: string, args: ConnectionScoreArgs) {
      const featurizer = await openConnectionFeaturizer(modelDir, scorer.bundle);
      return scoreConnectionFiles(scorer, featurizer, createAdapter(scorer.bundle.format, scorer.bundle.adapter_options), args);
    },
  }),
});
