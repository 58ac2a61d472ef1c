// Folders a signal removes before the process ends: a stopped training leaves no half-built bundle and no copy of
// the training events behind.
import { rmSync } from 'node:fs';

const scratch = new Set<string>();
let installed = false;

/** The signals that end a command run from a terminal or a service manager (SIGHUP: the terminal closed). */
const ENDING = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Removes `path` if one of ENDING arrives; returns the function that stops doing so (the work is done). */
export function removeOnSignal(path: string): () => void {
  scratch.add(path);
  if (!installed) {
    installed = true;
    for (const signal of ENDING) {
      process.once(signal, () => {
        for (const p of scratch) rmSync(p, { recursive: true, force: true });
        process.kill(process.pid, signal); // the default action now: the process ends as signalled
      });
    }
  }
  return () => scratch.delete(path);
}
