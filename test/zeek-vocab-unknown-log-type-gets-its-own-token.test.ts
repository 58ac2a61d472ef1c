// Bad input to the `cluster` tokenizer: a record of a log type the vocabulary was not fitted on, a log type no
// feature table knows, a record that is not a Zeek record at all: each gets a token of its own, never an exception.
import { describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { ZEEK_FIELDS } from '../src/adapters/zeek-fields.js';
import { ClusterTokenizer, UNKNOWN_LOG_TYPE_TOKEN } from '../src/tokenizer/zeek-cluster/cluster-tokenizer.js';
import { FEATURE_TABLES } from '../src/tokenizer/zeek-cluster/features.js';
import { parseVocab } from '../src/tokenizer/zeek-cluster/vocab-file.js';

const weird = FEATURE_TABLES.weird ?? [];
// a vocabulary of weird records only, one cluster around `bad_TCP_checksum`
const vocab = parseVocab({
  schema_version: 1,
  kind: 'zeek-cluster-vocab',
  params: { sample: 10, min_cluster_size: 2, min_samples: 1, radius_floor: 0, seed: 1 },
  log_types: {
    weird: {
      features: weird.map((f) => ({ name: f.name, kind: f.kind })),
      ranges: weird.map(() => null),
      clusters: [{ token: 'weird:c0', size: 10, radius: 0.25, medoid: ['bad_TCP_checksum', 'logged', null, null] }],
      sample: 10,
      noise_share: 0,
    },
  },
}, 'hand-made');
const tokenizer = new ClusterTokenizer(vocab);
const adapter = createAdapter('zeek');
const parse = (rec: Record<string, unknown>): CanonicalEvent => adapter.parse(rec, { file: 'hand-made', line: 1 }) as CanonicalEvent;

function eventOfLogType(logType: string, raw: unknown): CanonicalEvent {
  const fields = ZEEK_FIELDS.map((f) => (f === 'log_type' ? logType : '?'));
  return { time: 0, entities: {}, fields, raw, source: { file: 'hand-made', line: 1 } };
}

describe('zeek-vocab cluster tokenizer on bad input', () => {
  it('gives a fitted log type its cluster or noise', () => {
    expect(tokenizer.token(parse({ _path: 'weird', ts: 1, name: 'bad_TCP_checksum', notice: false }))).toBe('weird:c0');
    expect(tokenizer.token(parse({ _path: 'weird', ts: 1, name: 'dns_unmatched_msg', notice: true, 'id.resp_p': 53 }))).toBe('weird:noise');
  });

  it('gives a log type the vocabulary has no clusters for `<log type>:unseen`', () => {
    expect(tokenizer.token(parse({ _path: 'dns', ts: 1, query: 'example.com', qtype_name: 'A' }))).toBe('dns:unseen');
  });

  it('gives a log type no feature table knows, or an event without one, the unknown token', () => {
    expect(tokenizer.token(eventOfLogType('modbus', {}))).toBe(UNKNOWN_LOG_TYPE_TOKEN);
    expect(tokenizer.token(eventOfLogType('__proto__', {}))).toBe(UNKNOWN_LOG_TYPE_TOKEN);
    expect(tokenizer.token({ time: 0, entities: {}, fields: [], raw: null, source: { file: 'x', line: 1 } })).toBe(UNKNOWN_LOG_TYPE_TOKEN);
  });

  it('takes a raw record that is not an object, or holds values of the wrong type', () => {
    expect(tokenizer.token(eventOfLogType('conn', 'not a record'))).toBe('conn:unseen');
    expect(tokenizer.token(eventOfLogType('weird', ['a', 1]))).toBe('weird:noise');
    expect(() => tokenizer.token(eventOfLogType('weird', { name: { nested: true }, notice: 42 }))).not.toThrow();
  });

  it('lists every token it can give, one unseen per log type without clusters', () => {
    const all = tokenizer.tokens();
    expect(all).toContain('weird:c0');
    expect(all).toContain('weird:noise');
    expect(all).toContain('conn:unseen');
    expect(all).toContain(UNKNOWN_LOG_TYPE_TOKEN);
    expect(new Set(all).size).toBe(all.length);
  });
});
