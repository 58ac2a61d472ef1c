// Fitting the clustering vocabulary: a seeded sample of feature vectors per log type (sample.ts), clustered by
// models/zeek_vocab.py into vocab.json, read back through the same checks the tokenizer applies before it is used.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newReadStats, type ReadStats } from '../../adapters/read.js';
import { runPython } from '../../train/python.js';
import { sampleFeatureRows } from './sample.js';
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

export async function fitZeekVocab(args: FitVocabArgs): Promise<FitVocabResult> {
  const stats = newReadStats();
  const t0 = performance.now();
  const sample = await sampleFeatureRows(args.inputs, args.sample, args.seed, stats);
  const t1 = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'seqsentry-zeek-vocab-'));
  try {
    const rows = join(dir, 'rows.json');
    await writeFile(rows, JSON.stringify(sample));
    await runPython('zeek_vocab.py', [
      'fit', '--rows', rows, '--out', args.out, '--min-cluster-size', String(args.minClusterSize),
      '--min-samples', String(args.minSamples), '--radius-floor', String(args.radiusFloor), '--sample', String(args.sample), '--seed', String(args.seed),
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const t2 = performance.now();
  const { doc } = readVocab(args.out);
  const logTypes = Object.entries(doc.log_types).map(([logType, lt]) => ({
    logType, seen: sample.log_types[logType]?.seen ?? 0, sample: lt.sample, clusters: lt.clusters.length, noiseShare: lt.noise_share,
  }));
  return { stats, logTypes, sampleSeconds: (t1 - t0) / 1000, clusterSeconds: (t2 - t1) / 1000 };
}
