// Options shared by the commands that read log files through an adapter.
import { UsageError } from '../core/errors.js';
import type { OptionSpecs } from './command.js';

export const INPUT_OPTIONS = {
  format: { type: 'string', help: 'FORMAT  input format: lanl | ecs' },
  input: { type: 'string', multiple: true, short: 'i', help: 'FILE  input log file (repeatable; .gz allowed)' },
  'adapter-options': { type: 'string', help: 'JSON  adapter options, e.g. an ECS field map {"fields":{"user":["user.id"]}}' },
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
