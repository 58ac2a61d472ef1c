#!/usr/bin/env node
// Real log shippers from Debian for the integration tests, without installing them as system daemons (rsyslog
// and syslog-ng conflict as packages): `node scripts/shippers.mjs rsyslog|syslog-ng` prints, as JSON, the binary,
// its module folder, the LD_LIBRARY_PATH it needs and (syslog-ng) its include folder. A system install with the
// needed output module is used as is; otherwise the Debian packages are fetched with `apt-get download` and
// unpacked with `dpkg -x` into the cache (SEQSENTRY_CACHE, default ~/.cache/seqsentry), once.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot, unpack } from './debian-unpack.mjs';

/** Sub-folders of `dir` (none when it does not exist). */
const subdirs = (dir) => (existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name) : []);

/**
 * Per shipper: the packages to unpack (with the libraries a minimal Debian lacks; libcurl, glib and OpenSSL come
 * with the base system here), and where its parts are under a root (`/` or the unpacked copy), or null.
 */
const SHIPPERS = Object.freeze({
  rsyslog: {
    packages: ['rsyslog', 'rsyslog-elasticsearch', 'libestr0', 'libfastjson4', 'liblognorm5'],
    locate(root) {
      const binary = join(root, 'usr', 'sbin', 'rsyslogd');
      for (const triplet of subdirs(join(root, 'usr', 'lib'))) {
        const modules = join(root, 'usr', 'lib', triplet, 'rsyslog');
        if (existsSync(binary) && existsSync(join(modules, 'omelasticsearch.so'))) {
          return { binary, modules, libraryPath: join(root, 'usr', 'lib', triplet), checked: [binary, join(modules, 'omelasticsearch.so')] };
        }
      }
      return null;
    },
  },
  'syslog-ng': {
    packages: ['syslog-ng-core', 'syslog-ng-mod-http', 'syslog-ng-scl', 'libivykis0', 'libnet1', 'libpcre3', 'libwrap0', 'libjson-c5'],
    locate(root) {
      const binary = join(root, 'usr', 'sbin', 'syslog-ng');
      const base = join(root, 'usr', 'lib', 'syslog-ng');
      const version = subdirs(base).find((d) => /^\d+\.\d+$/.test(d));
      const include = join(root, 'usr', 'share', 'syslog-ng', 'include');
      if (!version || !existsSync(binary) || !existsSync(join(base, version, 'libhttp.so')) || !existsSync(join(include, 'scl', 'elasticsearch'))) return null;
      const triplets = subdirs(join(root, 'usr', 'lib')).filter((d) => d.includes('-linux-'));
      const libraryPath = [base, ...triplets.flatMap((t) => [join(root, 'usr', 'lib', t), join(root, 'lib', t)])].join(':');
      return { binary, modules: join(base, version), include, libraryPath, checked: [binary, join(base, version, 'libhttp.so'), join(base, version, 'libjson-plugin.so')] };
    },
  },
});

function find(name) {
  const spec = SHIPPERS[name];
  const system = spec.locate('/');
  if (system) return { ...system, libraryPath: '' };
  const root = join(cacheRoot(), 'shippers', name);
  if (!spec.locate(root)) unpack('shippers', spec.packages, root, (r) => spec.locate(r) !== null);
  const found = spec.locate(root);
  if (!found) throw new Error(`unpacked ${spec.packages.join(', ')} into ${root} but found no usable ${name} there`);
  // A library the base system lacks shows up here rather than as a shipper that never starts.
  const ldd = spawnSync('ldd', found.checked, { encoding: 'utf8', env: { ...process.env, LD_LIBRARY_PATH: found.libraryPath } });
  const missing = [...new Set(`${ldd.stdout}`.split('\n').filter((l) => l.includes('not found')).map((l) => l.trim().split(' ')[0]))];
  if (missing.length) throw new Error(`${name} in ${root} needs libraries this machine lacks: ${missing.join(', ')} (apt-get install the packages that ship them)`);
  return found;
}

const name = process.argv[2];
if (!Object.hasOwn(SHIPPERS, name ?? '')) {
  process.stderr.write(`usage: node scripts/shippers.mjs ${Object.keys(SHIPPERS).join('|')}\n`);
  process.exit(2);
}
try {
  const { checked, ...found } = find(name);
  process.stdout.write(`${JSON.stringify(found)}\n`);
} catch (err) {
  process.stderr.write(`[shippers] ${name} unavailable: ${err.message}\n`);
  process.exit(1);
}
