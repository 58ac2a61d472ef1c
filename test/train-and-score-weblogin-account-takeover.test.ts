// `train` and `score` with --format weblogin through the CLI: users who log in from their own network and browser
// every working day, then a takeover of one account from another country, AS and device. The enrichment reaches
// the model: the takeover outranks every usual login of the test day. No shared sample of web logins exists, so the
// logins are written in test/support/weblogin-fixture.ts (deterministic), with real public addresses the packaged databases know.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { hasBuild, hasPython } from './support/env.js';
import { ATTACKER, takeoverLogin, webloginRecords as logins } from './support/weblogin-fixture.js';
import { HABIT_MIN_AGE } from '../src/memory/memory-spec.js';

const ready = hasPython() && hasBuild();

describe.runIf(ready)('weblogin through train and score', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-weblogin-'));
  const train = join(dir, 'train.jsonl');
  const test = join(dir, 'test.jsonl');
  const scores = join(dir, 'scores.jsonl');
  const takeover = takeoverLogin(14);

  beforeAll(() => {
    writeFileSync(train, logins(14, 0).map((l) => JSON.stringify(l)).join('\n'));
    writeFileSync(test, [...logins(1, 14), takeover].map((l) => JSON.stringify(l)).join('\n'));
    const t = runCli(['train', '--format', 'weblogin', '--input', train, '--model-dir', join(dir, 'model'), '--epochs', '2', '--seed', '5']);
    expect(t.status, t.stderr).toBe(0);
    const s = runCli(['score', '--model-dir', join(dir, 'model'), '--input', test, '--output', scores]);
    expect(s.status, s.stderr).toBe(0);
  });

  it('ranks the takeover above every usual login, and says which enriched fields were new', () => {
    const lines = readFileSync(scores, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; anomaly_score: number; raw: number; fields: Array<{ field: string; value: string }>; entities: Record<string, string> });
    expect(lines).toHaveLength(61);
    const last = lines.at(-1)!;
    expect(last.entities).toMatchObject({ user: 'user7', src_ip: ATTACKER });
    for (const l of lines.slice(0, -1)) expect(last.raw).toBeGreaterThan(l.raw);
    const explained = Object.fromEntries(last.fields.map((f) => [f.field, f.value]));
    expect(explained).toMatchObject({ country: 'DE', device: 'mobile', os: 'Android' });
    expect(explained.asn).toMatch(/^AS\d+$/);
  });

  it('keeps the format\'s recall minimum age and novelty recall in the bundle, so every path that loads it recalls alike', () => {
    const bundle = JSON.parse(readFileSync(join(dir, 'model', 'bundle.json'), 'utf8')) as { fusion: { recall: number; recall_min_age?: number; habit_recall_min_age?: number } };
    expect(bundle.fusion.recall).toBeGreaterThan(0);
    expect(bundle.fusion.recall_min_age).toBe(3600);
    expect(bundle.fusion.habit_recall_min_age).toBe(HABIT_MIN_AGE);
  });
});
