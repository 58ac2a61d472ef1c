// A small ECS model trained through the real `seqsentry train` path, cached in the temp dir by a hash of its inputs.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { train } from '../../src/commands/train.js';
import { ecsDocs, writeNdjson, type EcsFixtureOptions } from './ecs-fixture.js';
import { REPO_ROOT, shared } from './env.js';
import { webloginRecords } from './weblogin-fixture.js';

export interface ModelFixtureOptions extends EcsFixtureOptions {
  kind?: 'transformer-mlm' | 'lstm-lm' | 'transformer-lm' | 'lstm-ae';
  epochs?: number;
  context?: number;
  /**
   * A cascade: the model behind a context-free screen at this threshold (train --screen). None unless asked for, though
   * ECS's default is a cascade: most tests using these bundles check that history, order and every path feed the model
   * the same previous events, which a screen would leave unread for most events.
   */
  screen?: number;
}

/** Everything that changes the model: the data, the training arguments and the trainer's own code. */
function cacheKey(data: string, args: unknown): string {
  const h = createHash('sha256').update(data).update(JSON.stringify(args));
  const models = join(REPO_ROOT, 'models');
  for (const f of readdirSync(models).filter((n) => n.endsWith('.py') || n === 'kinds.json').sort()) h.update(f).update(readFileSync(join(models, f)));
  const adapters = readdirSync(join(REPO_ROOT, 'src', 'adapters')).filter((n) => n.endsWith('.ts')).sort().map((n) => `src/adapters/${n}`);
  // the syslog adapter's templates are mined by src/templates/ at train time
  const templates = readdirSync(join(REPO_ROOT, 'src', 'templates')).filter((n) => n.endsWith('.ts')).sort().map((n) => `src/templates/${n}`);
  for (const f of [...adapters, ...templates, 'src/commands/train.ts', 'src/train/sequence-train.ts', 'src/tokenizer/events-tsv.ts', 'src/train/fit-fusion.ts', 'src/train/held-out.ts', 'src/memory/entity-memory.ts', 'src/memory/pairs.ts', 'src/memory/tail.ts', 'src/scorer/order.ts', 'src/scorer/history.ts']) h.update(readFileSync(join(REPO_ROOT, f)));
  return h.digest('hex').slice(0, 16);
}

/**
 * Returns the directory of a trained ECS bundle (bundle.json + model.onnx). Trains on first use; later calls and
 * later test files reuse it. Concurrent workers may both train; the first rename wins and the other is dropped.
 */
export async function ecsModel(options: ModelFixtureOptions = {}): Promise<string> {
  const { kind = 'transformer-mlm', epochs = 8, context = 4, screen, ...data } = options;
  const text = ecsDocs(data).map((d) => JSON.stringify(d)).join('\n') + '\n';
  const args = { kind, epochs, context, seed: 1, minCount: 1, screen: screen ?? null };
  return cachedModel(`ecs-${kind}${screen !== undefined ? '-screen' : ''}`, text, args, (input, modelDir) =>
    train({
      format: 'ecs', inputs: [input], modelDir, kind, epochs, seed: args.seed, context: kind === 'lstm-lm' ? undefined : context,
      minCount: args.minCount, hourToken: true, strict: true, screen: args.screen,
    }),
  );
}

/**
 * A LANL bundle (transformer-mlm unless told) trained on the shared sample's day 0 (5,000 real auth lines), cached
 * like ecsModel. Context 8 unless told: most tests using it check that history, order and every path feed the model
 * the same previous events, which a context-free model would pass without reading any. No screen unless one is asked
 * for (`screen`: its threshold), though LANL's default is a cascade: behind a screen most events would be scored
 * without their context.
 */
export async function lanlModel(kind: 'transformer-mlm' | 'transformer-lm' = 'transformer-mlm', context = 8, screen: number | null = null): Promise<string> {
  const text = readFileSync(shared('lanl', 'safekit-heads', 'day0_head_decoded.csv'), 'utf8');
  const args = { kind, epochs: 4, seed: 5, minCount: 1, context, screen };
  const name = `lanl-${kind}${context === 8 ? '' : `-c${context}`}${screen === null ? '' : `-screen${screen}`}`;
  return cachedModel(name, text, args, (input, modelDir) =>
    train({ format: 'lanl', inputs: [input], modelDir, kind: args.kind, epochs: args.epochs, seed: args.seed, minCount: args.minCount, context: args.context, hourToken: true, strict: false, screen }),
  );
}

