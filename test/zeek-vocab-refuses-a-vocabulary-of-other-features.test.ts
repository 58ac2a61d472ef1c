// A clustering vocabulary fitted on other features than this build's tables (an older or newer SeqSentry), or a
// malformed one, is refused where it is read, with an error naming the file and the field at fault: tokens from a
// medoid whose values mean something else would be wrong without any sign of it.
import { describe, expect, it } from 'vitest';
import { FEATURE_TABLES } from '../src/tokenizer/zeek-cluster/features.js';
import { parseVocab, VocabError } from '../src/tokenizer/zeek-cluster/vocab-file.js';

const weird = FEATURE_TABLES.weird ?? [];
function vocab(logType: string, features: { name: string; kind: string }[], medoid: unknown[]) {
  return {
    schema_version: 1,
    kind: 'zeek-cluster-vocab',
    params: { sample: 10, min_cluster_size: 2, min_samples: 1, radius_floor: 0.5, seed: 1 },
    log_types: { [logType]: { features, ranges: features.map(() => null), clusters: [{ token: `${logType}:c0`, size: 3, radius: 0.1, medoid }], sample: 3, noise_share: 0 } },
  };
}
const spec = weird.map((f) => ({ name: f.name, kind: f.kind }));

function refusal(doc: unknown): VocabError {
  try {
    parseVocab(doc, 'v.json');
  } catch (err) {
    if (err instanceof VocabError) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('zeek-vocab refuses a vocabulary of other features', () => {
  it('accepts one made for this build', () => {
    expect(parseVocab(vocab('weird', spec, weird.map(() => null)), 'v.json').get('weird')?.tokens).toEqual(['weird:c0']);
  });

  it('names a feature list that differs', () => {
    const e = refusal(vocab('weird', [...spec].reverse(), weird.map(() => null)));
    expect(e.message).toContain('v.json');
    expect(e.field).toBe('log_types.weird.features');
  });

  it('names a medoid of the wrong length', () => {
    expect(refusal(vocab('weird', spec, [null])).field).toBe('log_types.weird.clusters.0');
  });

  it('names a log type without a feature table', () => {
    expect(refusal(vocab('modbus', spec, weird.map(() => null))).field).toBe('log_types.modbus');
  });

  it('names the key of a malformed document', () => {
    const doc = vocab('weird', spec, weird.map(() => null));
    expect(refusal({ ...doc, schema_version: 2 }).field).toBe('schema_version');
  });
});
