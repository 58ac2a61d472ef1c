// Finds the project's Python (the venv the setup step made) and runs the trainer, streaming its JSON progress.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { TrainerError } from '../core/errors.js';

/** Repository root: this file sits two levels below it in both src/ and dist/. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function pythonPath(): string {
  const fromEnv = process.env.SEQSENTRY_PYTHON;
  if (fromEnv) return fromEnv;
  const venv = join(REPO_ROOT, '.venv', 'bin', 'python');
  if (!existsSync(venv)) {
    throw new TrainerError(`no Python environment at ${venv}: run \`npm run setup\` (or set SEQSENTRY_PYTHON)`);
  }
  return venv;
}

export type TrainerMessage =
  | { type: 'step'; epoch: number; step: number; steps: number }
  | { type: 'epoch'; epoch: number; epochs: number; train_loss: number; val_loss: number; seconds: number }
  | { type: 'done'; bundle: string }
  | { type: string; [key: string]: unknown };

/** Runs `python models/<script> args`, calling onMessage for each JSON line it prints; rejects with its stderr tail. */
export function runPython(script: string, args: string[], onMessage: (m: TrainerMessage) => void = () => {}): Promise<void> {
  const python = pythonPath();
  const child = spawn(python, [join(REPO_ROOT, 'models', script), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' } });
  const stderr: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr.push(chunk);
    if (stderr.length > 200) stderr.shift();
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    try {
      onMessage(JSON.parse(line) as TrainerMessage);
    } catch {
      // A non-JSON line is the trainer's own output, not a protocol message.
    }
  });
  return new Promise((resolvePromise, reject) => {
    child.on('error', (err) => reject(new TrainerError(`cannot run ${python}: ${err.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolvePromise();
      else reject(new TrainerError(`models/${script} exited with ${signal ?? `code ${code}`}`, stderr.join('').split('\n').slice(-25).join('\n')));
    });
  });
}
