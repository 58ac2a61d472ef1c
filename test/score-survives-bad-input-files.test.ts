// Bad input to `seqsentry score`: a damaged gzip, missing files and folders, an oversized line, a lone CR, blank
// lines and odd times each get a located, bounded answer; every readable record is still scored in its place.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { hasBuild, hasPython, hasSharedData, shared } from './support/env.js';
import { lanlModel } from './support/model-fixture.js';

const ready = hasSharedData() && hasPython() && hasBuild();
const NO_STACK = /\n\s+at /;

describe.runIf(ready)('score on bad input files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-bad-input-'));
  const good = readFileSync(shared('lanl', 'safekit-heads', 'day2_head_decoded.csv'), 'utf8').trim().split('\n').slice(1, 2001);
  let modelDir = '';
  beforeAll(async () => {
    modelDir = await lanlModel();
  }, 600_000);

  const score = (input: string, output = join(dir, 'out.jsonl')) => {
    const r = runCli(['score', '--model-dir', modelDir, '--format', 'lanl', '--input', input, '--output', output]);
    const lines = (() => {
      try {
        return readFileSync(output, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
      } catch {
        return [];
      }
    })();
    return { ...r, lines };
  };

  it('keeps every line read before the damage of a truncated gzip, then says where it broke', () => {
    const input = join(dir, 'cut.csv.gz');
    const whole = gzipSync(good.join('\n') + '\n');
    writeFileSync(input, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const r = score(input);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(NO_STACK);
    const scored = r.lines.filter((l) => l.anomaly_score !== undefined);
    expect(scored.length).toBeGreaterThan(500);
    expect(scored.map((l) => l.line)).toEqual(Array.from({ length: scored.length }, (_, i) => i + 1));
    const last = r.lines.at(-1);
    expect(last.line).toBe(scored.length + 1);
    expect(last.error).toMatch(/cut\.csv\.gz:\d+: the file is damaged from here on \(unexpected end of file\)/);
  });

  it('reads gzip by its content, not its name: plain text named .gz, gzip named .csv', () => {
    const plainNamedGz = join(dir, 'plain.csv.gz');
    writeFileSync(plainNamedGz, good.slice(0, 50).join('\n') + '\n');
    const gzipNamedCsv = join(dir, 'packed.csv');
    writeFileSync(gzipNamedCsv, gzipSync(good.slice(0, 50).join('\n') + '\n'));
    for (const input of [plainNamedGz, gzipNamedCsv]) {
      const r = score(input, join(dir, 'named.jsonl'));
      expect(r.status, r.stderr).toBe(0);
      expect(r.lines.filter((l) => l.anomaly_score !== undefined), input).toHaveLength(50);
    }
  });

  it('names a missing input file or output folder without a stack trace', () => {
    const missing = score(join(dir, 'nope.csv'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`cannot read input ${join(dir, 'nope.csv')}: no such file`);
    expect(missing.stderr).not.toMatch(NO_STACK);
    const input = join(dir, 'ok.csv');
    writeFileSync(input, good.slice(0, 5).join('\n') + '\n');
    const noFolder = score(input, join(dir, 'no', 'such', 'out.jsonl'));
    expect(noFolder.status).toBe(1);
    expect(noFolder.stderr).toContain('no such folder');
    expect(noFolder.stderr).not.toMatch(NO_STACK);
  });

  it('answers a line per input line: oversized, lone CR, blank, odd times and a huge field each in place', () => {
    const input = join(dir, 'odd.csv');
    const huge = 'U'.repeat(1_000_000);
    const records = [
      good[0], // 1
      `${good[1]}\r`, // 2: CRLF is fine
      `${'9'.repeat(2 << 20)},x`, // 3: 2 MB line
      good[2]!.replace(',', ',\r'), // 4: a lone CR stays in its record
      '', // 5
      '   \t', // 6
      good[3]!.replace(/^\d+/, ' '), // 7
      good[4]!.replace(/^\d+/, '0x10'), // 8
      good[5]!.replace(/^\d+/, 'x 1'), // 9
      `${huge},${good[6]!.split(',').slice(1).join(',')}`, // 10: a 1 MB time field
      good[7], // 11
    ];
    writeFileSync(input, records.join('\n') + '\n');
    const r = score(input);
    expect(r.status, r.stderr).toBe(0);
    expect(r.lines.map((l) => l.line)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    for (const i of [0, 1, 10]) expect(r.lines[i].anomaly_score).toEqual(expect.any(Number));
    expect(r.lines[2].error).toMatch(/:3: line of 2097154 bytes, longer than the 1048576 a record may have/);
    for (const i of [4, 5]) expect(r.lines[i].skipped).toBe('blank line');
    for (const [i, v] of [[6, ' '], [7, '0x10'], [8, 'x 1']] as const) expect(r.lines[i].error).toContain(`field time: not a number: "${v}"`);
    expect(r.lines[9].error).toContain('field time: not a number');
    expect(r.lines[9].error.length).toBeLessThan(1000);
    expect(r.stderr.length).toBeLessThan(20_000);
  });
});
