// Polls a bundle directory's bundle.json and says when it changed: its mtime and size first (a stat per poll),
// then, when they moved, the sha256 of its content, so a touched but identical manifest does not reload.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { logger } from '../util/log.js';

export interface BundleFingerprint {
  mtimeMs: number;
  size: number;
  sha256: string;
}

const log = logger.child({ component: 'bundle-watch' });

/** bundle.json's mtime and content hash; null when it cannot be read (being replaced, or gone). */
export async function bundleFingerprint(dir: string, previous: BundleFingerprint | null = null): Promise<BundleFingerprint | null> {
  const file = join(dir, 'bundle.json');
  try {
    const { mtimeMs, size } = await stat(file);
    if (previous && previous.mtimeMs === mtimeMs && previous.size === size) return previous;
    const sha256 = createHash('sha256').update(await readFile(file)).digest('hex');
    return { mtimeMs, size, sha256 };
  } catch (err) {
    log.debug({ file, err: (err as Error).message }, 'bundle.json not readable this poll');
    return null;
  }
}

export interface BundleWatch {
  stop(): void;
}

/**
 * Calls `onChange` when bundle.json's content differs from `initial`'s, one call at a time (a poll never overlaps
 * a running onChange). The fingerprint seen is remembered whether onChange succeeds or not: a refused bundle is
 * tried again only once bundle.json changes again.
 */
export function watchBundle(dir: string, intervalMs: number, initial: BundleFingerprint | null, onChange: () => Promise<void>): BundleWatch {
  let seen = initial;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const poll = async () => {
    const now = await bundleFingerprint(dir, seen);
    // Stopped while reading: no reload may start after the stop (shutdown is closing the models).
    if (stopped) return;
    if (now && (!seen || now.sha256 !== seen.sha256)) {
      seen = now;
      await onChange().catch((err: unknown) => log.error({ err, dir }, 'bundle change not applied'));
    } else if (now) {
      seen = now;
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void poll().finally(schedule), intervalMs);
    timer.unref();
  };
  schedule();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
