// The zeek-seq kind's record tokenizers by name (a bundle's `record_tokenizer.name`).
import type { RecordTokenizerEntry } from './record-token.js';
import { TUPLE_TOKENIZER } from './record-token.js';
import { CLUSTER_TOKENIZER } from './cluster-record-token.js';

export const RECORD_TOKENIZERS: Readonly<Record<string, RecordTokenizerEntry>> = Object.freeze({ tuple: TUPLE_TOKENIZER, cluster: CLUSTER_TOKENIZER });

export const DEFAULT_RECORD_TOKENIZER = 'tuple';
