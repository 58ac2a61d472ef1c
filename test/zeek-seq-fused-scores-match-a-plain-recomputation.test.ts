// A zeek-seq bundle is fused by default: its raw score is the sum of -ln P(statistic >= x) of the sequence model's
// largest token surprisal, the connection memory's pair statistics (src, dst, port, service) and the records' novelty, each
// tail fitted on held-out Benign connections, and anomaly_score that sum's calibrated rank. Trained through the CLI on
// Stratosphere day 010's Benign records and scored through `score` on day 008, every line's components are recomputed
// here from the bundle's files (pair counts read plainly out of memory.json), and the library path the benchmark
// takes (Scorer + scoreConnections) gives every connection the same score as `score` does.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { readZeekConnections } from '../src/adapters/zeek-merge.js';
import { slotRecords } from '../src/kinds/zeek-seq/connection-event.js';
import { openConnectionFeaturizer } from '../src/kinds/zeek-seq/featurizer.js';
import { RecordNovelty } from '../src/kinds/zeek-seq/record-novelty.js';
import { scoreConnections } from '../src/kinds/zeek-seq/score.js';
import { TailTable, type TailTableData } from '../src/memory/tail.js';
import { Calibrator } from '../src/scorer/calibrate.js';
import { Scorer } from '../src/scorer/scorer.js';
import { runCli } from './support/cli.js';
import { hasBuild, hasPython, hasSharedData, shared } from './support/env.js';

const day = (d: string) => shared('zeek', 'stratosphere-labeled', `${d}-zeek-mixed`);
const logs = (d: string) => readdirSync(day(d)).filter((f) => f.endsWith('.log.labeled.gz')).map((f) => join(day(d), f));
const MEMBERS = ['src_ip', 'dst_ip', 'dst_port', 'service'];
/** A connection by its first record (a uid can name two connections: one the join closed, then its late records). */
const where = (at: { file: string; line: number }) => `${at.file}:${at.line}`;

type Line = { file: string; line: number; uid: string; conn: boolean; entities: Record<string, string>; anomaly_score: number; raw: number; tokens: { anomaly: number }[]; components: { name: string; log_p: number }[] };