/**
 * A windows transformer-mlm bundle trained on the shared OTRF Security events (2,956 NXLog records, read in place).
 * Without the screen that Windows trains by default: its tests check that a refilled history gives the model its context,
 * which a screen would leave unread for most of these few events.
 */
export async function windowsModel(): Promise<string> {
  const text = readFileSync(shared('windows', 'otrf-security-auth.jsonl'), 'utf8');
  const args = { kind: 'transformer-mlm' as const, epochs: 2, seed: 3, minCount: 1, screen: null };
  return cachedModel('windows-transformer-mlm', text, args, (input, modelDir) =>
    train({ format: 'windows', inputs: [input], modelDir, kind: args.kind, epochs: args.epochs, seed: args.seed, minCount: args.minCount, hourToken: true, strict: false, screen: null }),
  );
}

/** The year the shared Ubuntu auth.log's year-less lines are read in (its 24 days start on 27 March). */
export const AUTHLOG_SAMPLE_YEAR = 2024;

/** An authlog transformer-mlm bundle trained on the shared Ubuntu auth.log (7,121 real lines, read in place). */
export async function authlogModel(): Promise<string> {
  const text = readFileSync(shared('linux', 'ubuntu-internet-host-auth.log'), 'utf8');
  const args = { kind: 'transformer-mlm' as const, epochs: 2, seed: 3, minCount: 1, year: AUTHLOG_SAMPLE_YEAR };
  return cachedModel('authlog-transformer-mlm', text, args, (input, modelDir) =>
    train({
      format: 'authlog', inputs: [input], modelDir, kind: args.kind, epochs: args.epochs, seed: args.seed, minCount: args.minCount, hourToken: true, strict: false,
      adapterOptions: { year: args.year },
    }),
  );
}

/**
 * A syslog transformer-mlm bundle on the same auth.log, every line kept, a host's template sequence as the context
 * (`--entity src_host`): train mines the message templates into its adapter_options.
 */
export async function syslogModel(): Promise<string> {
  const text = readFileSync(shared('linux', 'ubuntu-internet-host-auth.log'), 'utf8');
  const args = { kind: 'transformer-mlm' as const, epochs: 2, seed: 3, minCount: 1, year: AUTHLOG_SAMPLE_YEAR, entity: 'src_host' };
  return cachedModel('syslog-transformer-mlm', text, args, (input, modelDir) =>
    train({
      format: 'syslog', inputs: [input], modelDir, kind: args.kind, epochs: args.epochs, seed: args.seed, minCount: args.minCount, hourToken: true, strict: false,
      adapterOptions: { year: args.year }, entity: args.entity,
    }),
  );
}

/**
 * A weblogin bundle trained on the login records of test/support/weblogin-fixture.ts (no shared sample exists):
 * transformer-mlm, whose context makes every login's score depend on the history a path refills, or lstm-lm, the
 * format's default kind (models/kinds.json), which reads no context.
 */
export async function webloginModel(kind: 'transformer-mlm' | 'lstm-lm' = 'transformer-mlm'): Promise<string> {
  const text = webloginRecords(14, 0).map((l) => JSON.stringify(l)).join('\n') + '\n';
  const args = { kind, epochs: 2, seed: 5, minCount: 1 };
  return cachedModel(`weblogin-${kind}`, text, args, (input, modelDir) =>
    train({ format: 'weblogin', inputs: [input], modelDir, kind: args.kind, epochs: args.epochs, seed: args.seed, minCount: args.minCount, hourToken: true, strict: true }),
  );
}

/**
 * A weblogin lstm-ae bundle on the same logins in the login-risk services' four-key shape, what an authentication
 * server sends to /v1/risk (no outcome, no app; no fusion: the kind declares none). 600 logins are about one batch,
 * so it takes 40 epochs of one step each to learn the users' habits.
 */
export async function webloginLstmAeModel(): Promise<string> {
  const seedShape = webloginRecords(14, 0).map(({ userAgent, timestamp, userID, location }) => ({ userAgent, timestamp, userID, location }));
  const text = seedShape.map((l) => JSON.stringify(l)).join('\n') + '\n';
  const args = { kind: 'lstm-ae' as const, epochs: 40, seed: 5, minCount: 1 };
  return cachedModel('weblogin-lstm-ae', text, args, (input, modelDir) =>
    train({ format: 'weblogin', inputs: [input], modelDir, kind: args.kind, epochs: args.epochs, seed: args.seed, minCount: args.minCount, hourToken: true, strict: true }),
  );
}

