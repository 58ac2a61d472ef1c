// `--entity src_host` through the CLI on the OTRF APT29 day 2 logs: the zeek-seq kind (connections, every log merged
// by time) and a record kind (transformer-mlm over the conn records) both train with a host's recent records as the
// context, keep `src_host` as the bundle's entity key, and score with it: each output line carries the host identity
// the adapter gave (10.0.1.5's MAC, never the Azure gateway's).
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { hasBuild, hasPython, hasSharedData, shared } from './support/env.js';

const ready = hasSharedData() && hasPython() && hasBuild();
const GATEWAY = '12:34:56:78:9a:bc';

describe.runIf(ready)('src_host as the context entity of zeek models', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-zeek-host-'));
  const day2 = shared('zeek', 'otrf-apt29', 'day2');
  const all = readdirSync(day2).map((f) => join(day2, f));
  const conn = all.filter((f) => f.endsWith('_conn.log'));

  beforeAll(() => {
    const t1 = runCli(['train', '--format', 'zeek', '--kind', 'zeek-seq', '--entity', 'src_host', '--epochs', '2', '--model-dir', join(dir, 'seq'), '--seed', '1', '--input', ...all]);
    expect(t1.status, t1.stderr).toBe(0);
    const s1 = runCli(['score', '--model-dir', join(dir, 'seq'), '--output', join(dir, 'seq.jsonl'), '--input', ...all]);
    expect(s1.status, s1.stderr).toBe(0);
    const t2 = runCli(['train', '--format', 'zeek', '--kind', 'transformer-mlm', '--entity', 'src_host', '--epochs', '1', '--model-dir', join(dir, 'mlm'), '--seed', '1', '--input', ...conn]);
    expect(t2.status, t2.stderr).toBe(0);
    const s2 = runCli(['score', '--model-dir', join(dir, 'mlm'), '--output', join(dir, 'mlm.jsonl'), '--input', ...conn]);
    expect(s2.status, s2.stderr).toBe(0);
  }, 600_000);

  it('zeek-seq keeps src_host as its entity and scores each connection in its host context', () => {
    const bundle = JSON.parse(readFileSync(join(dir, 'seq', 'bundle.json'), 'utf8')) as { entity_key: string };
    expect(bundle.entity_key).toBe('src_host');
    type Line = { entities: Record<string, string>; anomaly_score: number };
    const out = readFileSync(join(dir, 'seq.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
    expect(out.length).toBeGreaterThan(500);
    const hosts = new Set(out.filter((o) => o.entities.src_ip === '10.0.1.5').map((o) => o.entities.src_host));
    expect([...hosts]).toEqual(['00:0d:3a:9a:33:1a']);
    expect(out.some((o) => o.entities.src_host === GATEWAY || o.entities.dst_host === GATEWAY)).toBe(false);
    for (const o of out) expect(o.anomaly_score).toBeGreaterThanOrEqual(0);
  });

  it('a record kind trains and scores on src_host too', () => {
    const bundle = JSON.parse(readFileSync(join(dir, 'mlm', 'bundle.json'), 'utf8')) as { entity_key: string };
    expect(bundle.entity_key).toBe('src_host');
    const lines = readFileSync(join(dir, 'mlm.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { anomaly_score?: number; error?: string });
    expect(lines.filter((l) => l.error !== undefined)).toEqual([]);
    expect(lines.filter((l) => typeof l.anomaly_score === 'number').length).toBe(conn.reduce((n, f) => n + readFileSync(f, 'utf8').trim().split('\n').length, 0));
  });
});
