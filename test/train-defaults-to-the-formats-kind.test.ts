// Without --kind, `train` trains the format's default kind (models/kinds.json default_by_format): lstm-lm for web
// logins, where the detection matrix showed it better than transformer-mlm; transformer-mlm for LANL, Windows events and
// every format without a matrix. A declaration naming a kind that does not exist is refused, naming the format.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_KIND, defaultKindFor, KINDS_FILE, parseKinds } from '../src/model/kinds.js';
import { runCli } from './support/cli.js';
import { hasBuild, hasPython } from './support/env.js';
import { webloginRecords } from './support/weblogin-fixture.js';

describe('the default kind of each format', () => {
  it('is lstm-lm for web logins, the registry default for the others', () => {
    expect(DEFAULT_KIND).toBe('transformer-mlm');
    expect(defaultKindFor('weblogin')).toBe('lstm-lm');
    for (const format of ['lanl', 'windows', 'ecs', 'authlog', 'syslog', 'zeek']) expect(defaultKindFor(format), format).toBe(DEFAULT_KIND);
  });

  it('refuses a format default naming an undeclared kind', () => {
    const declared = JSON.parse(readFileSync(KINDS_FILE, 'utf8')) as Record<string, unknown>;
    expect(() => parseKinds({ ...declared, default_by_format: { weblogin: 'lstm-xl' } })).toThrow('default_by_format.weblogin: default kind "lstm-xl" of format weblogin is not declared');
  });
});

describe.runIf(hasBuild() && hasPython())('train without --kind', () => {
  it('trains lstm-lm on web logins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqsentry-default-kind-'));
    writeFileSync(join(dir, 'train.jsonl'), webloginRecords(7, 0).map((l) => JSON.stringify(l)).join('\n'));
    const r = runCli(['train', '--format', 'weblogin', '--input', join(dir, 'train.jsonl'), '--model-dir', join(dir, 'model'), '--epochs', '1', '--no-fusion']);
    expect(r.status, r.stderr).toBe(0);
    const bundle = JSON.parse(readFileSync(join(dir, 'model', 'bundle.json'), 'utf8')) as { kind: string; context_length: number };
    expect(bundle.kind).toBe('lstm-lm');
    expect(bundle.context_length).toBe(0);
  }, 180_000);
});
