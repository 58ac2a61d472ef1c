// Opens a zeek-seq bundle's featurizer: the record tokenizer it was trained with (checked against the sha256 the
// bundle records) and the number of slots per connection (its model fields), so that a scored connection becomes
// exactly the token row the model was trained on; with a fusion, the record novelty counts it fuses.
import { join } from 'node:path';
import type { ZeekConnection } from '../../adapters/zeek-join.js';
import { ModelLoadError } from '../../core/errors.js';
import type { CanonicalEvent } from '../../core/event.js';
import { readBundleFile, type Bundle } from '../../model/bundle.js';
import { connectionEvent } from './connection-event.js';
import { RECORD_NOVELTY_STATISTIC, RecordNovelty } from './record-novelty.js';
import type { RecordTokenizer } from './record-token.js';
import { RECORD_TOKENIZERS } from './record-tokenizers.js';

export interface ConnectionFeaturizer {
  readonly tokenizer: RecordTokenizer;
  readonly slots: number;
  event(connection: ZeekConnection): CanonicalEvent;
}

/** A parameters file of the bundle, checked against the sha256 bundle.json records for it, as JSON. */
async function readChecked(dir: string, what: string, file: string, sha256: string): Promise<unknown> {
  const bytes = await readBundleFile(dir, what, file, sha256);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new ModelLoadError(dir, `${file} is not JSON: ${(err as Error).message}`, { cause: err });
  }
}

export async function openConnectionFeaturizer(dir: string, bundle: Bundle): Promise<ConnectionFeaturizer> {
  const spec = bundle.record_tokenizer;
  if (!spec || !bundle.tokenizer) throw new ModelLoadError(dir, `bundle.json of kind ${bundle.kind} has no ${spec ? 'tokenizer' : 'record_tokenizer'}`);
  const entry = Object.hasOwn(RECORD_TOKENIZERS, spec.name) ? RECORD_TOKENIZERS[spec.name] : undefined;
  if (!entry) throw new ModelLoadError(dir, `record_tokenizer.name "${spec.name}" is not one this version has (${Object.keys(RECORD_TOKENIZERS).join(', ')})`);
  const tokenizer = entry.open(await readChecked(dir, 'record tokenizer', spec.file, spec.sha256), join(dir, spec.file));
  // The fusion reads the records' novelty off each connection event; a bundle without a fusion has no use for it.
  const reads = bundle.fusion?.statistics?.includes(RECORD_NOVELTY_STATISTIC) ?? false;
  if (reads && !bundle.record_novelty) throw new ModelLoadError(dir, `bundle.json's fusion reads "${RECORD_NOVELTY_STATISTIC}" but names no record_novelty file`);
  const novelty = reads && bundle.record_novelty ? RecordNovelty.fromFile(await readChecked(dir, 'record novelty', bundle.record_novelty.file, bundle.record_novelty.sha256), join(dir, bundle.record_novelty.file)) : undefined;
  // An hour token would be a model field after the slots; zeek-seq is trained without one.
  const slots = bundle.tokenizer.fields.length - (bundle.tokenizer.hour_token ? 1 : 0);
  return { tokenizer, slots, event: (connection) => connectionEvent(connection, tokenizer, slots, novelty) };
}
