// `train`, `score` and `evaluate` end to end through the CLI with --format windows and --format authlog on the real
// samples of ../shared/data: a tiny model each, every input line answered in order (records of no event as
// skipped lines with their reason), labels matched by the adapter's normalised entities, the rarity baseline beside.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isNoEvent } from '../src/adapters/adapter.js';
import { createAdapter } from '../src/adapters/registry.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { runCli } from './support/cli.js';
import { hasBuild, hasPython, hasSharedData, shared } from './support/env.js';

const ready = hasSharedData() && hasPython() && hasBuild();

/** The adapter's events of a file, read in place, with their line. */
function eventsOf(format: string, options: Record<string, unknown>, file: string): Array<{ line: number; event: CanonicalEvent; text: string }> {
  const adapter = createAdapter(format, options);
  return readFileSync(file, 'utf8').split('\n').flatMap((text, i) => {
    if (text.trim() === '') return [];
    const event = adapter.parse(text, { file, line: i + 1 });
    return event && !isNoEvent(event) ? [{ line: i + 1, event, text }] : [];
  });
}

const labelLine = (e: CanonicalEvent) => [e.time, e.entities.user, e.entities.src_host, e.entities.dst_host].join(',');
const readJsonl = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe.runIf(ready)('windows and authlog through train, score and evaluate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-formats-'));

  describe('--format windows on the OTRF Security events', () => {
    const input = shared('windows', 'otrf-security-auth.jsonl');
    const modelDir = join(dir, 'windows');
    const scores = join(dir, 'windows.jsonl');
    beforeAll(() => {
      const t = runCli(['train', '--format', 'windows', '--input', input, '--model-dir', modelDir, '--epochs', '2', '--seed', '3']);
      expect(t.status, t.stderr).toBe(0);
      expect(t.stderr).toContain('read 2956 records: 2940 events, 16 skipped (12 not an authentication event: Security event 4770, 2 not an authentication event: Security event 4779, 2 not an authentication event: Security event 4778), 0 unreadable');
      const s = runCli(['score', '--model-dir', modelDir, '--input', input, '--output', scores]);
      expect(s.status, s.stderr).toBe(0);
    });

    it('trains on the adapter\'s fields with the hour token', () => {
      const bundle = JSON.parse(readFileSync(join(modelDir, 'bundle.json'), 'utf8'));
      expect(bundle.format).toBe('windows');
      expect(bundle.tokenizer.fields).toEqual([...createAdapter('windows').fieldNames, 'hour']);
      expect(bundle.training.events_in_file).toBe(2940);
    });

    it('answers every line in order: a score, or the reason it holds no event', () => {
      const lines = readJsonl(scores);
      expect(lines.map((l) => l.line)).toEqual(Array.from({ length: 2956 }, (_, i) => i + 1));
      const skipped = lines.filter((l) => 'skipped' in l);
      expect(skipped).toHaveLength(16);
      expect(skipped[0]).toEqual({ line: 474, skipped: 'not an authentication event: Security event 4770' });
      for (const l of lines.filter((x) => !('skipped' in x))) {
        expect(l.anomaly_score).toBeGreaterThanOrEqual(0);
        expect(l.anomaly_score).toBeLessThanOrEqual(1);
        expect(Object.keys(l.entities as object)).toEqual(['user', 'src_host', 'dst_host', 'src_ip']);
      }
    });

    it('scores another converter\'s shape (EVTX-to-JSON Kerberos brute force) with the same model', () => {
      const file = shared('windows', 'evtx-to-mitre', 'TA0006-Credential Access', 'T1110.xxx-Brut force', 'ID4771-Kerberos brutforce with valid user.jsonl');
      const out = join(dir, 'windows-kerberos.jsonl');
      const r = runCli(['score', '--model-dir', modelDir, '--input', file, '--output', out]);
      expect(r.status, r.stderr).toBe(0);
      const lines = readJsonl(out);
      expect(lines).toHaveLength(54);
      expect(lines.every((l) => typeof l.anomaly_score === 'number' && (l.entities as Record<string, string>).dst_host === 'rootdc1')).toBe(true);
    });

    it('evaluates against labels in the adapter\'s values, beside the rarity baseline on all four pairs', () => {
      // the events of one attack recording (PurpleSharp's AD playbook) as the labels
      const labelled = eventsOf('windows', {}, input).filter((e) => e.text.includes('purplesharp_ad_playbook_I'));
      const labels = join(dir, 'windows-labels.txt');
      writeFileSync(labels, `${labelled.map((e) => labelLine(e.event)).join('\n')}\n`);
      const json = join(dir, 'windows-eval.json');
      // the baseline learns on the other recordings' lines (the test file itself is refused as training)
      const normal = join(dir, 'windows-normal.jsonl');
      writeFileSync(normal, readFileSync(input, 'utf8').split('\n').filter((l) => !l.includes('purplesharp_ad_playbook_I')).join('\n'));
      const r = runCli(['evaluate', '--format', 'windows', '--scores', `model=${scores}`, '--labels', labels, '--train', normal, '--test', input, '--json', json]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain('labels: 154 lines, 154 matched a scored event of some row, 0 matched none (per row: model 154, rarity-baseline 154, rarity-baseline-updating 154)');
      expect(r.stderr).toContain(`rarity-baseline: pairs user+src_host, user+dst_host, src_host+dst_host, user+auth_type counted over ${2940 - 154} training events`);
      expect(runCli(['evaluate', '--format', 'windows', '--scores', `model=${scores}`, '--labels', labels, '--train', input, '--test', input]).stderr).toMatch(/--test .* is also a --train file/);
      const summary = JSON.parse(readFileSync(json, 'utf8'));
      expect(summary.models.map((m: { name: string; events: number; positives: number }) => [m.name, m.events, m.positives])).toEqual([['model', 2940, 154], ['rarity-baseline', 2940, 154], ['rarity-baseline-updating', 2940, 154]]);
    });
  });

  describe('--format authlog on the Ubuntu internet host', () => {
    const input = shared('linux', 'ubuntu-internet-host-auth.log');
    const modelDir = join(dir, 'authlog');
    const scores = join(dir, 'authlog.jsonl');
    beforeAll(() => {
      const t = runCli(['train', '--format', 'authlog', '--adapter-options', '{"year":2024}', '--input', input, '--model-dir', modelDir, '--epochs', '2', '--seed', '3']);
      expect(t.status, t.stderr).toBe(0);
      expect(t.stderr).toMatch(/read 7121 records: 6896 events, 225 skipped \(191 sshd message of no authentication, .*\), 0 unreadable/);
      const s = runCli(['score', '--model-dir', modelDir, '--input', input, '--output', scores]);
      expect(s.status, s.stderr).toBe(0);
    });

    it('keeps the year option in the bundle, so scoring dates the lines the same way', () => {
      const bundle = JSON.parse(readFileSync(join(modelDir, 'bundle.json'), 'utf8'));
      expect(bundle.format).toBe('authlog');
      expect(bundle.adapter_options).toEqual({ year: 2024 });
      const lines = readJsonl(scores);
      expect(lines).toHaveLength(7121);
      const times = lines.filter((l) => typeof l.time === 'number').map((l) => new Date((l.time as number) * 1000).getUTCFullYear());
      expect(new Set(times)).toEqual(new Set([2024]));
      expect(lines.filter((l) => 'skipped' in l)).toHaveLength(225);
    });

    it('scores another host\'s log with the year given at scoring time', () => {
      const out = join(dir, 'authlog-openssh.jsonl');
      const r = runCli(['score', '--model-dir', modelDir, '--adapter-options', '{"year":2015}', '--input', shared('linux', 'loghub', 'OpenSSH', 'OpenSSH_2k.log'), '--output', out]);
      expect(r.status, r.stderr).toBe(0);
      const lines = readJsonl(out);
      expect(lines).toHaveLength(2000);
      expect(lines.filter((l) => typeof l.anomaly_score === 'number')).toHaveLength(1908);
      expect(new Date((lines.find((l) => typeof l.time === 'number')?.time as number) * 1000).getUTCFullYear()).toBe(2015);
    });

    it('evaluates one brute-force source as the labels, with --adapter-options for the baseline\'s reading', () => {
      const labelled = eventsOf('authlog', { year: 2024 }, input).filter((e) => e.event.entities.src_host === '181.25.206.27');
      expect(labelled.length).toBe(20);
      const labels = join(dir, 'authlog-labels.txt');
      writeFileSync(labels, `${labelled.map((e) => labelLine(e.event)).join('\n')}\n`);
      const normal = join(dir, 'authlog-normal.log');
      writeFileSync(normal, readFileSync(input, 'utf8').split('\n').filter((l) => !l.includes('181.25.206.27')).join('\n'));
      const r = runCli(['evaluate', '--format', 'authlog', '--adapter-options', '{"year":2024}', '--scores', `model=${scores}`, '--labels', labels, '--train', normal, '--test', input]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain(`labels: ${labelled.length} lines, ${labelled.length} matched a scored event of some row, 0 matched none`);
      expect(r.stderr).toContain(`rarity-baseline: pairs user+src_host, user+dst_host, src_host+dst_host, user+auth_type counted over ${6896 - labelled.length} training events`);
      expect(r.stdout).toMatch(/^model +\| +6896 \|/m);
    });
  });
});
