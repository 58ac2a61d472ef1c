// Byte-pair text pieces: the tokenizer.json that models/text_bpe.py trains with `tokenizers` (Python), applied here
// with `@huggingface/tokenizers` (pure JavaScript, no native code); a golden parity test holds the two together.
import { Tokenizer } from '@huggingface/tokenizers';
import type { TextPiecer } from './text-tokens.js';

/** The file, inside a bundle directory, that holds the trained byte-pair encoding. */
export const BPE_FILE = 'text-tokenizer.json';

export interface BpeEncoding {
  ids: number[];
  tokens: string[];
}

/** The piecer of a tokenizer.json's text (as the bundle stores it); `encode` also gives the ids (parity test). */
export function bpePiecer(json: string): TextPiecer & { encode(text: string): BpeEncoding } {
  // The config (tokenizer_config.json of a Hub model) carries chat templates and special-token options; a trained
  // byte-pair encoding with no special tokens needs none.
  const tokenizer = new Tokenizer(JSON.parse(json) as object, {});
  const encode = (text: string): BpeEncoding => {
    const { ids, tokens } = tokenizer.encode(text, { add_special_tokens: false });
    return { ids, tokens };
  };
  return Object.freeze({ encode, pieces: (text: string) => encode(text).tokens });
}
