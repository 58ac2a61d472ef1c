// `seqsentry train --format weblogin --kind lstm-ae` then `seqsentry score` through the CLI on simulated web logins
// (test/support/weblogin-fixture.ts: 30 users, their office network and browser every working day): the takeover
// of one account from another country, AS and device outranks every usual login of the test day, its explanation
// names the features that reconstructed worst with the values the autoencoder expected, and a user the model never
// saw is scored, not refused.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { hasBuild, hasPython } from './support/env.js';
import { ATTACKER, DAY, DESKTOP, OFFICES, START, takeoverLogin, webloginRecords as logins } from './support/weblogin-fixture.js';

interface Line { line: number; anomaly_score?: number; raw: number; error?: string; entities: Record<string, string>; fields: Array<{ field: string; value: string; expected?: string }> }

describe.runIf(hasPython() && hasBuild())('lstm-ae on web logins through train and score', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-lstm-ae-'));
  const train = join(dir, 'train.jsonl');
  const test = join(dir, 'test.jsonl');
  const scores = join(dir, 'scores.jsonl');
  const newcomer = { userID: 'newcomer', timestamp: `${BigInt(START + 14 * DAY + 9 * 3600) * 1_000_000_000n}`, location: OFFICES[0], userAgent: DESKTOP, outcome: 'success', app: 'portal' };
  let bundle: { kind: string; context_length: number; fusion?: unknown; training: { config: { skip_fields: string[] } } };

  beforeAll(() => {
    writeFileSync(train, logins(14, 0).map((l) => JSON.stringify(l)).join('\n'));
    writeFileSync(test, [...logins(1, 14), newcomer, takeoverLogin(14)].map((l) => JSON.stringify(l)).join('\n'));
    const t = runCli(['train', '--format', 'weblogin', '--kind', 'lstm-ae', '--input', train, '--model-dir', join(dir, 'model'), '--epochs', '40', '--seed', '5']);
    expect(t.status, t.stderr).toBe(0);
    bundle = JSON.parse(readFileSync(join(dir, 'model', 'bundle.json'), 'utf8'));
    const s = runCli(['score', '--model-dir', join(dir, 'model'), '--input', test, '--output', scores]);
    expect(s.status, s.stderr).toBe(0);
  }, 300_000);

  it('trains the kind as declared: the last 8 logins, entity fields left out, no fusion', () => {
    expect(bundle.kind).toBe('lstm-ae');
    expect(bundle.context_length).toBe(7);
    expect(bundle.fusion).toBeUndefined();
    expect(bundle.training.config.skip_fields).toEqual(['user', 'src_host', 'dst_host']);
  });

  it('ranks the takeover above every usual login and explains it by what reconstructed worst', () => {
    const lines = readFileSync(scores, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
    expect(lines).toHaveLength(62);
    const takeover = lines.at(-1)!;
    expect(takeover.entities).toMatchObject({ user: 'user7', src_ip: ATTACKER });
    for (const l of lines.slice(0, -2)) expect(takeover.raw).toBeGreaterThan(l.raw);
    expect(takeover.anomaly_score).toBeGreaterThanOrEqual(0.99);
    const top3 = takeover.fields.slice(0, 3).map((f) => f.field);
    for (const f of top3) expect(['country', 'asn', 'os', 'device', 'browser', 'hour']).toContain(f);
    const country = takeover.fields.find((f) => f.field === 'country')!;
    expect(country).toMatchObject({ value: 'DE', expected: 'US' });
  });

  it('scores a user it never saw from the population, as an ordinary login', () => {
    const lines = readFileSync(scores, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
    const first = lines.at(-2)!;
    expect(first.error).toBeUndefined();
    expect(first.entities.user).toBe('newcomer');
    expect(first.anomaly_score).toBeGreaterThanOrEqual(0);
    expect(first.anomaly_score).toBeLessThan(0.99);
  });
});
