// The frozen registry of adapters, one file each: the only place a format name is resolved.
import { UsageError } from '../core/errors.js';
import type { Adapter, AdapterFactory } from './adapter.js';
import { authlog } from './authlog.js';
import { ecs } from './ecs.js';
import { lanl } from './lanl.js';
import { weblogin } from './weblogin.js';
import { windows } from './windows.js';
import { zeek } from './zeek.js';

export const ADAPTERS: Readonly<Record<string, AdapterFactory>> = Object.freeze({ lanl, ecs, windows, authlog, weblogin, zeek });

export function createAdapter(format: string, options?: Record<string, unknown>): Adapter {
  const factory = ADAPTERS[format];
  if (!factory) throw new UsageError(`unknown format "${format}" (known: ${Object.keys(ADAPTERS).join(', ')})`);
  return factory.create(options);
}
