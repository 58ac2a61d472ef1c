// Reading JSON settings where they enter (a --config or --profile file, inline JSON) and naming the key a
// zod issue points at, shared by every loader so their errors read the same.
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';

/** Parses `text`; a syntax error is a ConfigError on `key` naming `source`. */
export function parseJsonText(text: string, key: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(key, `${source} is not JSON: ${(err as Error).message}`);
  }
}

/** Reads and parses a JSON file; an unreadable or malformed file is a ConfigError on `key`. */
export function readJsonFile(file: string, key: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(key, `cannot read ${file}: ${(err as Error).message}`);
  }
  return parseJsonText(text, key, file);
}

/** The dotted key a zod issue points at, with an unknown key named itself; `prefix` leads when given. */
export function issueKey(issue: z.core.$ZodIssue, prefix?: string): string {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys' && issue.keys.length) path.push(issue.keys[0] as string);
  return [...(prefix ? [prefix] : []), ...path].join('.') || '(root)';
}
