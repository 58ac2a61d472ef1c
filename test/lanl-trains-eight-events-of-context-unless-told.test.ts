// Without --context, `train` gives transformer-mlm its declared context (models/kinds.json default_context, 8) on LANL
// as on every format: LANL trained it context-free for a day and went back to 8 when the larger enterprises of the
// detection matrix tied (docs/benchmarks.md "How much context the LANL model needs"). --context 0 still trains the
// context-free model, whose windows the scorer's cache remembers.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { hasBuild, hasPython, hasSharedData, shared } from './support/env.js';

describe.runIf(hasBuild() && hasPython() && hasSharedData())('train on LANL without --context', () => {
  it('writes a bundle with 8 events of context, and --context 0 one without', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqsentry-lanl-context-'));
    const input = shared('lanl', 'safekit-heads', 'day0_head_decoded.csv');
    const lengths = [[], ['--context', '0']].map((extra, i) => {
      const modelDir = join(dir, `model-${i}`);
      const r = runCli(['train', '--format', 'lanl', '--input', input, '--model-dir', modelDir, '--epochs', '1', '--no-fusion', ...extra]);
      expect(r.status, r.stderr).toBe(0);
      return (JSON.parse(readFileSync(join(modelDir, 'bundle.json'), 'utf8')) as { context_length: number }).context_length;
    });
    expect(lengths).toEqual([8, 0]);
  }, 300_000);
});
