// `train` refuses text-token options it cannot honour before it trains anything, each with a message naming the
// option: a text field without a mode, a mode without a field, an unknown mode, K out of bounds, a kind that reads
// no field tokens, a field no training record carries.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { hasBuild, hasSharedData, shared } from './support/env.js';

describe.runIf(hasBuild() && hasSharedData())('train with text-token options it cannot use', () => {
  const http = shared('zeek', 'stratosphere-labeled', '008-zeek-mixed', 'http.log.labeled.gz');
  const auth = shared('linux', 'ubuntu-internet-host-auth.log');
  const cases: Array<[string, string[], string]> = [
    ['a text field without a mode', ['--format', 'zeek', '--input', http, '--text-field', 'uri'], '--text-field: go with --text-tokens bpe|char'],
    ['a mode without a field', ['--format', 'zeek', '--input', http, '--text-tokens', 'bpe'], 'needs --text-field NAME'],
    ['an unknown mode', ['--format', 'zeek', '--input', http, '--text-tokens', 'word', '--text-field', 'uri'], '--text-tokens "word": known are bpe, char, none'],
    ['K above 64', ['--format', 'zeek', '--input', http, '--text-tokens', 'char', '--text-field', 'uri', '--text-max-tokens', '65'], '--text-max-tokens 65: between 1 and 64'],
    ['a kind without field tokens', ['--format', 'authlog', '--input', auth, '--kind', 'charfreq', '--text-tokens', 'char', '--text-field', 'text'], '--text-tokens: charfreq reads the event itself'],
    ['a field no record carries', ['--format', 'zeek', '--input', http, '--text-tokens', 'char', '--text-field', 'query'], '--text-field query: no training event of the zeek adapter carries it'],
  ];
  for (const [what, args, message] of cases) {
    it(`refuses ${what}`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'seqsentry-text-refuse-'));
      const r = runCli(['train', ...args, '--model-dir', join(dir, 'model')]);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain(message);
    }, 60_000);
  }
});
