// Golden parity: a byte-pair encoding trained by models/text_bpe.py (`tokenizers`) on real shared text gives the same
// ids and pieces in TypeScript (`@huggingface/tokenizers`) as in Python, on the texts it learnt from and on others.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { readEvents } from '../src/adapters/read.js';
import { bpePiecer } from '../src/tokenizer/text-bpe.js';
import { textOf } from '../src/tokenizer/text-tokens.js';
import { hasPython, hasSharedData, PYTHON, REPO_ROOT, shared } from './support/env.js';

/** Texts kept per kind: enough for merges and rare pieces, few enough for a quick test. */
const PER_KIND = 3000;

/** The first PER_KIND texts `field` holds in the events `format` reads from `files`, in file order. */
async function texts(format: string, files: string[], field: string): Promise<string[]> {
  const out: string[] = [];
  for await (const item of readEvents(files, createAdapter(format))) {
    const text = item.event && textOf(item.event, field);
    if (text !== undefined) out.push(text);
    if (out.length >= PER_KIND) break;
  }
  return out;
}

function python(args: string[]): void {
  execFileSync(PYTHON, [join(REPO_ROOT, 'models', 'text_bpe.py'), ...args], { cwd: join(REPO_ROOT, 'models') });
}

describe.runIf(hasSharedData() && hasPython())('byte-pair text pieces, TypeScript ↔ Python', () => {
  it('gives identical ids and pieces on Zeek URIs and DNS queries and on sshd messages', async () => {
    const uris = await texts('zeek', [shared('zeek', 'otrf-apt29', 'day1', 'SCRANTON_http.log'), shared('zeek', 'stratosphere-labeled', '008-zeek-mixed', 'http.log.labeled.gz')], 'uri');
    const queries = await texts('zeek', [shared('zeek', 'otrf-apt29', 'day1', 'NASHUA_dns.log'), shared('zeek', 'zeek-default', 'dns.log.gz')], 'query');
    const agents = await texts('zeek', [shared('zeek', 'stratosphere-labeled', '008-zeek-mixed', 'http.log.labeled.gz')], 'user_agent');
    const messages = await texts('authlog', [shared('linux', 'ubuntu-internet-host-auth.log')], 'text');
    for (const t of [uris, queries, agents, messages]) expect(t.length).toBeGreaterThan(100);
    const all = [...uris, ...queries, ...agents, ...messages];
    // Learnt on every other text, applied to all: half the texts are ones the merges never saw.
    const dir = mkdtempSync(join(tmpdir(), 'seqsentry-bpe-parity-'));
    const writeJsonl = (name: string, lines: string[]) => {
      writeFileSync(join(dir, name), lines.map((t) => JSON.stringify(t)).join('\n') + '\n');
      return join(dir, name);
    };
    const trainTexts = writeJsonl('train.jsonl', all.filter((_, i) => i % 2 === 0));
    const allTexts = writeJsonl('all.jsonl', all);
    python(['train', '--texts', trainTexts, '--vocab-size', '600', '--out', join(dir, 'tokenizer.json')]);
    python(['encode', '--tokenizer', join(dir, 'tokenizer.json'), '--texts', allTexts, '--out', join(dir, 'py.json')]);
    const py = JSON.parse(readFileSync(join(dir, 'py.json'), 'utf8')) as { ids: number[][]; tokens: string[][] };

    const piecer = bpePiecer(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
    const ts = all.map((t) => piecer.encode(t));
    expect(ts.map((e) => e.ids)).toEqual(py.ids);
    expect(ts.map((e) => e.tokens)).toEqual(py.tokens);
    // The merges did something: fewer pieces than bytes, and pieces longer than one byte on every kind of text.
    const pieces = py.tokens.reduce((s, t) => s + t.length, 0);
    const bytes = all.reduce((s, t) => s + Buffer.byteLength(t), 0);
    expect(pieces).toBeLessThan(bytes / 2);
    const bounds = [0, uris.length, uris.length + queries.length, uris.length + queries.length + agents.length, all.length];
    for (let g = 0; g < 4; g++) {
      const group = py.tokens.slice(bounds[g], bounds[g + 1]);
      expect(group.filter((t) => t.some((p) => p.length > 1)).length).toBeGreaterThan(group.length / 2);
    }
    process.stdout.write(`bpe parity: ${all.length} texts (${uris.length} URIs, ${queries.length} DNS queries, ${agents.length} user agents, ${messages.length} sshd messages), ${bytes} bytes → ${pieces} pieces\n`);
  }, 120_000);
});
