// Debian packages unpacked into the cache for the tests, never installed: `apt-get download` and `dpkg -x` into
// SEQSENTRY_CACHE (default ~/.cache/seqsentry)/<folder>/<name>, once. Used by shippers.mjs and fail2ban-logs.mjs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const say = (tag, msg) => process.stderr.write(`[${tag}] ${msg}\n`);

export function cacheRoot() {
  return resolve(process.env.SEQSENTRY_CACHE || join(homedir(), '.cache', 'seqsentry'));
}

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.error) return { ok: false, out: r.error.message };
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}`.trim() };
}

function fetchDebs(tag, packages, into) {
  let got = run('apt-get', ['download', ...packages], into);
  if (!got.ok && process.getuid?.() === 0) {
    // A fresh machine may have no package lists yet.
    say(tag, 'apt-get download failed; running apt-get update once');
    run('apt-get', ['update'], into);
    got = run('apt-get', ['download', ...packages], into);
  }
  if (!got.ok) throw new Error(`apt-get download ${packages.join(' ')} failed: ${got.out.split('\n').slice(-3).join(' | ')}`);
}

/**
 * Unpacks `packages` into `root` (a fresh folder renamed into place, so a concurrent run sees all or nothing);
 * `ready(root)` says whether another process got there first.
 */
export function unpack(tag, packages, root, ready) {
  const work = `${root}.work-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, 'root'), { recursive: true });
  try {
    say(tag, `fetching ${packages.join(', ')} from the Debian archive`);
    fetchDebs(tag, packages, work);
    for (const deb of readdirSync(work).filter((f) => f.endsWith('.deb'))) {
      const x = run('dpkg', ['-x', deb, 'root'], work);
      if (!x.ok) throw new Error(`dpkg -x ${deb}: ${x.out}`);
    }
    try {
      renameSync(join(work, 'root'), root);
    } catch (err) {
      if (!ready(root)) throw err; // another process unpacked it first: use theirs
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
