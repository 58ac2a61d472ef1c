// The manifest lists every file of the content folder with its sha256; install reads a file only through that list
// and refuses one that changed after it was hashed.
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_DIR, loadListedContent, loadManifest, sha256Of } from '../src/install/content.js';
import { REPO_ROOT } from './support/env.js';

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)]));
}

describe('the content manifest', () => {
  const manifest = loadManifest();
  const onDisk = walk(join(REPO_ROOT, CONTENT_DIR)).map((p) => relative(REPO_ROOT, p).split('\\').join('/')).sort();

  it('lists every content file, and no other', () => {
    expect(onDisk.length).toBeGreaterThan(10);
    expect(Object.keys(manifest.files).sort()).toEqual(onDisk);
  });

  it('gives each file its sha256', () => {
    const wrong = onDisk.filter((f) => manifest.files[f] !== sha256Of(f));
    expect(wrong).toEqual([]);
  });

  it('has every installable entry\'s file (and each variant) in its list, one subfolder per kind', () => {
    const files = manifest.content.flatMap((e) => [...(e.file ? [e.file] : []), ...(e.variants ?? []).map((v) => v.file)]);
    expect(files.filter((f) => !(f in manifest.files))).toEqual([]);
    const folderOf = (f: string) => f.split('/').slice(0, 2).join('/');
    const kindsPerFolder = new Map<string, Set<string>>();
    for (const e of manifest.content) for (const f of [...(e.file ? [e.file] : []), ...(e.variants ?? []).map((v) => v.file)]) {
      kindsPerFolder.set(folderOf(f), (kindsPerFolder.get(folderOf(f)) ?? new Set()).add(e.kind.replace(/^(component|index)_template$/, 'template').replace(/^(cluster_settings|ml_connector|ml_model)$/, 'ml')));
    }
    expect([...kindsPerFolder].filter(([, kinds]) => kinds.size > 1)).toEqual([]);
  });

  it('is refused by install when a listed file changed after hashing', () => {
    const root = mkdtempSync(join(tmpdir(), 'seqsentry-manifest-'));
    try {
      cpSync(join(REPO_ROOT, 'plugin-manifest'), join(root, 'plugin-manifest'), { recursive: true });
      cpSync(join(REPO_ROOT, CONTENT_DIR), join(root, CONTENT_DIR), { recursive: true });
      const file = 'pipelines/templates/seqsentry-anomaly-fields.json';
      expect(loadListedContent(manifest, file, root).sha256).toBe(manifest.files[file]);
      writeFileSync(join(root, file), '{"version": 999}');
      expect(() => loadListedContent(manifest, file, root)).toThrow(/seqsentry-anomaly-fields\.json.*differs from the manifest's/);
      expect(() => loadListedContent(manifest, 'pipelines/templates/unlisted.json', root)).toThrow(/unlisted\.json is not listed/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
