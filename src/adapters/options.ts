// Adapter options (from --adapter-options or a bundle's adapter_options) checked once, at the boundary.
import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';

/** The options as the schema types them; a bad or unknown key is a ConfigError naming it (`adapter_options.year`). */
export function parseAdapterOptions<S extends z.ZodType>(schema: S, options: Record<string, unknown>): z.infer<S> {
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // An unknown key is named by the key itself (zod puts it in `keys`, its path is the object's).
    const path = [...(issue?.path ?? []), ...(issue?.code === 'unrecognized_keys' ? [issue.keys[0]] : [])].join('.');
    throw new ConfigError(`adapter_options${path ? `.${path}` : ''}`, issue?.message ?? 'invalid');
  }
  return parsed.data;
}