describe.runIf(hasSharedData() && hasPython() && hasBuild())('zeek-seq fused by default', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-zeek-fused-'));
  const model = join(dir, 'model');
  let lines: Line[];
  let bundle: { fusion: { components: { name: string; tail: TailTableData }[]; statistics: string[]; memory_file: string }; record_novelty: { file: string }; calibration: ConstructorParameters<typeof Calibrator>[0]; threshold: number; metrics: { acceptance: { rate: number; raw_threshold: number } } };

  beforeAll(() => {
    const inputs: string[] = [];
    for (const file of logs('010')) {
      let label = -1;
      const kept = gunzipSync(readFileSync(file)).toString('utf8').split('\n').filter((l) => {
        if (l.startsWith('#fields')) label = l.split('\t').slice(1).indexOf('label');
        return l.startsWith('#') || (l !== '' && l.split('\t')[label] === 'Benign');
      });
      inputs.push(join(dir, file.split('/').pop()!.replace(/\.gz$/, '')));
      writeFileSync(inputs.at(-1)!, kept.join('\n') + '\n');
    }
    const t = runCli(['train', '--format', 'zeek', '--kind', 'zeek-seq', '--fusion', '--model-dir', model, '--seed', '1', '--epochs', '3', '--input', ...inputs]);
    expect(t.status, t.stderr).toBe(0);
    const s = runCli(['score', '--model-dir', model, '--output', join(dir, 'scores.jsonl'), '--input', ...logs('008')]);
    expect(s.status, s.stderr).toBe(0);
    lines = readFileSync(join(dir, 'scores.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
    bundle = JSON.parse(readFileSync(join(model, 'bundle.json'), 'utf8')) as typeof bundle;
  }, 600_000);

  it('stores the sequence, the pair memory and the records\' novelty as tails fitted on held-out connections', () => {
    expect(bundle.fusion.components.map((c) => c.name)).toEqual(['sequence', 'pairs', 'novelty', 'records']);
    expect(bundle.fusion.statistics).toEqual(['records']);
    expect(bundle.record_novelty.file).toBe('record-novelty.json');
    expect(bundle.threshold).toBeCloseTo(0.999, 12);
    // the acceptance rate's raw value is the fused score's, among the held-out connections the tails were fitted on
    expect(bundle.metrics.acceptance.raw_threshold).toBeGreaterThan(0);
    for (const c of bundle.fusion.components) expect(c.tail.n).toBe(bundle.fusion.components[0]!.tail.n);
  });

  it('gives every connection the sum of its components\' tails, each recomputed from the bundle\'s files', async () => {
    const tails = new Map(bundle.fusion.components.map((c) => [c.name, new TailTable(c.tail)]));
    const memory = JSON.parse(readFileSync(join(model, bundle.fusion.memory_file), 'utf8')) as { pair_counts: [string, number][][] };
    const counts = memory.pair_counts.map((entries) => new Map(entries));
    const pairs = MEMBERS.flatMap((a, i) => MEMBERS.slice(i + 1).map((b) => [a, b] as const));
    const novelty = RecordNovelty.fromFile(JSON.parse(readFileSync(join(model, bundle.record_novelty.file), 'utf8')), 'test');
    const records = new Map<string, number>();
    for await (const c of readZeekConnections(logs('008'), createAdapter('zeek'))) records.set(where(c.events[0]!.source), novelty.statistic(slotRecords(c, 4)));
    const calibrator = new Calibrator(bundle.calibration);
    expect(lines.length).toBeGreaterThan(5000);
    for (const l of lines) {
      const lp = Object.fromEntries(l.components.map((c) => [c.name, c.log_p])) as Record<string, number>;
      expect(l.raw).toBeCloseTo(-Object.values(lp).reduce((s, v) => s + v, 0), 9);
      expect(l.anomaly_score).toBe(calibrator.score(l.raw));
      // zeek-seq's sequence statistic is its largest token surprisal (raw-score.ts FUSION_STATISTICS)
      const sequence = Math.max(...l.tokens.map((t) => -Math.log1p(-t.anomaly)));
      expect(lp.sequence).toBeCloseTo(tails.get('sequence')!.logP(sequence), 6);
      const rarity = pairs.reduce((s, [a, b], i) => s - Math.log((counts[i]!.get(`${l.entities[a]}\u0000${l.entities[b]}`) ?? 0) + 0.1), 0);
      expect(lp.pairs).toBeCloseTo(tails.get('pairs')!.logP(rarity), 9);
      expect(lp.records).toBeCloseTo(tails.get('records')!.logP(records.get(where(l))!), 9);
      expect(lp.novelty).toBeLessThanOrEqual(0);
    }
    // the components tell connections apart: not every line has the same records' novelty
    expect(new Set(lines.map((l) => l.components.find((c) => c.name === 'records')!.log_p.toFixed(6))).size).toBeGreaterThan(10);
  });

  it('scores every connection the same through `score` and through the library', async () => {
    const scorer = await Scorer.load(model, { keepAllHistory: true });
    const byRecord = new Map(lines.map((l) => [where(l), l.anomaly_score]));
    let compared = 0;
    try {
      const featurizer = await openConnectionFeaturizer(model, scorer.bundle);
      for await (const s of scoreConnections(scorer, featurizer, logs('008'), createAdapter('zeek'))) {
        expect(s.result.anomaly_score).toBe(byRecord.get(where(s.event.source)));
        compared += 1;
      }
    } finally {
      await scorer.close();
    }
    expect(compared).toBe(lines.length);
    expect(byRecord.size).toBe(lines.length);
  });
});
