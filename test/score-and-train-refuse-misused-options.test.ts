// Option misuse a reviewer found unchecked (2026-12-07): `score --batch-size 0` crashed inside ONNX Runtime, a file
// given twice was scored twice, a run whose every record was unreadable exited 0; `train --since` or `--window`
// without --from-index or --rolling were ignored, and `--kind lstm-ae --screen` told the user to leave out an option
// they had not given. Each is a usage error (2) or a failure (1) now, said in one line.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { hasBuild, hasPython, hasSharedData, shared } from './support/env.js';
import { lanlModel } from './support/model-fixture.js';

describe.runIf(hasBuild() && hasPython() && hasSharedData())('misused options', () => {
  let dir = '';
  let model = '';
  const input = () => shared('lanl', 'safekit-heads', 'day0_head_decoded.csv');

  beforeAll(async () => {
    model = await lanlModel();
    dir = mkdtempSync(join(tmpdir(), 'seqsentry-misuse-'));
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('score: a batch of no event, a file given twice', () => {
    const zero = runCli(['score', '--model-dir', model, '--input', input(), '--output', join(dir, 'o.jsonl'), '--batch-size', '0']);
    expect([zero.status, zero.stderr.trim()]).toEqual([2, 'seqsentry score: --batch-size 0: at least 1 event per ONNX call']);
    const twice = runCli(['score', '--model-dir', model, '--input', input(), input(), '--output', join(dir, 'o.jsonl')]);
    expect(twice.status).toBe(2);
    expect(twice.stderr).toContain('is given twice');
  });

  it('score: a negative value reaches its check; - is no output file', () => {
    const negative = runCli(['score', '--model-dir', model, '--input', input(), '--output', join(dir, 'o.jsonl'), '--threshold', '-1']);
    expect([negative.status, negative.stderr.trim()]).toEqual([2, 'seqsentry score: --threshold must be an anomaly_score in [0, 1], got "-1"']);
    const dash = runCli(['score', '--model-dir', model, '--input', input(), '--output', '-']);
    expect(dash.status).toBe(2);
    expect(dash.stderr).toContain('--output -: give a file');
  });

  it('score: fails when not one record could be read', () => {
    const garbage = join(dir, 'garbage.csv');
    writeFileSync(garbage, 'not,a,lanl,line\nnor,this\n');
    const r = runCli(['score', '--model-dir', model, '--input', garbage, '--output', join(dir, 'g.jsonl')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('none of the 2 records could be read (is --format right?)');
  });

  it('train: options that need another one', () => {
    const train = (...extra: string[]) => runCli(['train', '--format', 'lanl', '--input', input(), '--model-dir', join(dir, 'm'), ...extra]);
    expect(train('--since', '7d').stderr).toContain('--since goes with --from-index');
    expect(train('--window', 'garbage').stderr).toContain('--window go with --rolling');
    const ae = runCli(['train', '--format', 'weblogin', '--input', input(), '--model-dir', join(dir, 'm'), '--kind', 'lstm-ae', '--screen', '0.9']);
    expect(ae.status).toBe(2);
    expect(ae.stderr).not.toContain('leave out --no-fusion');
  });
});
