// Polls a bundle directory's bundle.json and says when it changed: its mtime and size first (a stat per poll),
// then, when they moved, the sha256 of its content, so a touched but identical manifest does not reload. After a
// refused bundle it also watches the directory's other files, so a bundle copied in the wrong order (bundle.json
// before model.onnx) is tried again once the rest has arrived.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
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

/** Files of the bundle directory (its subfolders too: a cascade's screen) that a refused bundle's retry watches, at most. */
export const MAX_WATCHED_FILES = 256;

/**
 * Every file under the directory with its size and mtime, in name order, one string: what changes when any file of
 * the bundle is written, added or removed. Null when the directory cannot be read; at most MAX_WATCHED_FILES files.
 */
export async function directorySignature(dir: string): Promise<string | null> {
  try {
    const names = (await readdir(dir, { recursive: true })).sort().slice(0, MAX_WATCHED_FILES);
    const parts = await Promise.all(names.map(async (name) => {
      try {
        const s = await stat(join(dir, name));
        return s.isFile() ? `${name}\u0000${s.size}\u0000${s.mtimeMs}` : '';
      } catch {
        return `${name}\u0000gone`; // removed between the listing and the stat: a change in progress
      }
    }));
    return parts.join('\n');
  } catch (err) {
    log.debug({ dir, err: (err as Error).message }, 'bundle directory not readable this poll');
    return null;
  }
}

export interface BundleWatch {
  stop(): void;
  /** Another trigger (an admin's reload) switched to the bundle now in the folder: it is not loaded again. */
  switched(): Promise<void>;
}

/** How long the files of a refused bundle must stay the same before it is tried again (a copy may pause between writes). */
export const SETTLE_MS = 2_000;

/**
 * When a bundle directory is worth loading again: bundle.json's content differs from what was last seen, or, after
 * a refused bundle, another file of the directory has changed since the load that was refused began and has then
 * stayed the same for SETTLE_MS and one poll (a model.onnx still being copied is not tried at every poll, a copy that
 * finished while the load ran is). The caller asks `due()` once per poll and tells `tried()` what each load gave.
 */
export class BundleChanges {
  private seen: BundleFingerprint | null;
  /** The directory as it was when the load `due` called for began. */
  private loading: string | null = null;
  /** After a refusal: the directory as it was when the refused load began, as the last poll saw it, and since when. */
  private refused: { tried: string | null; previous: string | null; since: number } | null = null;

  /** `now`: milliseconds on a clock that never steps back (a wall clock set back an hour would hold a retry that long). */
  constructor(private readonly dir: string, initial: BundleFingerprint | null, private readonly now: () => number = () => performance.now()) {
    this.seen = initial;
  }

  async due(): Promise<boolean> {
    const now = await bundleFingerprint(this.dir, this.seen);
    if (now && (!this.seen || now.sha256 !== this.seen.sha256)) {
      this.seen = now;
      this.loading = await directorySignature(this.dir);
      return true;
    }
    if (now) this.seen = now;
    const refused = this.refused;
    if (!refused) return false;
    const files = await directorySignature(this.dir);
    if (files === null || files !== refused.previous) {
      refused.previous = files;
      refused.since = this.now();
      return false;
    }
    if (files === refused.tried || this.now() - refused.since < SETTLE_MS) return false;
    log.info({ dir: this.dir }, 'files of the refused bundle changed: trying it again');
    this.loading = files;
    return true;
  }

  /** Another trigger switched to the bundle as the folder holds it now: a refusal is over, and its manifest is seen. */
  async switchedElsewhere(): Promise<void> {
    this.refused = null;
    this.seen = (await bundleFingerprint(this.dir)) ?? this.seen;
  }

  /** The load `due` called for switched to the bundle (true) or refused it (false). */
  async tried(switched: boolean): Promise<void> {
    if (switched) {
      this.refused = null;
      return;
    }
    // Compared with the directory as the load found it: a file that arrived while it ran is a change.
    this.refused = { tried: this.loading, previous: this.loading, since: this.now() };
  }
}

/**
 * Calls `onChange` when the bundle is due to be loaded again (BundleChanges), one call at a time (a poll never
 * overlaps a running onChange); onChange resolves true when it switched to the bundle, false when it refused it.
 */
export function watchBundle(dir: string, intervalMs: number, initial: BundleFingerprint | null, onChange: () => Promise<boolean>): BundleWatch {
  const changes = new BundleChanges(dir, initial);
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const poll = async () => {
    const due = await changes.due();
    // Stopped while reading: no reload may start after the stop (shutdown is closing the models).
    if (stopped || !due) return;
    const switched = await onChange().catch((err: unknown) => {
      log.error({ err, dir }, 'bundle change not applied');
      return false;
    });
    await changes.tried(switched);
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
    switched: () => changes.switchedElsewhere(),
  };
}
