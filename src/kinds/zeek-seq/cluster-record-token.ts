// The `cluster` record tokenizer of the zeek-seq kind: a record's token is who opened its connection and the nearest
// cluster of its log type in a clustering vocabulary (src/tokenizer/zeek-cluster/) fitted on the training records,
// `local|conn:c12`. The vocabulary is the bundle's parameters file, so scoring reads the same clusters.
// Who opened the connection stays beside the cluster for the reason the tuple tokenizer keeps it (record-token.ts):
// the clusters' features describe a record, not the site's side of it.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CanonicalEvent } from '../../core/event.js';
import { ClusterTokenizer } from '../../tokenizer/zeek-cluster/cluster-tokenizer.js';
import { clusterSample, DEFAULT_VOCAB_PARAMS } from '../../tokenizer/zeek-cluster/fit.js';
import { FeatureSampler } from '../../tokenizer/zeek-cluster/sample.js';
import { parseVocab } from '../../tokenizer/zeek-cluster/vocab-file.js';
import { initiator, type RecordTokenizer, type RecordTokenizerEntry } from './record-token.js';

class InitiatorClusterTokenizer implements RecordTokenizer {
  readonly name = 'cluster';
  constructor(private readonly clusters: ClusterTokenizer) {}
  token(event: CanonicalEvent): string {
    return `${initiator(event)}|${this.clusters.token(event)}`;
  }
}

export const CLUSTER_TOKENIZER: RecordTokenizerEntry = {
  // min-count plays no part: what the clustering leaves out is its log type's noise token
  fit() {
    const sampler = new FeatureSampler(DEFAULT_VOCAB_PARAMS.sample, DEFAULT_VOCAB_PARAMS.seed);
    return {
      add: (event) => sampler.add(event),
      async parameters() {
        const dir = await mkdtemp(join(tmpdir(), 'seqsentry-zeek-seq-vocab-'));
        try {
          const out = join(dir, 'vocab.json');
          await clusterSample(sampler.sample(), out, DEFAULT_VOCAB_PARAMS);
          return JSON.parse(await readFile(out, 'utf8')) as unknown;
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      },
    };
  },
  open(parameters, where) {
    return new InitiatorClusterTokenizer(new ClusterTokenizer(parseVocab(parameters, where)));
  },
};
