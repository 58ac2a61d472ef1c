// Without --context, `train` gives transformer-mlm no context on LANL (models/kinds.json default_context_by_format:
// on the detection matrix the context-free model ranked the red team no worse at half the model's cost,
// docs/benchmarks.md "How much context the LANL model needs") and its 8 previous events everywhere else; --context
// still sets it. A format's context must be a count of events.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultContextFor, KINDS_FILE, MODEL_KINDS, parseKinds } from '../src/model/kinds.js';
import { runCli } from './support/cli.js';
import { hasBuild, hasPython, hasSharedData, shared } from './support/env.js';

describe('the default context of each format', () => {
  it('is none for transformer-mlm on LANL, the kind\'s own elsewhere', () => {
    const mlm = MODEL_KINDS['transformer-mlm']!;
    expect(defaultContextFor(mlm, 'lanl')).toBe(0);
    for (const format of ['windows', 'ecs', 'authlog', 'syslog']) expect(defaultContextFor(mlm, format), format).toBe(8);
    expect(defaultContextFor(MODEL_KINDS['transformer-lm']!, 'lanl')).toBe(8);
  });

  it('refuses a format context that is not a count of events', () => {
    const declared = JSON.parse(readFileSync(KINDS_FILE, 'utf8')) as { kinds: Record<string, object> };
    const kinds = { ...declared.kinds, 'transformer-mlm': { ...declared.kinds['transformer-mlm'], default_context_by_format: { lanl: -1 } } };
    expect(() => parseKinds({ ...declared, kinds })).toThrow('kinds.transformer-mlm.default_context_by_format.lanl');
  });
});

describe.runIf(hasBuild() && hasPython() && hasSharedData())('train on LANL without --context', () => {
  it('writes a bundle without context, and --context 8 one with it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqsentry-lanl-context-'));
    const input = shared('lanl', 'safekit-heads', 'day0_head_decoded.csv');
    const lengths = [[], ['--context', '8']].map((extra, i) => {
      const modelDir = join(dir, `model-${i}`);
      const r = runCli(['train', '--format', 'lanl', '--input', input, '--model-dir', modelDir, '--epochs', '1', '--no-fusion', ...extra]);
      expect(r.status, r.stderr).toBe(0);
      return (JSON.parse(readFileSync(join(modelDir, 'bundle.json'), 'utf8')) as { context_length: number }).context_length;
    });
    expect(lengths).toEqual([0, 8]);
  }, 300_000);
});
