#!/usr/bin/env node
// One setup step for a fresh clone: npm packages, the TypeScript build, and the trainer's Python venv.
// Idempotent and quick when nothing changed; run by `npm test`, `npm run demo` and `npm run setup`.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const say = (msg) => process.stderr.write(`[setup] ${msg}\n`);

function run(cmd, args, extraEnv = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...extraEnv } });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
}

function digest(...files) {
  const h = createHash('sha256');
  for (const f of files) h.update(existsSync(f) ? readFileSync(f) : '');
  return h.digest('hex');
}

function npmPackages() {
  const lock = join(root, 'package-lock.json');
  const marker = join(root, 'node_modules', '.seqsentry-setup');
  const want = digest(join(root, 'package.json'), lock);
  if (existsSync(marker) && readFileSync(marker, 'utf8') === want) return;
  say('installing npm packages');
  // onnxruntime-node's install script only fetches CUDA binaries; the CPU ones ship in the package.
  run('npm', [existsSync(lock) ? 'ci' : 'install', '--no-audit', '--no-fund'], { ONNXRUNTIME_NODE_INSTALL: 'skip' });
  writeFileSync(marker, want);
}

function build() {
  say('compiling TypeScript');
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
}

function pythonVenv() {
  const venvPython = join(root, '.venv', 'bin', 'python');
  const requirements = join(root, 'models', 'requirements.txt');
  const marker = join(root, '.venv', '.seqsentry-setup');
  const want = digest(requirements);
  if (existsSync(venvPython) && existsSync(marker) && readFileSync(marker, 'utf8') === want) return;
  const python = process.env.SEQSENTRY_BOOTSTRAP_PYTHON ?? 'python3';
  say(`creating the trainer's Python environment in .venv with ${python}`);
  run(python, ['-m', 'venv', join(root, '.venv')]);
  // No retries against unreachable indexes: offline machines answer from their local package index.
  run(venvPython, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements], { PIP_RETRIES: '0' });
  writeFileSync(marker, want);
}

try {
  npmPackages();
  build();
  if (process.env.SEQSENTRY_SKIP_PYTHON !== '1') pythonVenv();
  say('ready');
} catch (err) {
  say(`failed: ${err.message}`);
  process.exit(1);
}
