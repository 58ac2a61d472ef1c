// `seqsentry zeek-vocab`: fit the clustering vocabulary of Zeek records (one token per record, for the zeek-seq
// kind's `cluster` tokenizer) from log files, and print per log type its clusters and noise share.
import { resolve } from 'node:path';
import { formatReadStats } from '../adapters/read.js';
import { UsageError } from '../core/errors.js';
import { fitZeekVocab } from '../tokenizer/zeek-cluster/fit.js';
import { intOption, parseOptions, required, type Command } from './command.js';

const USAGE = 'seqsentry zeek-vocab --input FILE... --out vocab.json [--sample N] [--min-cluster-size K] [--min-samples M] [--radius-floor R] [--seed N]';
const SUMMARY = 'Clusters a sample of each Zeek log type\'s records (Gower distance, HDBSCAN) and writes the vocabulary: per log type the feature spec, ranges, cluster medoids and radii.';
const SPECS = {
  input: { type: 'string', multiple: true, short: 'i', help: 'FILE  Zeek log, TSV or JSON, .gz allowed (repeatable)' },
  out: { type: 'string', short: 'o', help: 'FILE  the vocabulary to write (JSON)' },
  sample: { type: 'string', default: '2000', help: 'N  records sampled per log type (the distance matrix holds N² doubles)' },
  'min-cluster-size': { type: 'string', default: '10', help: 'K  fewest records a cluster holds' },
  'min-samples': { type: 'string', default: '5', help: 'M  HDBSCAN\'s density neighbourhood (higher: more noise)' },
  'radius-floor': { type: 'string', default: '0.5', help: 'R  least cluster radius in features\' worth of mismatch (0.5: numbers may drift by half their range in all, no category may change)' },
  seed: { type: 'string', default: '1', help: 'N  sampling seed; the same files and seed give the same vocabulary' },
} as const;

const command: Command = {
  name: 'zeek-vocab',
  summary: SUMMARY,
  async run(argv) {
    const parsed = parseOptions(argv, USAGE, SUMMARY, SPECS);
    if (!parsed) return 0;
    const { values } = parsed;
    const sample = intOption(values.sample, 'sample', 2000);
    const minClusterSize = intOption(values['min-cluster-size'], 'min-cluster-size', 10);
    const minSamples = intOption(values['min-samples'], 'min-samples', 5);
    // past 20,000 the matrix alone is 3.2 GB
    if (sample < 2 || sample > 20_000) throw new UsageError(`--sample must be in [2, 20000], got ${sample}`);
    if (minClusterSize < 2) throw new UsageError(`--min-cluster-size must be at least 2, got ${minClusterSize}`);
    if (minSamples < 1) throw new UsageError(`--min-samples must be at least 1, got ${minSamples}`);
    const radiusFloor = Number(values['radius-floor']);
    if (!(radiusFloor >= 0)) throw new UsageError(`--radius-floor must be a number >= 0, got "${values['radius-floor']}"`);
    const out = resolve(required(values.out, 'out'));
    const result = await fitZeekVocab({ inputs: required(values.input, 'input'), out, sample, minClusterSize, minSamples, radiusFloor, seed: intOption(values.seed, 'seed', 1) });
    process.stderr.write(`${formatReadStats(result.stats)}\n`);
    for (const lt of result.logTypes) {
      process.stdout.write(`${lt.logType.padEnd(12)} records ${lt.seen}, sample ${lt.sample}, clusters ${lt.clusters}, noise ${(lt.noiseShare * 100).toFixed(1)}% of the sample\n`);
    }
    process.stdout.write(`wrote ${out} (sampling ${result.sampleSeconds.toFixed(1)} s, clustering ${result.clusterSeconds.toFixed(1)} s)\n`);
    return 0;
  },
};

export default command;
