// Runs a simulation end to end: builds the enterprise, generates each day (background + people), streams
// training days to train.csv as they are made, then the test days with red-team campaigns injected to
// test.csv, and writes redteam.txt, campaigns.tsv and summary.json. Same options and seed → byte-identical files.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SeqSentryError, UsageError } from '../core/errors.js';
import { DayLog, eventType, GROUND_TRUTH_HEADER, type AuthEvent } from './auth-event.js';
import { personDay } from './benign.js';
import { emptyHistory, recordTraining } from './campaigns.js';
import { buildEnterprise, type Enterprise } from './enterprise.js';
import { backgroundDay } from './machines.js';
import { Rng } from './prng.js';
import { parseProfile, type EnterpriseProfile, type EnterpriseProfileInput } from './profile.js';
import { injectRedTeam } from './redteam.js';
import { RENDERINGS, type AuthRenderer } from './renderers.js';
import { simulateLogins } from './weblogin/simulate-logins.js';
import { groupCampaigns, populationOf, SummaryCounter, type SimulationSummary } from './summary.js';
import { LineWriter } from './writer.js';

export interface SimulateOptions {
  /** Number of days; day 0 is a Monday. */
  days: number;
  seed: number;
  outDir: string;
  /** Leading days written to train.csv; the rest go to test.csv. Default: days - 2. */
  trainDays?: number;
  /** Population multiplier; 1 ≈ 160 people. `profile.users`, when set, wins. */
  scale?: number;
  /** The enterprise's knobs (profile.ts); validated here, so library callers get the same errors as the CLI. */
  profile?: EnterpriseProfileInput;
  /** How the enterprise is written (renderers.ts): `lanl` (default), `windows`, `ecs` or `weblogin`. */
  render?: string;
}

export interface ResolvedOptions extends Required<Omit<SimulateOptions, 'profile'>> {
  profile: EnterpriseProfile;
}

export interface SimulationResult {
  summary: SimulationSummary;
  seconds: number;
}

/** The files of the default (LANL) rendering. */
export const OUTPUT_FILES = RENDERINGS.lanl!.files;

export function resolveOptions(o: SimulateOptions): ResolvedOptions {
  const trainDays = o.trainDays ?? o.days - 2;
  const scale = o.scale ?? 1;
  // Named after the CLI options, which map one to one onto these fields.
  const fail = (what: string) => {
    throw new UsageError(what);
  };
  if (!Number.isInteger(o.days) || o.days < 2 || o.days > 366) fail(`--days must be an integer in 2..366, got ${o.days}`);
  if (!Number.isInteger(trainDays) || trainDays < 1 || trainDays >= o.days) fail(`--train-days must be an integer in 1..${o.days - 1} (leaving at least one test day), got ${trainDays}`);
  if (!Number.isInteger(o.seed)) fail(`--seed must be an integer, got ${o.seed}`);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 50) fail(`--scale must be a number in (0, 50], got ${scale}`);
  const render = o.render ?? 'lanl';
  if (!Object.hasOwn(RENDERINGS, render)) fail(`--render must be one of ${Object.keys(RENDERINGS).join(', ')}, got "${render}"`);
  return { days: o.days, seed: o.seed, outDir: o.outDir, trainDays, scale, render, profile: parseProfile(o.profile) };
}

/** One day's events, unsorted: background first, then each person, each from its own random stream. */
export function generateDay(ent: Enterprise, root: Rng, day: number): DayLog {
  const log = new DayLog(day);
  backgroundDay(ent, day, log, root.fork(`background:${day}`));
  for (const p of ent.people) personDay(ent, p, day, log, root.fork(`person:${day}:${p.user}`));
  return log;
}

/** Array.prototype.sort is stable, so equal times keep generation order (TGS before its LogOn). */
function sortByTime(events: AuthEvent[]): AuthEvent[] {
  return events.sort((a, b) => a.time - b.time);
}

export async function simulate(options: SimulateOptions): Promise<SimulationResult> {
  const started = process.hrtime.bigint();
  const o = resolveOptions(options);
  await mkdir(o.outDir, { recursive: true }).catch((err: Error) => {
    throw new SeqSentryError(`simulate: cannot create output directory ${o.outDir}: ${err.message}`, { cause: err });
  });
  const root = new Rng(o.seed);
  const ent = buildEnterprise(root.fork('enterprise'), o.scale, o.days, o.profile);
  const rendering = RENDERINGS[o.render]!;
  const files = rendering.files;
  if (!rendering.auth) return simulateLogins({ ...o, files, started }, ent, root);
  const render: AuthRenderer = rendering.auth(ent);
  const counter = new SummaryCounter();
  const history = emptyHistory();

  const train = new LineWriter(join(o.outDir, files.train));
  for (let d = 0; d < o.trainDays; d++) {
    const events = sortByTime(generateDay(ent, root, d).events);
    recordTraining(history, events);
    counter.addDay(d, 'train', events, eventType);
    await train.writeLines(events.map(render.line));
  }
  await train.close();

  // Test days are held together: the red-team budget depends on their total size.
  const testLogs: DayLog[] = [];
  for (let d = o.trainDays; d < o.days; d++) testLogs.push(generateDay(ent, root, d));
  const reports = injectRedTeam(ent, testLogs, history, root.fork('redteam'), o.profile);
  const test = new LineWriter(join(o.outDir, files.test));
  const red: AuthEvent[] = [];
  for (const log of testLogs) {
    const events = sortByTime(log.events);
    for (const e of events) if (e.campaign) red.push(e);
    counter.addDay(log.day, 'test', events, eventType);
    await test.writeLines(events.map(render.line));
    log.events.length = 0; // release the day once written
  }
  await test.close();
  const labels = new LineWriter(join(o.outDir, files.redteam));
  await labels.writeLines(red.map(render.label));
  await labels.close();
  const truth = new LineWriter(join(o.outDir, files.campaigns));
  await truth.writeLines([GROUND_TRUTH_HEADER, ...red.map(render.truth)]);
  await truth.close();

  const summary: SimulationSummary = {
    seed: o.seed,
    scale: o.scale,
    profile: o.profile,
    days: o.days,
    train_days: o.trainDays,
    test_days: o.days - o.trainDays,
    population: populationOf(ent),
    files: { ...files },
    totals: counter.totals(),
    per_day: counter.perDay,
    campaigns: groupCampaigns(reports),
    event_types: counter.eventTypes(),
  };
  await writeFile(join(o.outDir, files.summary), JSON.stringify(summary, null, 2) + '\n').catch((err: Error) => {
    throw new SeqSentryError(`simulate: cannot write ${join(o.outDir, files.summary)}: ${err.message}`, { cause: err });
  });
  return { summary, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}
