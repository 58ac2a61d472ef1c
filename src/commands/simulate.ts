// `seqsentry simulate`: parses options, runs the simulator, prints a short summary. Wiring only.
import { UsageError } from '../core/errors.js';
import { intOption, parseOptions, required, type Command } from './command.js';
import { readProfile } from '../sim/profile.js';
import { simulate } from '../sim/simulate.js';
import type { SimulationSummary } from '../sim/summary.js';

const USAGE = 'seqsentry simulate --out DIR [--days N] [--seed S] [--train-days N] [--scale X] [--profile FILE|JSON] [--render lanl|windows|ecs|weblogin]';
const SUMMARY =
  'Write a synthetic enterprise in LANL auth format: train.csv (leading days), test.csv (last days, with\n' +
  'red-team campaigns), redteam.txt (labels: time,user@domain,src,dst), campaigns.tsv (ground truth, one row\n' +
  'per red-team event: time, user, src, dst, campaign_class, campaign_instance; tab-separated, with a header)\n' +
  'and summary.json. Day 0 is a Monday. --profile sets the enterprise (src/sim/profile.ts lists every key;\n' +
  'the named profiles of the detection matrix are in src/sim/matrix.ts). --render windows writes the same\n' +
  'events as Winlogbeat-shaped Windows Security JSON (train.jsonl, test.jsonl; labels in the windows adapter\'s\n' +
  'values); --render ecs writes the same documents labelled in the ecs adapter\'s values (read as generic ECS);\n' +
  '--render weblogin writes the same people\'s web/SSO logins with account-takeover campaigns.';

const SPECS = {
  out: { type: 'string', short: 'o', help: 'DIR  output directory (created if missing)' },
  days: { type: 'string', default: '9', help: 'N  number of days to simulate' },
  seed: { type: 'string', default: '1', help: 'S  random seed; same seed, same files' },
  'train-days': { type: 'string', help: 'N  leading days written to train.csv (default: days - 2)' },
  scale: { type: 'string', default: '1', help: 'X  population multiplier (1 = about 160 people)' },
  profile: { type: 'string', help: 'FILE|JSON  enterprise profile: a JSON file or inline JSON; unknown keys are refused' },
  render: { type: 'string', default: 'lanl', help: 'lanl|windows|ecs|weblogin  how the enterprise is written (src/sim/renderers.ts)' },
} as const;

function floatOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number, got "${value}"`);
  return n;
}

function report(s: SimulationSummary, outDir: string, seconds: number): string {
  const weekday = s.per_day.filter((d) => d.weekday !== 'Sat' && d.weekday !== 'Sun').map((d) => d.events);
  const weekend = s.per_day.filter((d) => d.weekday === 'Sat' || d.weekday === 'Sun').map((d) => d.events);
  const mean = (xs: number[]) => (xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) : 0);
  const lines = [
    `simulated ${s.days} days (${s.train_days} train, ${s.test_days} test), seed ${s.seed}, ${s.population.users} people, ${s.population.workstations} workstations, ${s.population.servers} servers, ${s.population.domain_controllers} DCs in ${seconds.toFixed(1)}s`,
    `events: ${s.totals.train} train, ${s.totals.test} test; per day ~${mean(weekday)} weekday, ~${mean(weekend)} weekend`,
    `red team: ${s.totals.red_team} events (${(s.totals.red_team_fraction_of_test * 100).toFixed(3)}% of test)`,
    ...s.campaigns.map((c) => `  ${c.id.padEnd(22)} ${String(c.events).padStart(3)}  ${c.parts.map((p) => p.description).join('; ')}`),
    `wrote ${outDir}/{${Object.values(s.files).join(',')}}`,
  ];
  if (s.totals.red_team === 0) lines.push('warning: test days too small for any red-team campaign within 0.1% of events; raise --scale or test days');
  return lines.join('\n') + '\n';
}

const command: Command = {
  name: 'simulate',
  summary: 'write a synthetic enterprise with red-team labels: LANL auth lines, Windows Security events or web logins',
  async run(argv) {
    const parsed = parseOptions(argv, USAGE, SUMMARY, SPECS);
    if (!parsed) return 0;
    if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument "${parsed.positionals[0]}"`);
    const out = required(parsed.values.out, 'out');
    const days = intOption(parsed.values.days, 'days', 9);
    const trainDays = parsed.values['train-days'] === undefined ? undefined : intOption(parsed.values['train-days'], 'train-days', days - 2);
    const { summary, seconds } = await simulate({
      outDir: out,
      days,
      seed: intOption(parsed.values.seed, 'seed', 1),
      scale: floatOption(parsed.values.scale, 'scale', 1),
      render: parsed.values.render,
      ...(parsed.values.profile === undefined ? {} : { profile: readProfile(parsed.values.profile) }),
      ...(trainDays === undefined ? {} : { trainDays }),
    });
    process.stdout.write(report(summary, out, seconds));
    return 0;
  },
};

export default command;
