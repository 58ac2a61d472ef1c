// Fitting the clustering vocabulary: a seeded sample of feature vectors per log type (sample.ts), clustered by
// models/zeek_vocab.py into vocab.json, read back through the same checks the tokenizer applies before it is used.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatReadStats, newReadStats, type ReadStats } from '../../adapters/read.js';
import { SeqSentryError } from '../../core/errors.js';
import { runPython } from '../../train/python.js';
import { sampleFeatureRows, type FeatureSample } from './sample.js';
import { readVocab } from './vocab-file.js';

export interface FitVocabArgs {
  inputs: readonly string[];
  out: string;
  /** Feature vectors kept per log type (the distance matrix is sample² doubles). */
  sample: number;
  minClusterSize: number;
  minSamples: number;
  /** Least cluster radius, in features' worth of mismatch (distance × feature count). */
  radiusFloor: number;
  seed: number;
}

export interface LogTypeSummary {
  logType: string;
  seen: number;
  sample: number;
  clusters: number;
  /** Share of the sample HDBSCAN left as noise. */
  noiseShare: number;
}

export interface FitVocabResult {
  stats: ReadStats;
  logTypes: LogTypeSummary[];
  /** Seconds spent reading and sampling, and clustering (Python, process start included). */
  sampleSeconds: number;
  clusterSeconds: number;
}

/** The clustering parameters `seqsentry zeek-vocab` and the zeek-seq kind's `cluster` tokenizer default to. */
export const DEFAULT_VOCAB_PARAMS = Object.freeze({ sample: 2000, minClusterSize: 10, minSamples: 5, radiusFloor: 0.5, seed: 1 });

export type ClusterParams = Omit<FitVocabArgs, 'inputs' | 'out'>;

/** Clusters a sample (models/zeek_vocab.py) into the vocabulary file `out`. */
export async function clusterSample(sample: FeatureSample, out: string, params: ClusterParams): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'seqsentry-zeek-vocab-'));
  try {
    const rows = join(dir, 'rows.json');
    await writeFile(rows, JSON.stringify(sample));
    await runPython('zeek_vocab.py', [
      'fit', '--rows', rows, '--out', out, '--min-cluster-size', String(params.minClusterSize),
      '--min-samples', String(params.minSamples), '--radius-floor', String(params.radiusFloor), '--sample', String(params.sample), '--seed', String(params.seed),
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function fitZeekVocab(args: FitVocabArgs): Promise<FitVocabResult> {
  const stats = newReadStats();
  const t0 = performance.now();
  const sample = await sampleFeatureRows(args.inputs, args.sample, args.seed, stats);
  // Nothing read, nothing to cluster: a vocabulary without log types would tokenize every record as unknown.
  if (Object.keys(sample.log_types).length === 0) throw new SeqSentryError(`no Zeek record could be read from ${args.inputs.join(', ')} (${formatReadStats(stats).split('\n')[0]}); ${args.out} not written`);
  const t1 = performance.now();
  await clusterSample(sample, args.out, args);
  const t2 = performance.now();
  const { doc } = readVocab(args.out);
  const logTypes = Object.entries(doc.log_types).map(([logType, lt]) => ({
    logType, seen: sample.log_types[logType]?.seen ?? 0, sample: lt.sample, clusters: lt.clusters.length, noiseShare: lt.noise_share,
  }));
  return { stats, logTypes, sampleSeconds: (t1 - t0) / 1000, clusterSeconds: (t2 - t1) / 1000 };
}