/** The WRCCDC 2018 capture's Zeek JSON (ISO `ts`, `_path`), the log types a zeek bundle is trained on in the tests. */
export const ZEEK_JSON_TYPES = ['dns', 'ssl', 'weird'] as const;

/** Zeek JSON lines of `logType` from the shared WRCCDC capture, as written. */
export function zeekJsonLines(logType: string): string[] {
  return gunzipSync(readFileSync(shared('zeek', 'zeek-json', `${logType}.json.gz`))).toString('utf8').trimEnd().split('\n');
}

/**
 * A zeek transformer-mlm bundle (context: the source address's recent records, or `entity`'s) trained on every 8th dns, ssl and
 * weird record of the WRCCDC capture before `until` (ISO, compared as text: the capture writes one format), in
 * time order. About 9,000 records.
 */
export async function zeekModel(until = '2018-03-24T17:28:00', entity?: string): Promise<string> {
  const lines = ZEEK_JSON_TYPES.flatMap((t) => zeekJsonLines(t).filter((_l, i) => i % 8 === 0));
  const timed = lines.map((l) => ({ l, ts: (JSON.parse(l) as { ts: string }).ts })).filter((r) => r.ts < until);
  const text = timed.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0)).map((r) => r.l).join('\n') + '\n';
  // the entity joins the cache key only when given, so the default bundle keeps its cached name and key
  const args = { kind: 'transformer-mlm' as const, epochs: 2, seed: 3, minCount: 1, ...(entity === undefined ? {} : { entity }) };
  return cachedModel(entity === undefined ? 'zeek-transformer-mlm' : `zeek-transformer-mlm-${entity}`, text, args, (input, modelDir) =>
    train({ format: 'zeek', inputs: [input], modelDir, kind: args.kind, epochs: args.epochs, seed: args.seed, minCount: args.minCount, hourToken: true, strict: false, entity }),
  );
}

/** The OTRF APT29 capture's Zeek JSON files of `day` (day1, day2) that hold records zeek-seq reads, by path. */
export function otrfZeekFiles(day: 'day1' | 'day2'): string[] {
  const dir = shared('zeek', 'otrf-apt29', day);
  // the sensors' own bookkeeping logs hold no connection
  return readdirSync(dir).filter((f) => f.endsWith('.log') && !/_(loaded_scripts|packet_filter|reporter|capture_loss|stats)\.log$/.test(f)).sort().map((f) => join(dir, f));
}

/**
 * A zeek-seq bundle (connections joined by uid, the source address's previous connections as context) trained on
 * every Zeek record of OTRF APT29 day 1 (about 600 connections), the records written as one file in time order.
 */
export async function zeekSeqModel(): Promise<string> {
  const records = otrfZeekFiles('day1').flatMap((f) => readFileSync(f, 'utf8').trimEnd().split('\n'));
  const timed = records.map((l) => ({ l, ts: (JSON.parse(l) as { ts: number }).ts })).sort((a, b) => a.ts - b.ts);
  const text = timed.map((r) => r.l).join('\n') + '\n';
  const args = { kind: 'zeek-seq' as const, seed: 1, acceptanceRate: 0.01 };
  return cachedModel('otrf-zeek-seq', text, args, (input, modelDir) =>
    train({ format: 'zeek', inputs: [input], modelDir, kind: args.kind, seed: args.seed, minCount: 1, hourToken: false, strict: false, acceptanceRate: args.acceptanceRate }),
  );
}

/** Trains into a work folder from `text` (written to a file) and renames the bundle into the shared cache. */
async function cachedModel(name: string, text: string, args: unknown, trainInto: (input: string, modelDir: string) => Promise<unknown>): Promise<string> {
  const root = join(tmpdir(), 'seqsentry-test-models');
  const dir = join(root, `${name}-${cacheKey(text, args)}`);
  if (existsSync(join(dir, 'bundle.json'))) return dir;
  mkdirSync(root, { recursive: true });
  const work = join(root, `.work-${process.pid}-${Date.now()}`);
  mkdirSync(work, { recursive: true });
  try {
    const input = join(work, 'events.input');
    writeFileSync(input, text);
    const modelDir = join(work, 'model');
    await trainInto(input, modelDir);
    rmSync(input);
    try {
      renameSync(modelDir, dir);
    } catch (err) {
      if (!existsSync(join(dir, 'bundle.json'))) throw err; // another worker finished first: use theirs
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return dir;
}

export { ecsDocs, writeNdjson };
