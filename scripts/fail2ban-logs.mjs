#!/usr/bin/env node
// fail2ban's annotated test logs (tests/files/logs/: real service logs, each line preceded by `# failJSON:` with
// the time, whether fail2ban's filter matches it and the host it bans) for the adapter tests. Prints the folder:
// a system install's, else Debian's fail2ban package unpacked into the cache (debian-unpack.mjs), once.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot, unpack } from './debian-unpack.mjs';

/** The logs folder under a root (`/` or the unpacked package), or null: python3/dist-packages of any version. */
function locate(root) {
  for (const lib of ['usr/lib/python3/dist-packages', 'usr/lib/python3/site-packages']) {
    const logs = join(root, lib, 'fail2ban', 'tests', 'files', 'logs');
    if (existsSync(join(logs, 'sshd'))) return logs;
  }
  const local = join(root, 'usr', 'lib');
  for (const py of existsSync(local) ? readdirSync(local).filter((d) => /^python3\.\d+$/.test(d)) : []) {
    const logs = join(local, py, 'site-packages', 'fail2ban', 'tests', 'files', 'logs');
    if (existsSync(join(logs, 'sshd'))) return logs;
  }
  return null;
}

try {
  let logs = locate('/');
  if (!logs) {
    const root = join(cacheRoot(), 'debian', 'fail2ban');
    if (!locate(root)) unpack('fail2ban', ['fail2ban'], root, (r) => locate(r) !== null);
    logs = locate(root);
  }
  if (!logs) throw new Error('unpacked fail2ban but found no tests/files/logs/sshd in it');
  process.stdout.write(`${logs}\n`);
} catch (err) {
  process.stderr.write(`[fail2ban] logs unavailable: ${err.message}\n`);
  process.exit(1);
}
