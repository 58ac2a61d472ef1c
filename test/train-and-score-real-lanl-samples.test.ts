// End to end through the CLI on the real LANL samples: train each sequence kind, score, one output line per record.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hasBuild, hasPython, hasSharedData, shared } from './support/env.js';
import { runCli } from './support/cli.js';

const ready = hasSharedData() && hasPython() && hasBuild();
const heads = [0, 1].map((d) => shared('lanl', 'safekit-heads', `day${d}_head_decoded.csv`));

describe.runIf(ready)('train and score on real LANL samples', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-e2e-'));

  for (const kind of ['transformer-mlm', 'lstm-lm', 'transformer-lm']) {
    describe(kind, () => {
      const modelDir = join(dir, kind);
      beforeAll(() => {
        const r = runCli(['train', '--format', 'lanl', '--input', ...heads, '--model-dir', modelDir, '--kind', kind, '--epochs', '2', '--seed', '3']);
        expect(r.stderr).toContain('read 10002 records: 10000 events, 2 skipped (2 header), 0 unreadable');
        expect(r.status, r.stderr).toBe(0);
      });

      it('writes a bundle whose training summary counts the events', () => {
        const bundle = JSON.parse(readFileSync(join(modelDir, 'bundle.json'), 'utf8'));
        expect(bundle.kind).toBe(kind);
        // The latest events by time are held out from the model and fit the fusion (src/train/fit-fusion.ts).
        expect(bundle.training.events_in_file).toBe(10000);
        expect(bundle.training.events + bundle.metrics.fusion.held_out_events).toBe(10000);
        expect(bundle.tokenizer.fields).toEqual(['src_user', 'dst_user', 'src_host', 'dst_host', 'auth_type', 'logon_type', 'auth_orientation', 'success', 'hour']);
      });

      it('scores the unseen day 2 and the raw auth.txt head, one line per record in order', () => {
        for (const input of [shared('lanl', 'safekit-heads', 'day2_head_decoded.csv'), shared('lanl', 'auth_first100_lines_t1.txt')]) {
          const output = join(dir, `${kind}-${input.length}.jsonl`);
          const r = runCli(['score', '--model-dir', modelDir, '--format', 'lanl', '--input', input, '--output', output]);
          expect(r.status, r.stderr).toBe(0);
          const lines = readFileSync(output, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
          const expected = input.endsWith('.txt') ? 100 : 5000;
          expect(lines).toHaveLength(expected);
          const firstLine = input.endsWith('.txt') ? 1 : 2; // safekit files have a header line
          expect(lines.map((l) => l.line)).toEqual(Array.from({ length: expected }, (_, i) => i + firstLine));
          type Manifest = { tokenizer: { fields: string[] }; field_weights: number[]; screen?: { dir: string } };
          const read = (dir: string) => JSON.parse(readFileSync(join(dir, 'bundle.json'), 'utf8')) as Manifest;
          const bundle = read(modelDir);
          // LANL's transformer-mlm is a cascade: an event's explanation is the model's that scored it, each with its weights
          expect(bundle.screen !== undefined).toBe(kind === 'transformer-mlm');
          const stages = [bundle, ...(bundle.screen ? [read(join(modelDir, bundle.screen.dir))] : [])];
          const weightsOf = stages.map((b) => new Map(b.tokenizer.fields.map((f, i) => [f, b.field_weights[i]!])));
          for (const l of lines) {
            expect(l.anomaly_score).toBeGreaterThanOrEqual(0);
            expect(l.anomaly_score).toBeLessThan(1);
            // The explanation lists the fields by their share of the sequence score, largest first.
            const sorted = weightsOf.some((weightOf) => {
              const shares = l.fields.map((f: { field: string; surprisal: number }) => f.surprisal * weightOf.get(f.field)!);
              return shares.every((s: number, i: number) => i === 0 || s <= shares[i - 1]);
            });
            expect(sorted, JSON.stringify(l.fields)).toBe(true);
            // raw = the fused score: sum over components of -ln p, the rarest component first.
            const logP = l.components.map((c: { log_p: number }) => c.log_p);
            expect(l.components.map((c: { name: string }) => c.name).sort()).toEqual(
              ['hour:user', 'novelty', 'pairs', 'sequence']);
            const pairs = l.components.find((c: { name: string }) => c.name === 'pairs');
            for (const p of pairs.unseen ?? []) expect(['user+src_host', 'user+dst_host', 'src_host+dst_host', 'user+auth_type']).toContain(p);
            expect(l.raw).toBeCloseTo(-logP.reduce((s: number, x: number) => s + x, 0), 9);
            expect(logP).toEqual([...logP].sort((a, b) => a - b));
          }
        }
      });
    });
  }

  it('writes a located error line for each unreadable record and keeps going', () => {
    const input = join(dir, 'broken.csv');
    const good = readFileSync(shared('lanl', 'auth_first100_lines_t1.txt'), 'utf8').split('\n').slice(0, 3);
    writeFileSync(input, [good[0], 'not,a,record', good[1], 'x,U1@D,U1@D,C1,C2,NTLM,Network,LogOn,Success', good[2]].join('\n') + '\n');
    const output = join(dir, 'broken.jsonl');
    const r = runCli(['score', '--model-dir', join(dir, 'transformer-mlm'), '--input', input, '--output', output]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('2 unreadable');
    const lines = readFileSync(output, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.line)).toEqual([1, 2, 3, 4, 5]);
    expect(lines[1].error).toBe(`${input}:2: expected 9 comma-separated columns (10 with a label), found 3`);
    expect(lines[3].error).toContain(':4: field time: not a number');
    expect(lines[0].anomaly_score).toBeTypeOf('number');

    const strict = runCli(['score', '--model-dir', join(dir, 'transformer-mlm'), '--input', input, '--output', output, '--strict']);
    expect(strict.status).toBe(1);
    expect(strict.stderr).toContain(`${input}:2: expected 9 comma-separated columns`);
  });

  it('refuses a bundle whose ONNX file was altered', () => {
    const bad = join(dir, 'tampered');
    runCli(['train', '--format', 'lanl', '--input', heads[0]!, '--model-dir', bad, '--kind', 'lstm-lm', '--epochs', '1']);
    const onnx = join(bad, 'model.onnx');
    const bytes = readFileSync(onnx);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(onnx, bytes);
    const r = runCli(['score', '--model-dir', bad, '--input', heads[1]!, '--output', join(dir, 'x.jsonl')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/sha256 of model\.onnx is [0-9a-f]{64}, bundle\.json says [0-9a-f]{64}/);
  });
});
