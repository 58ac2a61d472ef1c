// Bundle directories for reload tests: a copy of a trained bundle that a test may rewrite as a new version, or break.
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A private copy of the bundle in `source`, under a fresh temporary directory; `remove` deletes it. */
export function copyBundle(source: string): { dir: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), 'seqsentry-reload-'));
  const dir = join(root, 'bundle');
  cpSync(source, dir, { recursive: true });
  return { dir, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** The version bundle.json names. */
export function bundleVersion(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, 'bundle.json'), 'utf8')) as { version: string }).version;
}

/**
 * Rewrites bundle.json with `changes` (e.g. a new version), the way a trainer publishes: a new file renamed over
 * the old, so a reader never sees half of it.
 */
export function rewriteBundle(dir: string, changes: Record<string, unknown>): void {
  const file = join(dir, 'bundle.json');
  const next = { ...(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>), ...changes };
  writeFileSync(`${file}.tmp`, JSON.stringify(next, null, 2));
  renameSync(`${file}.tmp`, file);
}
