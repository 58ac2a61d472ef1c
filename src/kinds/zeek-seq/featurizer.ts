// Opens a zeek-seq bundle's featurizer: the record tokenizer it was trained with (checked against the sha256 the
// bundle records) and the number of slots per connection (its model fields), so that a scored connection becomes
// exactly the token row the model was trained on.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ZeekConnection } from '../../adapters/zeek-join.js';
import { ModelLoadError } from '../../core/errors.js';
import type { CanonicalEvent } from '../../core/event.js';
import type { Bundle } from '../../model/bundle.js';
import { connectionEvent } from './connection-event.js';
import type { RecordTokenizer } from './record-token.js';
import { RECORD_TOKENIZERS } from './record-tokenizers.js';

export interface ConnectionFeaturizer {
  readonly tokenizer: RecordTokenizer;
  readonly slots: number;
  event(connection: ZeekConnection): CanonicalEvent;
}

export async function openConnectionFeaturizer(dir: string, bundle: Bundle): Promise<ConnectionFeaturizer> {
  const spec = bundle.record_tokenizer;
  if (!spec || !bundle.tokenizer) throw new ModelLoadError(dir, `bundle.json of kind ${bundle.kind} has no ${spec ? 'tokenizer' : 'record_tokenizer'}`);
  const entry = Object.hasOwn(RECORD_TOKENIZERS, spec.name) ? RECORD_TOKENIZERS[spec.name] : undefined;
  if (!entry) throw new ModelLoadError(dir, `record_tokenizer.name "${spec.name}" is not one this version has (${Object.keys(RECORD_TOKENIZERS).join(', ')})`);
  const path = join(dir, spec.file);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new ModelLoadError(dir, `cannot read record tokenizer file ${path}: ${(err as Error).message}`, { cause: err });
  }
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== spec.sha256) throw new ModelLoadError(dir, `sha256 of ${spec.file} is ${sha}, bundle.json says ${spec.sha256}: the record tokenizer file was changed or truncated`);
  let parameters: unknown;
  try {
    parameters = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new ModelLoadError(dir, `${spec.file} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const tokenizer = entry.open(parameters, path);
  // An hour token would be a model field after the slots; zeek-seq is trained without one.
  const slots = bundle.tokenizer.fields.length - (bundle.tokenizer.hour_token ? 1 : 0);
  return { tokenizer, slots, event: (connection) => connectionEvent(connection, tokenizer, slots) };
}
