// `score`'s daily alert budget and one event stamped years ahead (review, 2026-12-07): the event moved the budget's
// window past every other event of the file, which were then judged against a window of one event and no longer
// counted (70 flags instead of 20 in the reviewer's ECS run; 1 instead of 37 here). The live paths bound this by the
// clock; `score` takes the time below which 99.9 % of its input falls as its clock, so the file flags as without it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { hasBuild, hasPython, hasSharedData, shared } from './support/env.js';
import { lanlModel } from './support/model-fixture.js';

describe.runIf(hasBuild() && hasPython() && hasSharedData())('score\'s budget and a far-future event', () => {
  let dir = '';
  let model = '';

  beforeAll(async () => {
    model = await lanlModel();
    dir = mkdtempSync(join(tmpdir(), 'seqsentry-budget-future-'));
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const flagged = (name: string, lines: string[]): { lines: number[]; flags: number } => {
    const input = join(dir, `${name}.csv`);
    writeFileSync(input, lines.join('\n') + '\n');
    const output = join(dir, `${name}.jsonl`);
    // A low threshold and a 1 % budget: the budget, not the threshold, decides the flags.
    const r = runCli(['score', '--model-dir', model, '--input', input, '--output', output, '--threshold', '0.5', '--budget', '0.01']);
    expect(r.status, r.stderr).toBe(0);
    const rows = readFileSync(output, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; is_anomaly?: boolean });
    const flaggedLines = rows.filter((x) => x.is_anomaly).map((x) => x.line);
    return { lines: flaggedLines, flags: flaggedLines.length };
  };

  it('flags the same events with a line dated in the year 9999 at the top', () => {
    const events = readFileSync(shared('lanl', 'safekit-heads', 'day0_head_decoded.csv'), 'utf8').split('\n').filter((l) => l && !l.startsWith('time,'));
    const plain = flagged('plain', events);
    expect(plain.flags).toBeGreaterThan(10);
    const future = flagged('future', ['253402300000,U1@DOM1,U1@DOM1,C1,C2,Kerberos,Network,LogOn,Success', ...events]);
    // the same events, one line further down; the far one may be flagged itself
    expect(future.lines.filter((l) => l > 1).map((l) => l - 1)).toEqual(plain.lines);
  });
});
