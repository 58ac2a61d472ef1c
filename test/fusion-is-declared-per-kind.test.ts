// Whether a kind is fused with the per-entity memory is declared once per kind (models/kinds.json): the LANL-style
// sequence kinds by default, zeek-seq only when asked (its tails, fitted on held-out hours of the training day, put a
// new day's connections beyond them and the acceptance rate stops controlling the notables), the login-risk
// autoencoder and charfreq never, and asking those for it is refused rather than ignored.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/core/errors.js';
import { fusesWith, MODEL_KINDS } from '../src/model/kinds.js';

const kind = (name: string) => MODEL_KINDS[name]!;

describe('the fusion policy of each kind', () => {
  it('fuses the sequence kinds unless --no-fusion', () => {
    for (const name of ['transformer-mlm', 'lstm-lm', 'transformer-lm']) {
      expect(fusesWith(kind(name), undefined), name).toBe(true);
      expect(fusesWith(kind(name), false), name).toBe(false);
      expect(fusesWith(kind(name), true), name).toBe(true);
    }
  });

  it('fuses zeek-seq only with --fusion', () => {
    expect(kind('zeek-seq').fusion).toBe('opt-in');
    expect(fusesWith(kind('zeek-seq'), undefined)).toBe(false);
    expect(fusesWith(kind('zeek-seq'), true)).toBe(true);
    expect(fusesWith(kind('zeek-seq'), false)).toBe(false);
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
