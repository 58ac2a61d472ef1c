// A zeek http bundle trained with the URI as byte-pair text tokens, on the Benign requests of Stratosphere day 008,
// and two requests that differ only in their URI: a real one and one for a URI training never saw.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runCli } from './cli.js';
import { shared } from './env.js';

/** A URI that the cleaner buckets like the real one (20 characters, the same entropy half-bit), never in training. */
export const INJECTED_URI = '/cgi-bin/test-cgi.sh';
export const REAL_URI = '/pico/1/139381.pic';

export interface BpeHttpFixture {
  dir: string;
  model: string;
  /** The log's header lines (#separator .. #types). */
  header: string[];
  /** The #fields names. */
  names: string[];
  real: string;
  injected: string;
}

/** The day-008 http log split as the tests use it; `train` true also trains the bundle (2 epochs, seed 1). */
export function bpeHttpFixture(train: boolean): BpeHttpFixture {
  const dir = mkdtempSync(join(tmpdir(), 'seqsentry-bpe-http-'));
  const model = join(dir, 'model');
  const lines = gunzipSync(readFileSync(shared('zeek', 'stratosphere-labeled', '008-zeek-mixed', 'http.log.labeled.gz'))).toString('utf8').trimEnd().split('\n');
  const names = (lines.find((l) => l.startsWith('#fields')) as string).split('\t').slice(1);
  const header = lines.filter((l) => l.startsWith('#') && !l.startsWith('#close'));
  const col = (l: string, name: string) => l.split('\t')[names.indexOf(name)];
  const real = lines.find((l) => col(l, 'method') === 'GET' && col(l, 'uri') === REAL_URI) as string;
  const injected = real.split('\t').map((v, i) => (i === names.indexOf('uri') ? INJECTED_URI : v)).join('\t');
  if (train) {
    const benign = lines.filter((l) => l.startsWith('#') || col(l, 'label') === 'Benign');
    writeFileSync(join(dir, 'benign-008.http.log'), benign.join('\n') + '\n');
    const t = runCli(['train', '--format', 'zeek', '--input', join(dir, 'benign-008.http.log'), '--model-dir', model, '--epochs', '2', '--seed', '1', '--text-tokens', 'bpe', '--text-field', 'uri']);
    if (t.status !== 0) throw new Error(`train failed: ${t.stderr}`);
  }
  return { dir, model, header, names, real, injected };
}

/** A TSV line of the log as the Zeek JSON document a shipper would send (`-` unset left out). */
export function asZeekJson(f: BpeHttpFixture, line: string): Record<string, unknown> {
  const doc: Record<string, unknown> = { _path: 'http' };
  line.split('\t').forEach((v, i) => {
    const name = f.names[i] as string;
    if (v !== '-' && name !== 'label' && name !== 'detailedlabel') doc[name] = /^\d+(\.\d+)?$/.test(v) && name !== 'uri' ? Number(v) : v;
  });
  return doc;
}
