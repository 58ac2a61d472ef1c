// The shape every `seqsentry <command>` module exports, and the shared option parsing with --help.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../core/errors.js';

export interface Command {
  name: string;
  summary: string;
  /** Runs the command; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  default?: string | boolean | string[];
  /** One line for --help; the value placeholder comes first, e.g. 'FILE  input file'. */
  help: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

type Parsed<S extends OptionSpecs> = {
  [K in keyof S]: S[K]['type'] extends 'boolean' ? boolean : S[K]['multiple'] extends true ? string[] : string | undefined;
};

export function helpText(usage: string, summary: string, specs: OptionSpecs): string {
  const lines = [`Usage: ${usage}`, '', summary, '', 'Options:'];
  for (const [name, spec] of Object.entries(specs)) {
    const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}`;
    const dflt = spec.default !== undefined && spec.default !== false ? ` (default: ${String(spec.default)})` : '';
    lines.push(`  ${flag.padEnd(22)} ${spec.help}${dflt}`);
  }
  lines.push(`  ${'-h, --help'.padEnd(22)} show this help`);
  return lines.join('\n');
}

/**
 * Parses argv against specs. Returns null when --help was asked (help already printed).
 * Unknown options and missing values raise a UsageError naming the option.
 */
export function parseOptions<S extends OptionSpecs>(
  argv: string[],
  usage: string,
  summary: string,
  specs: S,
): { values: Parsed<S>; positionals: string[] } | null {
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, spec] of Object.entries(specs)) {
    options[name] = { type: spec.type, ...(spec.multiple ? { multiple: true } : {}), ...(spec.short ? { short: spec.short } : {}) };
    if (spec.default !== undefined) (options[name] as { default?: unknown }).default = spec.default;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: withNegativeValues(argv, specs), options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${helpText(usage, summary, specs)}`);
  }
  if (parsed.values.help) {
    process.stdout.write(helpText(usage, summary, specs) + '\n');
    return null;
  }
  return { values: parsed.values as Parsed<S>, positionals: parsed.positionals };
}

/**
 * A value option followed by a negative number (`--seed -1`, `-s -1`) joined into one argument (`--seed=-1`): Node's
 * parser would read `-1` as an option of its own and refuse the line as ambiguous.
 */
function withNegativeValues(argv: readonly string[], specs: OptionSpecs): string[] {
  /** The long name of a value option written `--name` or `-s`, else undefined. */
  const valueOption = (arg: string): string | undefined => {
    const long = /^--([^=]+)$/.exec(arg)?.[1];
    const name = long ?? Object.entries(specs).find(([, s]) => s.short !== undefined && arg === `-${s.short}`)?.[0];
    return name !== undefined && specs[name]?.type === 'string' ? name : undefined;
  };
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') return [...out, ...argv.slice(i)];
    const next = argv[i + 1];
    const name = next !== undefined && /^-\d/.test(next) ? valueOption(arg) : undefined;
    if (name !== undefined) {
      out.push(`--${name}=${next}`);
      i += 1;
    } else out.push(arg);
  }
  return out;
}

/** Fails with a UsageError when a required option is absent. */
export function required<T>(value: T | undefined, name: string): T {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) throw new UsageError(`missing required option --${name}`);
  return value;
}

/** Parses an integer option, naming the option in the error. */
/** An anomaly_score option: a number in [0, 1]. */
export function scoreOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n <= 1)) throw new UsageError(`--${name} must be an anomaly_score in [0, 1], got "${value}"`);
  return n;
}

/**
 * The daily alert budget option (`--budget R|off`): a rate in (0, 1), null for off, undefined when absent (the
 * bundle's acceptance rate).
 */
export function budgetOption(value: string | undefined, name = 'budget'): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'off') return null;
  const n = Number(value);
  if (value.trim() === '' || !(n > 0 && n < 1)) throw new UsageError(`--${name} must be a rate in (0, 1) or "off", got "${value}"`);
  return n;
}

export function intOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} must be an integer, got "${value}"`);
  return n;
}
