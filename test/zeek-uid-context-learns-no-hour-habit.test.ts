// A connection's uid never recurs, so with `--entity uid` the fused score must not hold an hour-of-day habit per uid:
// every uid of another day would be new and every event would pass the threshold. The zeek adapter names uid a
// transient entity and the fusion leaves the hour component out; scoring the sensor's second day keeps events under it.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { hasBuild, hasPython, hasSharedData, shared } from './support/env.js';

const ready = hasSharedData() && hasPython() && hasBuild();
const sensor = (day: string) => readdirSync(shared('zeek', 'otrf-apt29', day)).filter((f) => f.startsWith('SCRANTON_')).map((f) => shared('zeek', 'otrf-apt29', day, f));

describe.runIf(ready)('zeek with the uid as context entity', () => {
  it('fuses the sequence model without an hour habit per uid, and scores a new day without flagging every event', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seqsentry-zeek-uid-'));
    const t = runCli(['train', '--format', 'zeek', '--input', ...sensor('day1'), '--model-dir', join(dir, 'model'), '--entity', 'uid', '--epochs', '2', '--seed', '1']);
    expect(t.status, t.stderr).toBe(0);
    const bundle = JSON.parse(readFileSync(join(dir, 'model', 'bundle.json'), 'utf8')) as { entity_key: string; fusion: { components: Array<{ name: string }> } };
    expect(bundle.entity_key).toBe('uid');
    expect(bundle.fusion.components.map((c) => c.name)).toEqual(['sequence']);
    const s = runCli(['score', '--model-dir', join(dir, 'model'), '--input', ...sensor('day2'), '--output', join(dir, 'scores.jsonl')]);
    expect(s.status, s.stderr).toBe(0);
    const scored = readFileSync(join(dir, 'scores.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { is_anomaly?: boolean }).filter((o) => o.is_anomaly !== undefined);
    expect(scored.length).toBeGreaterThan(100);
    expect(scored.filter((o) => o.is_anomaly).length).toBeLessThan(scored.length / 10);
  }, 600_000);
});
