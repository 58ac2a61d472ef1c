// `train --model-dir` over a bundle that is there (a sidecar may be serving or watching it), as a reviewer broke it
// (2026-12-07): a training that failed at the end or was stopped left the folder with a new model beside an old memory,
// or an unfused bundle that `score` loaded without a word, and its temporary copy of the training events in /tmp. Now
// the bundle is built beside the folder and put in its place only when complete; a stop removes what it wrote.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { CLI, hasBuild, hasPython, hasSharedData, REPO_ROOT, shared } from './support/env.js';
import { lanlModel } from './support/model-fixture.js';

const input = () => shared('lanl', 'safekit-heads', 'day0_head_decoded.csv');
const files = (dir: string) => Object.fromEntries(readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => [join(e.parentPath, e.name).slice(dir.length), readFileSync(join(e.parentPath, e.name)).toString('base64')]));
const leftovers = (root: string) => readdirSync(root).filter((f) => f.includes('.partial-') || f.includes('.old-'));

describe.runIf(hasBuild() && hasPython() && hasSharedData())('train over an existing bundle', () => {
  let root = '';
  let original = '';

  beforeAll(async () => {
    original = await lanlModel();
    root = mkdtempSync(join(tmpdir(), 'seqsentry-train-replace-'));
  }, 600_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('refuses --min-count 0 before training, the bundle untouched', () => {
    const dir = join(root, 'min-count');
    cpSync(original, dir, { recursive: true });
    const r = runCli(['train', '--format', 'lanl', '--input', input(), '--model-dir', dir, '--min-count', '0']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--min-count 0');
    expect(files(dir)).toEqual(files(original));
  });

  it('leaves the bundle as it was when stopped mid-training, and nothing of its own behind', async () => {
    const dir = join(root, 'stopped');
    cpSync(original, dir, { recursive: true });
    const tmpBefore = new Set(readdirSync(tmpdir()).filter((f) => f.startsWith('seqsentry-train-')));
    const child = spawn(process.execPath, [CLI, 'train', '--format', 'lanl', '--input', input(), '--model-dir', dir, '--epochs', '3', '--steps-per-epoch', '400', '--no-screen'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // Once the model trains: its bundle folder and the events' copy exist by then.
      if (/training transformer-mlm/.test(stderr)) child.kill('SIGTERM');
    });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on('exit', (c, s) => r([c, s])));
    expect(signal ?? code, stderr).toBe('SIGTERM');
    expect(files(dir)).toEqual(files(original));
    expect(leftovers(root)).toEqual([]);
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith('seqsentry-train-') && !tmpBefore.has(f))).toEqual([]);
  }, 300_000);

  it('replaces it whole when the training completes', () => {
    const dir = join(root, 'replaced');
    cpSync(original, dir, { recursive: true });
    const r = runCli(['train', '--format', 'lanl', '--input', input(), '--model-dir', dir, '--epochs', '1', '--steps-per-epoch', '3', '--no-screen']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`model bundle: ${join(dir, 'bundle.json')}`);
    const bundle = JSON.parse(readFileSync(join(dir, 'bundle.json'), 'utf8'));
    expect(bundle.version).not.toBe(JSON.parse(readFileSync(join(original, 'bundle.json'), 'utf8')).version);
    expect(bundle.fusion).toBeDefined();
    expect(existsSync(join(dir, 'screen'))).toBe(false);
    expect(leftovers(root)).toEqual([]);
  });
});
