#!/usr/bin/env node
// How soon after a user's latest successful login from another country its first login from a country new to it
// comes, takers against travellers, over the web-login runs bench/detection.mjs kept: what a travel horizon can and
// cannot separate. Labels are read to look, not to fit: nothing here is fitted.
// Usage: node bench/travel-gaps.mjs bench/results/detection-work [another-work-dir ...]
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { detectionModules, testLabels } from './lib/detection-run.mjs';

const dist = new URL('../dist/', import.meta.url);
const { createAdapter } = await import(new URL('adapters/registry.js', dist));
const { readEvents } = await import(new URL('adapters/read.js', dist));
const { RENDERINGS } = await import(new URL('sim/renderers.js', dist));
const { ABSENT } = await import(new URL('adapters/names.js', dist));
const modules = await detectionModules(dist);

const adapter = createAdapter('weblogin');
const { files } = RENDERINGS.weblogin;
const COUNTRY = adapter.fieldNames.indexOf('country');
const OUTCOME = adapter.fieldNames.indexOf('outcome');
const BOUNDS = [6, 12, 24, 27.3, 48, 72, Infinity];
const gaps = new Map();
for (const work of process.argv.slice(2)) {
  for (const name of readdirSync(work).sort()) {
    const sim = join(work, name, 'sim');
    if (!name.endsWith('-weblogin') || !existsSync(join(sim, files.test))) continue;
    const read = async (file) => { const out = []; for await (const it of readEvents([join(sim, file)], adapter)) if (it.event) out.push(it.event); return out; };
    const train = await read(files.train);
    const test = await read(files.test);
    const { classes } = await testLabels(modules, sim, adapter, test);
    const cls = new Map(classes);
    const walk = [...train.map((e) => [e, -1]), ...test.map((e, i) => [e, i])].sort((a, b) => a[0].time - b[0].time);
    const known = new Map();
    const lastOk = new Map();
    for (const [e, i] of walk) {
      const user = e.entities.user;
      const country = e.fields[COUNTRY];
      const places = known.get(user) ?? new Set();
      const prev = lastOk.get(user);
      if (i >= 0 && places.size && !places.has(country) && country !== ABSENT && e.fields[OUTCOME] === 'success') {
        const key = cls.get(i) ?? 'normal';
        (gaps.get(key) ?? gaps.set(key, []).get(key)).push(prev && prev.country !== country ? (e.time - prev.time) / 3600 : null);
      }
      places.add(country);
      known.set(user, places);
      if (e.fields[OUTCOME] === 'success' && country !== ABSENT) lastOk.set(user, { time: e.time, country });
    }
  }
}
process.stdout.write(`first logins from a country new to the user: hours since its latest successful login from another, below ${BOUNDS.join(' / ')} h\n`);
for (const [key, g] of gaps) {
  const counts = BOUNDS.map((b, k) => g.filter((h) => h !== null && h < b && (k === 0 || h >= (BOUNDS[k - 1] ?? 0))).length);
  process.stdout.write(`${key.padEnd(20)} ${String(g.length).padStart(4)} logins, ${g.filter((h) => h === null).length} with none before: ${counts.join(' / ')}\n`);
}
