#!/usr/bin/env node
// `seqsentry score` as a whole process on one large file with the default model: events/s, CPU µs per event
// (user + system, both threads), peak RSS and output bytes per event, in full, with the compact explanation below
// 0.99 (--explain-above) and with compact lines below 0.99 (--compact: line, score, top field).
// Usage: node bench/score-file.mjs [--events 300000] [--train-events 100000] [--batch 1024] [--out bench/results]
//   [--forms full,explain,compact] [--against DIR --pairs 3]
// Reads the compiled CLI in dist/ (npm run build). A simulated enterprise: ~20k events a weekday. With --against (another
// checkout, built), each form runs there and here alternated, --pairs times, on the same file and model: events/s, CPU
// µs per event and the load average of each run, and whether the two outputs are byte for byte the same.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { quiet, root } from './lib/ecs-bench.mjs';

const dist = new URL('../dist/', import.meta.url);
const { default: simulate } = await import(new URL('commands/simulate.js', dist));
const { train } = await import(new URL('commands/train.js', dist));
const { DEFAULT_KIND } = await import(new URL('model/kinds.js', dist));

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '300000' },
    'train-events': { type: 'string', default: '100000' },
    batch: { type: 'string', default: '1024' },
    out: { type: 'string', default: 'bench/results' },
    forms: { type: 'string', default: 'full,explain,compact' },
    against: { type: 'string' },
    pairs: { type: 'string', default: '3' },
  },
});
const events = Number(values.events);
const work = join(resolve(values.out), 'score-file-work');
await mkdir(work, { recursive: true });

// Enough simulated days for the file; the model trains on the first days, the file is what follows.
const days = Math.ceil(events / 15_000) + 3;
const data = join(work, `data-${days}`);
if (!existsSync(join(data, 'train.csv'))) await quiet(() => simulate.run(['--days', String(days), '--seed', '11', '--out', data]));
const input = join(work, `input-${events}.csv`);
if (!existsSync(input)) {
  // The last `events` lines of the simulated training days: a file of exactly that many events.
  const lines = [];
  for await (const line of createInterface({ input: createReadStream(join(data, 'train.csv')) })) lines.push(line);
  if (lines.length < events) throw new Error(`the simulation made ${lines.length} events, fewer than --events ${events}`);
  const out = createWriteStream(input);
  for (const line of lines.slice(lines.length - events)) if (!out.write(line + '\n')) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}
const modelDir = join(work, `model-${DEFAULT_KIND}`);
if (!existsSync(join(modelDir, 'bundle.json'))) {
  await quiet(() => train({ format: 'lanl', inputs: [join(data, 'train.csv')], modelDir, kind: DEFAULT_KIND, seed: 1, minCount: 2, hourToken: true, strict: false, maxEvents: Number(values['train-events']) }));
}

/** One `seqsentry score` process of the checkout at `checkout` under /usr/bin/time: wall s, CPU s (user + sys, every thread), peak RSS KiB. */
function run(output, extra, checkout = root) {
  const args = ['-f', '%e %U %S %M', process.execPath, join(checkout, 'bin', 'seqsentry.js'), 'score', '--model-dir', modelDir, '--input', input, '--output', output, '--batch-size', values.batch, ...extra];
  const r = spawnSync('/usr/bin/time', args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`score failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const [wall, user, sys, rss] = r.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { wall, cpu: user + sys, rssKiB: rss };
}

const FORMS = { full: ['full', []], explain: ['compact explanation (--explain-above 0.99)', ['--explain-above', '0.99']], compact: ['compact lines (--compact)', ['--compact']] };
const forms = values.forms.split(',').map((f) => {
  if (!FORMS[f]) throw new Error(`--forms: unknown form "${f}" (${Object.keys(FORMS).join(', ')})`);
  return [f, ...FORMS[f]];
});
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const measure = async (output, extra, checkout) => {
  const load = loadavg()[0];
  const m = run(output, extra, checkout);
  const bytes = (await stat(output)).size;
  return { events_per_s: events / m.wall, cpu_us_per_event: (m.cpu / events) * 1e6, rss_mib: m.rssKiB / 1024, output_bytes_per_event: bytes / events, load_before: load, load_after: loadavg()[0] };
};
const header = `seqsentry score, one process, ${fmt(events)} events, ${DEFAULT_KIND}, batch ${values.batch} — ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}`;

if (values.against) {
  // Alternated: the other checkout first in odd pairs, this one first in even pairs, so neither always runs first.
  const against = resolve(values.against);
  const runs = [];
  console.log(`\n${header}; ${against} (base) against ${root} (this), alternated`);
  console.log('| output | pair | checkout | events/s | CPU µs/event | peak RSS MiB | load average before → after | output identical |');
  console.log('|---|---:|---|---:|---:|---:|---|---|');
  for (const [key, form, extra] of forms) {
    for (let pair = 1; pair <= Number(values.pairs); pair++) {
      const order = pair % 2 ? [['base', against], ['this', root]] : [['this', root], ['base', against]];
      const outputs = {};
      for (const [name, checkout] of order) {
        outputs[name] = join(work, `scores-${key}-${name}.jsonl`);
        const r = { form, pair, checkout: name, ...(await measure(outputs[name], extra, checkout)) };
        runs.push(r);
      }
      const same = readFileSync(outputs.base).equals(readFileSync(outputs.this));
      for (const r of runs.slice(-2).sort((a, b) => (a.checkout < b.checkout ? -1 : 1))) {
        r.identical = same;
        console.log(`| ${form} | ${pair} | ${r.checkout} | ${fmt(r.events_per_s)} | ${r.cpu_us_per_event.toFixed(1)} | ${fmt(r.rss_mib)} | ${r.load_before.toFixed(1)} → ${r.load_after.toFixed(1)} | ${same ? 'yes' : 'NO'} |`);
      }
    }
  }
  await writeFile(join(resolve(values.out), `score-file-${events}-against.json`), JSON.stringify({ cores: cpus().length, node: process.version, against, runs }, null, 2));
} else {
  const rows = [];
  for (const [key, form, extra] of forms) rows.push({ form, events, ...(await measure(join(work, `scores-${key}.jsonl`), extra)) });
  console.log(`\n${header}`);
  console.log('| output | events/s | CPU µs/event | peak RSS MiB | output bytes/event |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.form} | ${fmt(r.events_per_s)} | ${r.cpu_us_per_event.toFixed(1)} | ${fmt(r.rss_mib)} | ${fmt(r.output_bytes_per_event)} |`);
  await writeFile(join(resolve(values.out), `score-file-${events}.json`), JSON.stringify({ cores: cpus().length, node: process.version, rows }, null, 2));
}
