// charfreq matches its lexicon word by word (runs of ASCII letters), case-insensitively, each term once per message
// in order of first appearance; a term inside a longer word is not a match.
import { describe, expect, it } from 'vitest';
import { TermIndex } from '../src/kinds/charfreq/terms.js';

describe('negative terms in a message', () => {
  const index = new TermIndex(['failed', 'denied', 'segfault', 'error']);
  const find = (text: string) => {
    const found: number[] = [];
    index.scan(text, found);
    return found.map((t) => index.terms[t]);
  };

  it('finds whole words in any case, once each, in order', () => {
    expect(find('FAILED password; access Denied, failed again')).toEqual(['failed', 'denied']);
    expect(find('kernel: app[42]: segfault at 0 ip error=4')).toEqual(['segfault', 'error']);
    expect(find('pam_unix(sshd:auth): pre-failed/error_x')).toEqual(['failed', 'error']);
  });

  it('does not match a term inside a longer word, or a message without one', () => {
    expect(find('unfailedness errors segfaulted')).toEqual([]);
    expect(find('Accepted publickey for ubuntu from 10.0.0.1 port 22 ssh2')).toEqual([]);
    expect(find('')).toEqual([]);
  });
});
