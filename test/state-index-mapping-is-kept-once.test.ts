// The `.seqsentry-state` mapping lives in one file of the content pack: enrich creates the index from it (as install
// does), and no source file keeps a second copy that could drift from it (one did: long against integer).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATE_INDEX_FILE, stateIndexBody } from '../src/enrich/checkpoints.js';
import { REPO_ROOT } from './support/env.js';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []));
}

describe('the state index mapping', () => {
  it('is the content pack file\'s, read where the index is created', () => {
    const file = JSON.parse(readFileSync(join(REPO_ROOT, STATE_INDEX_FILE), 'utf8'));
    expect(stateIndexBody()).toEqual({ settings: file.settings, mappings: file.mappings });
    expect(file.mappings.dynamic).toBe('strict');
  });

  it('has no second copy in the sources', () => {
    const copies = sources(join(REPO_ROOT, 'src')).filter((f) => /search_after:\s*\{\s*type:/.test(readFileSync(f, 'utf8')));
    expect(copies).toEqual([]);
  });
});
