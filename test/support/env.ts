// Locations the tests share, and the CI rule: with CI=true a missing dependency fails, elsewhere it skips.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const SHARED_DATA = resolve(REPO_ROOT, '..', 'shared', 'data');
export const CLI = join(REPO_ROOT, 'bin', 'seqsentry.js');
export const IN_CI = process.env.CI === 'true';

export const PYTHON = process.env.SEQSENTRY_PYTHON ?? join(REPO_ROOT, '.venv', 'bin', 'python');

/**
 * True when `what` is available. Otherwise throws in CI and returns false elsewhere (the caller skips),
 * printing why once.
 */
function available(ok: boolean, what: string, hint: string): boolean {
  if (ok) return true;
  const msg = `${what} is missing (${hint})`;
  if (IN_CI) throw new Error(`CI=true: ${msg}`);
  process.stderr.write(`skipping: ${msg}\n`);
  return false;
}

export const hasSharedData = (): boolean => available(existsSync(SHARED_DATA), `shared sample data at ${SHARED_DATA}`, 'clone with ../shared beside the repository');
export const hasPython = (): boolean => available(existsSync(PYTHON), `the trainer's Python at ${PYTHON}`, 'run `npm run setup`');
export const hasBuild = (): boolean => available(existsSync(join(REPO_ROOT, 'dist', 'cli.js')), 'the compiled CLI (dist/cli.js)', 'run `npm run build`');

export const shared = (...parts: string[]): string => join(SHARED_DATA, ...parts);

export interface ShipperInstall {
  binary: string;
  /** Its module folder (rsyslog -M, syslog-ng --module-path). */
  modules: string;
  /** LD_LIBRARY_PATH for an unpacked copy ('' for a system install). */
  libraryPath: string;
  /** syslog-ng: the folder holding scl/. */
  include?: string;
}

/** A log shipper from Debian (scripts/shippers.mjs: a system install, else unpacked into the cache). */
export function findShipper(name: 'rsyslog' | 'syslog-ng'): ShipperInstall | null {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'shippers.mjs'), name], { encoding: 'utf8' });
  if (!available(r.status === 0, `${name} from Debian`, r.stderr.trim() || `run \`node scripts/shippers.mjs ${name}\``)) return null;
  return JSON.parse(r.stdout) as ShipperInstall;
}

/** fail2ban's annotated test logs from Debian (scripts/fail2ban-logs.mjs: a system install, else unpacked into the cache). */
export function findFail2banLogs(): string | null {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'fail2ban-logs.mjs')], { encoding: 'utf8' });
  if (!available(r.status === 0, "fail2ban's test logs from Debian", r.stderr.trim() || 'run `node scripts/fail2ban-logs.mjs`')) return null;
  return r.stdout.trim();
}
