// `score --output`, as a reviewer broke it (2026-12-07): an output that was also the input emptied the input and
// reported success; a missing input emptied an existing output; a full disk or a folder as output exited 13 without a
// word, or hung. Now an input as output is refused, the output is written beside and renamed into place only when
// complete, and a write failure is an error naming the output and the reason.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { hasBuild, hasPython, hasSharedData, shared } from './support/env.js';
import { lanlModel } from './support/model-fixture.js';

describe.runIf(hasBuild() && hasPython() && hasSharedData())('score --output', () => {
  let dir = '';
  let model = '';
  let input = '';
  const score = (output: string, from = input) => runCli(['score', '--model-dir', model, '--input', from, '--output', output]);

  beforeAll(async () => {
    model = await lanlModel();
    dir = mkdtempSync(join(tmpdir(), 'seqsentry-score-out-'));
    input = join(dir, 'in.csv');
    writeFileSync(input, readFileSync(shared('lanl', 'safekit-heads', 'day0_head_decoded.csv'), 'utf8').split('\n').slice(0, 301).join('\n') + '\n');
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses an output that is one of its inputs, and leaves the input as it was', () => {
    const before = readFileSync(input, 'utf8');
    const r = score(input);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`--output ${input} is also an input`);
    expect(readFileSync(input, 'utf8')).toBe(before);
  });

  it('leaves an existing output untouched when the run fails, and replaces it when it succeeds', () => {
    const out = join(dir, 'out.jsonl');
    writeFileSync(out, 'earlier\n');
    const failed = score(out, join(dir, 'nope.csv'));
    expect(failed.status).not.toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('earlier\n');
    const ok = score(out);
    expect(ok.status, ok.stderr).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(300);
    expect(readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);
  });

  it('names the file on every line when it reads several, each numbering its own lines', () => {
    const second = join(dir, 'second.csv');
    writeFileSync(second, readFileSync(input, 'utf8').split('\n').slice(0, 11).join('\n') + '\nnot,a,record\n');
    const out = join(dir, 'two.jsonl');
    const r = runCli(['score', '--model-dir', model, '--input', input, second, '--output', out]);
    expect(r.status, r.stderr).toBe(0);
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { file: string; line: number; error?: string });
    expect(rows.filter((x) => x.file === input)).toHaveLength(300);
    // line 1 is the CSV header, which holds no record
    expect(rows.filter((x) => x.file === second).map((x) => x.line)).toEqual(Array.from({ length: 11 }, (_, i) => i + 2));
    expect(rows.at(-1)).toMatchObject({ file: second, line: 12, error: expect.any(String) });
    // One input: lines as before, no file.
    expect(Object.keys(JSON.parse(readFileSync(join(dir, 'out.jsonl'), 'utf8').split('\n')[0]!))[0]).toBe('line');
  });

  it('says why it cannot write: a full disk, a folder', () => {
    const full = score('/dev/full');
    expect(full.status).toBe(1);
    expect(full.stderr).toContain('cannot write --output /dev/full: ENOSPC');
    const folder = score(dir);
    expect(folder.status).toBe(2);
    expect(folder.stderr).toContain(`--output ${dir} is a folder`);
  });
});
