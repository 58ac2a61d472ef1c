// `train` and `score` with --format weblogin through the CLI: users who log in from their own network and browser
// every working day, then a takeover of one account from another country, AS and device. The enrichment reaches
// the model: the takeover outranks every usual login of the test day. No shared sample of web logins exists, so the
// logins are written here (deterministic), with real public addresses the packaged databases know.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { hasBuild, hasPython } from './support/env.js';

const ready = hasPython() && hasBuild();
const DESKTOP = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15';
const PHONE = 'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36';
/** Offices' egress addresses (US, AS15169 and AS13335); the takeover comes from a German network. */
const OFFICES = ['8.8.8.8', '8.8.4.4', '1.0.0.1'];
const ATTACKER = '81.169.145.66';
const DAY = 86_400;
const START = Date.UTC(2024, 2, 4) / 1000; // a Monday

function logins(days: number, firstDay: number): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (let d = firstDay; d < firstDay + days; d++) {
    if ((d % 7) >= 5) continue; // weekends off
    for (let u = 0; u < 30; u++) {
      for (const hour of [8 + (u % 3), 13]) {
        const t = START + d * DAY + hour * 3600 + u * 60;
        out.push({ userID: `user${u}`, timestamp: `${BigInt(t) * 1_000_000_000n}`, location: OFFICES[u % 3], userAgent: u % 2 ? MAC : DESKTOP, outcome: 'success', app: 'portal' });
      }
    }
  }
  return out;
}

describe.runIf(ready)('weblogin through train and score', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-weblogin-'));
  const train = join(dir, 'train.jsonl');
  const test = join(dir, 'test.jsonl');
  const scores = join(dir, 'scores.jsonl');
  const takeover = { userID: 'user7', timestamp: `${BigInt(START + 14 * DAY + 3 * 3600) * 1_000_000_000n}`, location: ATTACKER, userAgent: PHONE, outcome: 'success', app: 'portal' };

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
});
