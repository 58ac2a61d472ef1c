// `train --format syslog --kind transformer-mlm --entity src_host` end to end on the real auth.log of an internet
// host (the first three quarters; the rest is scored): train mines the message templates into the bundle's
// adapter_options (as many as the miner finds on the same messages, the fusion's held-out hours left out), the model reads the template id as a field of
// the host's sequence, and `score` matches without learning, so a message of a shape training never saw gets
// `<unmatched>`, the field the explanation names first, more surprising than nearly all later messages' templates.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { isNoEvent } from '../src/adapters/adapter.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { TemplateMiner } from '../src/templates/miner.js';
import { heldOutRule, isHeldOut } from '../src/train/held-out.js';
import { UNMATCHED } from '../src/templates/table.js';
import { runCli } from './support/cli.js';
import { hasBuild, hasPython, hasSharedData, shared } from './support/env.js';

const ready = hasSharedData() && hasPython() && hasBuild();
const OPTIONS = { year: 2024 };
// a shape of message the host never wrote (sshd running out of memory), on the day after the sample's last line
const NEVER_SEEN = 'Apr 21 09:00:00 ip-10-77-20-248 sshd[31337]: xmalloc: out of memory (allocating 1048576 bytes)';

interface Scored {
  line: number;
  anomaly_score: number;
  fields: Array<{ field: string; value: string; surprisal: number }>;
}

describe.runIf(ready)('train --format syslog: a host\'s template sequence', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-syslog-'));
  const modelDir = join(dir, 'model');
  const lines = readFileSync(shared('linux', 'ubuntu-internet-host-auth.log'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const cut = Math.floor(lines.length * 0.75);
  let stderr = '';
  let scored: Scored[] = [];

  beforeAll(() => {
    const trainFile = join(dir, 'train.log');
    const scoreFile = join(dir, 'score.log');
    writeFileSync(trainFile, lines.slice(0, cut).join('\n') + '\n');
    writeFileSync(scoreFile, [...lines.slice(cut), NEVER_SEEN].join('\n') + '\n');
    const t = runCli(['train', '--format', 'syslog', '--adapter-options', JSON.stringify(OPTIONS), '--input', trainFile, '--kind', 'transformer-mlm', '--entity', 'src_host', '--model-dir', modelDir, '--epochs', '2', '--seed', '5']);
    expect(t.status, t.stderr).toBe(0);
    stderr = t.stderr;
    const out = join(dir, 'scores.jsonl');
    const s = runCli(['score', '--model-dir', modelDir, '--input', scoreFile, '--output', out]);
    expect(s.status, s.stderr).toBe(0);
    scored = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Scored);
  }, 600_000);

  it('mines the templates of the training messages outside the held-out hours into the bundle, as many as the miner finds on them', () => {
    const adapter = createAdapter('syslog', OPTIONS);
    const events = lines.slice(0, cut).map((l, i) => adapter.parse(l, { file: 'train', line: i + 1 }) as CanonicalEvent);
    expect(events.some((e) => isNoEvent(e))).toBe(false);
    // the fusion's held-out hours calibrate the model: they are left out of mining, to meet <unmatched> as scoring does
    const rule = heldOutRule(Float64Array.from(events.map((e) => e.time)));
    const miner = new TemplateMiner();
    const mined = events.filter((e) => !isHeldOut(rule, e.time));
    for (const e of mined) miner.add(e.text ?? '');
    expect(mined.length).toBeLessThan(cut);
    const bundle = JSON.parse(readFileSync(join(modelDir, 'bundle.json'), 'utf8'));
    expect(stderr).toContain(`templates: ${miner.size} mined from ${mined.length} messages (${cut - mined.length} held out)`);
    expect(bundle.adapter_options.templates.templates).toHaveLength(miner.size);
    expect(bundle.entity_key).toBe('src_host');
    expect(bundle.tokenizer.fields).toContain('template');
    // the vocabulary holds mined ids (those seen at least min-count times)
    const ids = new Set(bundle.adapter_options.templates.templates.map((t: { id: string }) => t.id));
    const vocab: string[] = bundle.tokenizer.vocab.template.filter((v: string) => !v.startsWith('<'));
    expect(vocab.length).toBeGreaterThan(10);
    for (const v of vocab) expect(ids.has(v)).toBe(true);
  });

  it('scores every later line with its template id; a shape never trained on is <unmatched>, the field its explanation names first', () => {
    expect(scored).toHaveLength(lines.length - cut + 1);
    const template = (s: Scored) => s.fields.find((f) => f.field === 'template') as Scored['fields'][number];
    const last = scored.at(-1) as Scored;
    expect(last.fields[0]).toMatchObject({ field: 'template', value: UNMATCHED });
    const rest = scored.slice(0, -1);
    expect(rest.every((s) => typeof template(s)?.value === 'string')).toBe(true);
    const unmatched = rest.filter((s) => template(s).value === UNMATCHED).length;
    process.stdout.write(`held-out lines: ${rest.length}, unmatched ${unmatched}; the never-seen shape: anomaly_score ${last.anomaly_score}, template surprisal ${template(last).surprisal}\n`);
    // its template is more surprising than nearly every later line's (the model learnt rare templates as <oov>, so
    // an unmatched one is surprising, not impossible: the event's anomaly_score also weighs its other fields)
    const below = rest.filter((s) => template(s).surprisal < template(last).surprisal).length;
    expect(below / rest.length).toBeGreaterThanOrEqual(0.95);
  });
});
