// The `cluster` record tokenizer: one token per Zeek record, the nearest cluster of its log type's clustering
// vocabulary (`<log type>:c<k>`), `<log type>:noise` beyond every cluster's radius. A log type the vocabulary has
// no clusters for gets `<log type>:unseen` (or `unknown:unseen` for a name no feature table knows), never an error:
// a sequence model must be able to take whatever a sensor sends next.
import type { CanonicalEvent } from '../../core/event.js';
import { FEATURE_TABLES, featureTable, featureVector, logTypeOf } from './features.js';
import { nearestCluster } from './gower.js';
import { readVocab, type LogTypeVocab } from './vocab-file.js';

/** The shape the zeek-seq kind takes a record tokenizer in (declared there as well; structural typing joins them). */
export interface RecordTokenizer {
  readonly name: string;
  token(event: CanonicalEvent): string;
}

export const UNKNOWN_LOG_TYPE_TOKEN = 'unknown:unseen';

export class ClusterTokenizer implements RecordTokenizer {
  readonly name = 'cluster';

  constructor(private readonly byLogType: ReadonlyMap<string, LogTypeVocab>) {}

  static fromFile(file: string): ClusterTokenizer {
    return new ClusterTokenizer(readVocab(file).byLogType);
  }

  token(event: CanonicalEvent): string {
    const logType = logTypeOf(event);
    // only names with a feature table become part of a token: the vocabulary of a model stays closed
    const table = logType === undefined ? undefined : featureTable(logType);
    if (logType === undefined || table === undefined) return UNKNOWN_LOG_TYPE_TOKEN;
    const vocab = this.byLogType.get(logType);
    if (vocab === undefined) return `${logType}:unseen`;
    const k = nearestCluster(vocab.spec, vocab.reps, featureVector(event, table));
    return k < 0 ? `${logType}:noise` : (vocab.tokens[k] as string);
  }

  /** Every token this tokenizer can give, for a model's vocabulary: clusters, noise and unseen per log type. */
  tokens(): string[] {
    const out: string[] = [UNKNOWN_LOG_TYPE_TOKEN];
    for (const logType of Object.keys(FEATURE_TABLES)) {
      const v = this.byLogType.get(logType);
      out.push(...(v === undefined ? [`${logType}:unseen`] : [...v.tokens, `${logType}:noise`]));
    }
    return out;
  }
}
