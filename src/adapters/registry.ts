// The frozen registry of adapters, one file each: the only place a format name is resolved.
import { UsageError } from '../core/errors.js';
import type { CanonicalEvent } from '../core/event.js';
import type { Adapter, AdapterContext, AdapterFactory } from './adapter.js';
import { authlog } from './authlog.js';
import { ecs } from './ecs.js';
import { lanl } from './lanl.js';
import { syslog } from './syslog.js';
import { weblogin } from './weblogin.js';
import { windows } from './windows.js';
import { zeek } from './zeek.js';

export const ADAPTERS: Readonly<Record<string, AdapterFactory>> = Object.freeze({ lanl, ecs, windows, authlog, syslog, weblogin, zeek });

export function createAdapter(format: string, options?: Record<string, unknown>, context?: AdapterContext): Adapter {
  const factory = ADAPTERS[format];
  if (!factory) throw new UsageError(`unknown format "${format}" (known: ${Object.keys(ADAPTERS).join(', ')})`);
  return factory.create(options, context);
}

/**
 * The adapter options to train with: the given ones, plus what the format learns from the training events read
 * through `read` (syslog: its message templates), leaving out the events `heldOut` holds out; unchanged for a format
 * that learns nothing.
 */
/** Whether a format learns options from its training events (syslog's templates) before a model is trained. */
export function adapterLearns(format: string): boolean {
  return Object.hasOwn(ADAPTERS, format) && ADAPTERS[format]?.learn !== undefined;
}

export async function learnAdapterOptions(
  format: string,
  options: Record<string, unknown>,
  read: (adapter: Adapter) => AsyncIterable<CanonicalEvent>,
  heldOut?: (times: Float64Array) => (time: number) => boolean,
): Promise<{ options: Record<string, unknown>; summary?: string }> {
  const factory = ADAPTERS[format];
  if (!factory?.learn) return { options };
  return factory.learn(options, read(factory.create(options)), heldOut);
}
