// Adapter options (from --adapter-options or a bundle's adapter_options) checked once, at the boundary.
import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';

/** The options as the schema types them; a bad or unknown key is a ConfigError naming it (`adapter_options.year`). */
export function parseAdapterOptions<S extends z.ZodType>(schema: S, options: Record<string, unknown>): z.infer<S> {
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`adapter_options.${issue?.path.join('.') ?? ''}`, issue?.message ?? 'invalid');
  }
  return parsed.data;
}
