// Whether a kind is fused with the per-entity memory is declared once per kind (models/kinds.json): the LANL-style
// sequence kinds and zeek-seq by default (zeek-seq was fused only when asked until the daily alert budget held its
// flags to R of a day; the opt-in policy stays for a kind that needs it), the login-risk autoencoder and charfreq
// never, and asking those for it is refused rather than ignored.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/core/errors.js';
import { fusesWith, MODEL_KINDS } from '../src/model/kinds.js';

const kind = (name: string) => MODEL_KINDS[name]!;

describe('the fusion policy of each kind', () => {
  it('fuses the sequence kinds unless --no-fusion', () => {
    for (const name of ['transformer-mlm', 'lstm-lm', 'transformer-lm', 'zeek-seq']) {
      expect(fusesWith(kind(name), undefined), name).toBe(true);
      expect(fusesWith(kind(name), false), name).toBe(false);
      expect(fusesWith(kind(name), true), name).toBe(true);
    }
  });

  it('fuses an opt-in kind only with --fusion', () => {
    const optIn = { ...kind('zeek-seq'), fusion: 'opt-in' as const };
    expect(fusesWith(optIn, undefined)).toBe(false);
    expect(fusesWith(optIn, true)).toBe(true);
    expect(fusesWith(optIn, false)).toBe(false);
  });

  it('never fuses lstm-ae or charfreq, and refuses --fusion for them by name', () => {
    for (const name of ['lstm-ae', 'charfreq']) {
      expect(fusesWith(kind(name), undefined), name).toBe(false);
      expect(fusesWith(kind(name), false), name).toBe(false);
      expect(() => fusesWith(kind(name), true)).toThrow(UsageError);
      expect(() => fusesWith(kind(name), true)).toThrow(new RegExp(`--fusion: ${name} is never fused`));
    }
  });
});
