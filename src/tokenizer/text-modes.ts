// The text-token modes, one frozen entry each: how a mode is fitted on the training texts and opened from a bundle.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelLoadError, TrainerError } from '../core/errors.js';
import { runPython } from '../train/python.js';
import { BPE_FILE, bpePiecer } from './text-bpe.js';
import { charPiecer } from './text-char.js';
import type { TextPiecer, TextTokens, TextTokensSpec } from './text-tokens.js';

export interface TextMode {
  /** K when `--text-max-tokens` is not given: a BPE piece carries more of the text than a byte. */
  readonly defaultMaxTokens: number;
  /** True when the mode learns from the training texts (which `train` then collects in a first pass). */
  readonly learns: boolean;
  /** Fits on the training texts (a JSON-lines file of strings), writing its file into modelDir; the spec's extra keys. */
  fit(textsPath: string, vocabSize: number, modelDir: string): Promise<Partial<TextTokensSpec>>;
  /** Opens the mode's piecer from a bundle directory, checking its file against the spec's sha256. */
  open(spec: TextTokensSpec, dir: string): Promise<TextPiecer>;
}

/** Default vocabulary size of the byte-pair encoding: the 256 bytes and 256 merges. */
export const DEFAULT_BPE_VOCAB = 512;

const bpe: TextMode = {
  defaultMaxTokens: 8,
  learns: true,
  async fit(textsPath, vocabSize, modelDir) {
    let trained = 0;
    await runPython('text_bpe.py', ['train', '--texts', textsPath, '--vocab-size', String(vocabSize), '--out', join(modelDir, BPE_FILE)], (m) => {
      if (m.type === 'bpe-trained') trained = Number(m['vocab_size']);
    });
    if (!trained) throw new TrainerError('models/text_bpe.py ended without reporting its vocabulary');
    const bytes = await readFile(join(modelDir, BPE_FILE));
    return { vocab_size: vocabSize, file: BPE_FILE, sha256: createHash('sha256').update(bytes).digest('hex') };
  },
  async open(spec, dir) {
    const file = spec.file as string;
    const path = join(dir, file);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (err) {
      throw new ModelLoadError(dir, `text_tokens: the model reads its text fields (${spec.fields.join(', ')}) as byte-pair pieces, and the tokenizer file it was trained with, ${path}, cannot be read (${(err as Error).message}); copy the whole bundle directory`, { cause: err });
    }
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== spec.sha256) throw new ModelLoadError(dir, `text_tokens: sha256 of ${file} is ${sha}, bundle.json says ${spec.sha256}: the tokenizer file was changed or truncated`);
    return bpePiecer(bytes.toString('utf8'));
  },
};

const char: TextMode = {
  defaultMaxTokens: 16,
  learns: false,
  fit: () => Promise.resolve({}),
  open: () => Promise.resolve(charPiecer),
};

export const TEXT_MODES: Readonly<Record<TextTokensSpec['mode'], TextMode>> = Object.freeze({ bpe, char });

/** A bundle's text tokens, opened and checked. */
export async function openTextTokens(spec: TextTokensSpec, dir: string): Promise<TextTokens> {
  return { spec, piecer: await TEXT_MODES[spec.mode].open(spec, dir) };
}
