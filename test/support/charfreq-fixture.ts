// A charfreq bundle trained through the real `seqsentry train` path on the first part of a real auth.log in
// ../shared/data (read in place; only the split is written, to the temp dir), and the rest of the sample to score.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isNoEvent } from '../../src/adapters/adapter.js';
import { createAdapter } from '../../src/adapters/registry.js';
import { train } from '../../src/commands/train.js';
import type { CanonicalEvent } from '../../src/core/event.js';
import { shared } from './env.js';
import { AUTHLOG_SAMPLE_YEAR } from './model-fixture.js';

/** The real samples: an internet host's auth.log (24 days) and loghub's OpenSSH server log; classic times, no year. */
export const SAMPLES = {
  ubuntu: shared('linux', 'ubuntu-internet-host-auth.log'),
  openssh: shared('linux', 'loghub', 'OpenSSH', 'OpenSSH_2k.log'),
} as const;
export const OPTIONS = { year: AUTHLOG_SAMPLE_YEAR };

export interface Split {
  modelDir: string;
  /** The lines after the training part, as written in the sample. */
  rest: string[];
}

/** Trains charfreq on the first `share` of a sample's lines; the rest is left to score. */
export async function trainCharfreqOn(sample: string, share = 0.75): Promise<Split> {
  const lines = readFileSync(sample, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const cut = Math.floor(lines.length * share);
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-charfreq-'));
  const input = join(dir, 'train.log');
  writeFileSync(input, lines.slice(0, cut).join('\n') + '\n');
  const modelDir = join(dir, 'model');
  await train({ format: 'authlog', adapterOptions: OPTIONS, inputs: [input], modelDir, kind: 'charfreq', seed: 1, minCount: 2, hourToken: true, strict: false });
  return { modelDir, rest: lines.slice(cut) };
}

/** The authlog events of lines (records of no event left out), each with its line. */
export function eventsOf(lines: readonly string[]): Array<{ line: string; event: CanonicalEvent }> {
  const adapter = createAdapter('authlog', OPTIONS);
  return lines.flatMap((line, i) => {
    const event = adapter.parse(line, { file: 'rest', line: i + 1 });
    return event && !isNoEvent(event) ? [{ line, event }] : [];
  });
}
