// `train --steps-per-epoch / --width / --layers`: a bad value is refused with a message naming the option before
// anything trains, a kind that cannot take one says so, and good values reach the trainer (the bundle records them).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { hasBuild, hasPython, hasSharedData, shared } from './support/env.js';

const lanl = shared('lanl', 'safekit-heads', 'day0_head_decoded.csv');
const auth = shared('linux', 'ubuntu-internet-host-auth.log');
const train = (args: string[]) => runCli(['train', ...args, '--model-dir', join(mkdtempSync(join(tmpdir(), 'seqsentry-capacity-')), 'model')]);

describe.runIf(hasBuild() && hasSharedData())('train refuses capacity values it cannot use', () => {
  const cases: Array<[string, string[], string]> = [
    ['zero steps per epoch', ['--format', 'lanl', '--input', lanl, '--steps-per-epoch', '0'], '--steps-per-epoch 0: expected an integer from 1 to 10000'],
    ['a fractional width', ['--format', 'lanl', '--input', lanl, '--width', '32.5'], '--width 32.5: expected an integer from 8 to 512'],
    ['a width below the bound', ['--format', 'lanl', '--input', lanl, '--width', '4'], '--width 4: expected an integer from 8 to 512'],
    ['layers that are not a number', ['--format', 'lanl', '--input', lanl, '--layers', 'two'], '--layers two: expected an integer from 1 to 12'],
    ['a kind trained in TypeScript', ['--format', 'authlog', '--input', auth, '--kind', 'charfreq', '--width', '64'], '--width: charfreq is not a neural sequence model'],
  ];
  for (const [what, args, message] of cases) {
    it(`refuses ${what}`, () => {
      const r = train(args);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain(message);
    }, 60_000);
  }
});

describe.runIf(hasBuild() && hasSharedData() && hasPython())('train passes capacity values to the trainer', () => {
  it('refuses a width its heads do not divide, naming --width', () => {
    const r = train(['--format', 'lanl', '--input', lanl, '--width', '33', '--epochs', '1']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('(seqsentry train --width): not a multiple of the 2 heads of transformer-mlm');
  }, 120_000);

  it('refuses --layers for a kind without layers, naming it', () => {
    const r = train(['--format', 'lanl', '--input', lanl, '--kind', 'lstm-lm', '--layers', '3', '--epochs', '1']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("unknown key(s) ['n_layer'] for lstm-lm");
    expect(r.stderr).toContain('--layers n_layer');
  }, 120_000);

  it('records the steps per epoch, width and layers it was given in the bundle', () => {
    const modelDir = join(mkdtempSync(join(tmpdir(), 'seqsentry-capacity-')), 'model');
    const r = runCli(['train', '--format', 'lanl', '--input', lanl, '--model-dir', modelDir, '--epochs', '1', '--steps-per-epoch', '3', '--width', '16', '--layers', '1', '--no-fusion']);
    expect(r.status, r.stderr).toBe(0);
    const bundle = JSON.parse(readFileSync(join(modelDir, 'bundle.json'), 'utf8'));
    expect(bundle.training.steps_per_epoch).toBe(3);
    expect(bundle.training.config.n_embd).toBe(16);
    expect(bundle.training.config.n_layer).toBe(1);
  }, 180_000);
});
