// Options shared by the commands that read log files through an adapter.
import { ADAPTERS } from '../adapters/registry.js';
import { UsageError } from '../core/errors.js';
import type { OptionSpecs } from './command.js';

/** `--adapter-options`, shared by every command that reads logs through an adapter. */
export const ADAPTER_OPTIONS_OPTION = {
  type: 'string',
  help: 'JSON  adapter options, e.g. an ECS field map {"fields":{"user":["user.id"]}} or the year of year-less syslog times {"year":2024}',
} as const;

export const INPUT_OPTIONS = {
  format: { type: 'string', help: `FORMAT  input format: ${Object.keys(ADAPTERS).join(' | ')}` },
  input: { type: 'string', multiple: true, short: 'i', help: 'FILE  input log file (repeatable; .gz allowed)' },
  'adapter-options': ADAPTER_OPTIONS_OPTION,
  strict: { type: 'boolean', default: false, help: 'stop at the first unreadable record instead of counting it' },
} as const satisfies OptionSpecs;

export function parseJsonOption(value: string | undefined, name: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new UsageError(`--${name}: ${(err as Error).message}`);
  }
}
