// `train --format zeek` and `score` through the CLI on the Stratosphere conn logs: the Benign flows of day 008 (written
// apart, with their TSV headers) train the default kind on src_ip context; day 010 is scored whole. Every flow gets a
// score, none is unreadable, and the cleaned features carry the external attacks: ranked by score, Malicious flows
// come above Benign ones (AUC, Background left out, as the labels' README says).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ZEEK_FIELDS } from '../src/adapters/zeek-fields.js';
import { evaluateRanking } from '../src/eval/metrics.js';
import { runCli } from './support/cli.js';
import { hasBuild, hasPython, hasSharedData, shared } from './support/env.js';

const ready = hasSharedData() && hasPython() && hasBuild();

/** The lines of a labelled conn log and the index of its `label` column (from its #fields header). */
function labelled(day: string): { lines: string[]; label: number } {
  const lines = gunzipSync(readFileSync(shared('zeek', 'stratosphere-labeled', `${day}-zeek-mixed`, 'conn.log.labeled.gz'))).toString('utf8').trimEnd().split('\n');
  const fields = (lines.find((l) => l.startsWith('#fields')) as string).split('\t').slice(1);
  return { lines, label: fields.indexOf('label') };
}

describe.runIf(ready)('zeek conn logs through train and score', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-zeek-'));
  const scores = join(dir, 'scores.jsonl');
  const test = labelled('010');

  beforeAll(() => {
    const day = labelled('008');
    const benign = day.lines.filter((l) => l.startsWith('#') || l.split('\t')[day.label] === 'Benign');
    expect(benign.length).toBeGreaterThan(1000);
    writeFileSync(join(dir, 'benign-008.conn.log'), benign.join('\n') + '\n');
    const t = runCli(['train', '--format', 'zeek', '--input', join(dir, 'benign-008.conn.log'), '--model-dir', join(dir, 'model'), '--epochs', '3', '--seed', '1']);
    expect(t.status, t.stderr).toBe(0);
    const s = runCli(['score', '--model-dir', join(dir, 'model'), '--input', shared('zeek', 'stratosphere-labeled', '010-zeek-mixed', 'conn.log.labeled.gz'), '--output', scores]);
    expect(s.status, s.stderr).toBe(0);
  }, 600_000);

  it('scores every flow of the other day and ranks the attacks above the benign flows', () => {
    const out = readFileSync(scores, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; raw?: number; error?: string; fields?: Array<{ field: string }> });
    const flows = test.lines.filter((l) => !l.startsWith('#')).length;
    expect(out.filter((o) => o.raw !== undefined)).toHaveLength(flows);
    expect(out.filter((o) => o.error !== undefined)).toEqual([]);
    for (const o of out.slice(0, 50)) for (const f of o.fields ?? []) expect([...ZEEK_FIELDS, 'hour']).toContain(f.field); // and the hour-of-day token
    const scored = out.filter((o) => o.raw !== undefined).map((o) => ({ raw: o.raw as number, label: (test.lines[o.line - 1] as string).split('\t')[test.label] }));
    const known = scored.filter((s) => s.label !== 'Background');
    expect(new Set(known.map((k) => k.label))).toEqual(new Set(['Benign', 'Malicious']));
    const { metrics } = evaluateRanking(Float64Array.from(known, (k) => k.raw), new Float64Array(known.length), Uint8Array.from(known, (k) => (k.label === 'Malicious' ? 1 : 0)));
    process.stdout.write(`zeek conn, train on 008 Benign, score 010: ${known.length} flows, ${metrics.positives} Malicious, AUC ${metrics.auc?.toFixed(4)}, AP ${metrics.ap?.toFixed(4)}\n`);
    expect(metrics.auc).toBeGreaterThan(0.9);
  });
});
