// Golden parity of the clustering vocabulary: fitted by `seqsentry zeek-vocab` on one Stratosphere day and the
// WRCCDC sample's small logs, then Python (models/zeek_vocab.py assign) and the TypeScript `cluster` tokenizer give
// tokens to the other day's records and to those logs: every token must be the same, noise and unseen included.
// The small logs are sampled whole, so their farthest cluster members sit exactly on a radius: the `<=` is tested.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readEvents } from '../src/adapters/read.js';
import { createAdapter } from '../src/adapters/registry.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { ClusterTokenizer } from '../src/tokenizer/zeek-cluster/cluster-tokenizer.js';
import { featureTable, featureVector, logTypeOf, type FeatureValue } from '../src/tokenizer/zeek-cluster/features.js';
import { CLI, hasBuild, hasPython, hasSharedData, PYTHON, REPO_ROOT, shared } from './support/env.js';

const strato = (day: string, log: string) => shared('zeek', 'stratosphere-labeled', `${day}-zeek-mixed`, `${log}.log.labeled.gz`);
const wrccdc = (log: string) => shared('zeek', 'zeek-default', `${log}.log.gz`);
const SMALL_LOGS = ['x509', 'ntlm', 'dce_rpc', 'smb_mapping', 'smb_files', 'kerberos', 'notice', 'ssh'].map(wrccdc);
const FIT_FILES = [...['conn', 'http', 'ssl', 'weird', 'notice'].map((l) => strato('008', l)), ...SMALL_LOGS];
const ASSIGN_FILES = [...['conn', 'dns', 'files', 'http', 'ssl', 'weird', 'notice'].map((l) => strato('010', l)), ...SMALL_LOGS];

describe.runIf(hasSharedData() && hasPython() && hasBuild())('zeek-vocab: TypeScript tokens equal Python tokens', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-zeek-vocab-golden-'));
  const vocabPath = join(dir, 'vocab.json');
  const events: CanonicalEvent[] = [];
  let python: Record<string, string[]>;

  beforeAll(async () => {
    const fit = spawnSync(process.execPath, [CLI, 'zeek-vocab', ...FIT_FILES.flatMap((f) => ['--input', f]), '--out', vocabPath, '--sample', '800'], { encoding: 'utf8', timeout: 240_000 });
    expect(fit.status, fit.stderr).toBe(0);
    for await (const item of readEvents(ASSIGN_FILES, createAdapter('zeek'))) if (item.event) events.push(item.event);
    const rows: Record<string, { features: unknown[]; rows: FeatureValue[][] }> = {};
    for (const e of events) {
      const lt = logTypeOf(e) as string;
      const table = featureTable(lt);
      if (!table) continue;
      (rows[lt] ??= { features: [], rows: [] }).rows.push(featureVector(e, table));
    }
    writeFileSync(join(dir, 'rows.json'), JSON.stringify({ log_types: rows }));
    const r = spawnSync(PYTHON, ['models/zeek_vocab.py', 'assign', '--vocab', vocabPath, '--rows', join(dir, 'rows.json'), '--out', join(dir, 'tokens.json')], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 240_000 });
    expect(r.status, r.stderr).toBe(0);
    python = (JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8')) as { log_types: Record<string, string[]> }).log_types;
  }, 480_000);

  it('gives every record the token Python gives it', () => {
    const tokenizer = ClusterTokenizer.fromFile(vocabPath);
    const next: Record<string, number> = {};
    const mismatches: string[] = [];
    for (const e of events) {
      const lt = logTypeOf(e) as string;
      const i = next[lt] ?? 0;
      next[lt] = i + 1;
      const want = python[lt]?.[i];
      const got = tokenizer.token(e);
      if (got !== want) mismatches.push(`${e.source.file}:${e.source.line}: TypeScript ${got}, Python ${want}`);
    }
    expect(events.length).toBeGreaterThan(3000);
    expect(mismatches.slice(0, 10)).toEqual([]);
  });

  it('assigns records to clusters, to noise and to unseen log types alike', () => {
    const all = Object.values(python).flat();
    const kinds = new Set(all.map((t) => t.replace(/^[a-z_0-9]+:/, '').replace(/^c\d+$/, 'cluster')));
    // 010 holds dns and files records, log types the vocabulary was not fitted on
    expect(kinds).toEqual(new Set(['cluster', 'noise', 'unseen']));
    expect(all.filter((t) => t.startsWith('conn:c')).length).toBeGreaterThan(all.filter((t) => t === 'conn:noise').length);
    expect(new Set(all.filter((t) => t.startsWith('conn:c'))).size).toBeGreaterThan(3);
  });
});
