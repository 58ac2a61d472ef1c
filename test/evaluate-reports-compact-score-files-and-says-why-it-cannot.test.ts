// `evaluate`, as a reviewer broke it (2026-12-07): a score file `score --explain-above` wrote (compact fields below
// the threshold) printed the table, then failed the report with a field error; a missing score file or a folder as
// labels ended in a Node stack trace; --report into a missing folder failed only after all the work, and --report
// naming the score file overwrote it. Now the report shows compact fields as they are, and the rest are clear errors
// up front, the inputs untouched.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { hasBuild, hasPython, hasSharedData, shared } from './support/env.js';
import { lanlModel } from './support/model-fixture.js';

describe.runIf(hasBuild() && hasPython() && hasSharedData())('evaluate', () => {
  let dir = '';
  let scores = '';
  let labels = '';
  const evaluate = (...args: string[]) => runCli(['evaluate', '--format', 'lanl', ...args]);

  beforeAll(async () => {
    const model = await lanlModel();
    dir = mkdtempSync(join(tmpdir(), 'seqsentry-evaluate-'));
    const input = join(dir, 'in.csv');
    const lines = readFileSync(shared('lanl', 'safekit-heads', 'day0_head_decoded.csv'), 'utf8').split('\n').filter((l) => l && !l.startsWith('time,')).slice(0, 400);
    writeFileSync(input, lines.join('\n') + '\n');
    // One labelled line: the report needs a red-team event to rank.
    labels = join(dir, 'redteam.txt');
    const [time, user, , src, dst] = (lines[100] as string).split(','); // time, src_user, dst_user, src_host, dst_host, ...
    writeFileSync(labels, `${time},${user},${src},${dst}\n`);
    scores = join(dir, 'scores.jsonl');
    const r = runCli(['score', '--model-dir', model, '--input', input, '--output', scores, '--explain-above', '0.99']);
    expect(r.status, r.stderr).toBe(0);
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the report of a score file with compact fields below --explain-above', () => {
    const report = join(dir, 'report.html');
    const r = evaluate('--scores', scores, '--labels', labels, '--report', report);
    expect(r.status, r.stderr).toBe(0);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<table class="why">');
  });

  it('says what is wrong with an input or an output, without a stack trace and before the work', () => {
    const missing = evaluate('--scores', join(dir, 'nope.jsonl'), '--labels', labels);
    expect(missing.stderr.trim()).toBe(`seqsentry evaluate: cannot read ${join(dir, 'nope.jsonl')}: no such file`);
    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    expect(evaluate('--scores', scores, '--labels', folder).stderr.trim()).toBe(`seqsentry evaluate: cannot read ${folder}: it is a folder`);
    const nowhere = evaluate('--scores', scores, '--labels', labels, '--report', join(dir, 'no', 'r.html'));
    expect(nowhere.stderr.trim()).toBe(`seqsentry evaluate: cannot write --report ${join(dir, 'no', 'r.html')}: no such folder`);
    expect(nowhere.stdout).toBe(''); // refused before the table
    const before = readFileSync(scores, 'utf8');
    const over = evaluate('--scores', scores, '--labels', labels, '--report', scores);
    expect(over.status).toBe(2);
    expect(over.stderr).toContain(`--report ${scores} is also an input`);
    expect(readFileSync(scores, 'utf8')).toBe(before);
  });
});
