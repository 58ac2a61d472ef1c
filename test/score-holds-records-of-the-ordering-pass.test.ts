// `score` parses each record once: the ordering pass holds its records (up to a bound) and the scoring pass takes
// them from there. Holding them, holding none (the input read a second time) and crossing the bound half-way
// must write the same bytes and count the same records, bad and blank lines included.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { scoreFiles } from '../src/commands/score.js';
import { hasPython, hasSharedData, shared } from './support/env.js';
import { lanlModel } from './support/model-fixture.js';

describe.runIf(hasSharedData() && hasPython())('score holding the ordering pass records', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-held-'));
  const input = join(dir, 'day2.csv');
  let modelDir = '';
  beforeAll(async () => {
    modelDir = await lanlModel();
    const lines = readFileSync(shared('lanl', 'safekit-heads', 'day2_head_decoded.csv'), 'utf8').trim().split('\n');
    lines.splice(900, 0, 'not,a,lanl,line');
    lines.splice(400, 0, '');
    writeFileSync(input, lines.join('\n') + '\n');
  }, 600_000);

  it('writes the same lines whether it holds every record, none or some', async () => {
    const run = async (name: string, maxHeldRecords: number | undefined, compact: boolean) => {
      const output = join(dir, name);
      const summary = await scoreFiles({ modelDir, inputs: [input], output, format: 'lanl', strict: false, batchSize: 128, compact, ...(maxHeldRecords !== undefined ? { maxHeldRecords } : {}) });
      return { summary, text: readFileSync(output, 'utf8') };
    };
    for (const compact of [false, true]) {
      const held = await run(`held-${compact}.jsonl`, undefined, compact);
      const reread = await run(`reread-${compact}.jsonl`, 0, compact);
      const partly = await run(`partly-${compact}.jsonl`, 500, compact);
      const lines = held.text.trim().split('\n');
      expect(lines.length).toBeGreaterThan(1000);
      expect(lines.some((l) => l.includes('"error"'))).toBe(true);
      expect(lines.some((l) => l.includes('"skipped":"blank line"'))).toBe(true);
      expect(reread.text).toBe(held.text);
      expect(partly.text).toBe(held.text);
      expect(reread.summary).toEqual(held.summary);
      expect(partly.summary).toEqual(held.summary);
      expect(held.summary.errors).toBe(1);
    }
  }, 300_000);
});
