#!/usr/bin/env node
// Writes the sha256 of every file under pipelines/ into plugin-manifest/manifest.json ("files"), or with --check
// reports the files whose hash differs or that are missing from it. Run after changing any content file.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const MANIFEST = join(root, 'plugin-manifest', 'manifest.json');
const CONTENT_DIR = 'pipelines';

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)]));
}

const sha256 = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');
const files = Object.fromEntries(walk(join(root, CONTENT_DIR)).map((p) => relative(root, p).split('\\').join('/')).sort().map((p) => [p, sha256(join(root, p))]));
const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'));

if (process.argv.includes('--check')) {
  const have = manifest.files ?? {};
  const wrong = Object.keys(files).filter((p) => have[p] !== files[p]);
  const extra = Object.keys(have).filter((p) => !(p in files));
  for (const p of wrong) process.stderr.write(`${p}: ${have[p] ? 'hash differs' : 'not listed'}\n`);
  for (const p of extra) process.stderr.write(`${p}: listed but no such file\n`);
  process.exit(wrong.length + extra.length === 0 ? 0 : 1);
}
manifest.files = files;
writeFileSync(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
process.stdout.write(`${Object.keys(files).length} content files hashed into ${relative(root, MANIFEST)}\n`);
