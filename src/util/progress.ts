// Progress reporting: a redrawn bar on a TTY, a structured log line now and then otherwise.
import { logger } from './log.js';

export interface Progress {
  update(done: number, total?: number, note?: string): void;
  finish(note?: string): void;
}

const LOG_EVERY_MS = 10_000;
const WIDTH = 30;

class TtyBar implements Progress {
  private last = 0;
  constructor(private readonly label: string, private readonly stream: NodeJS.WriteStream) {}

  update(done: number, total?: number, note = ''): void {
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    let bar = '';
    if (total && total > 0) {
      const frac = Math.min(1, done / total);
      const filled = Math.round(frac * WIDTH);
      bar = `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% `;
    }
    this.stream.write(`\r${this.label} ${bar}${done}${total ? `/${total}` : ''} ${note}\x1b[K`);
  }

  finish(note = ''): void {
    this.last = 0;
    this.stream.write(`\r${this.label} done ${note}\x1b[K\n`);
  }
}

class LogProgress implements Progress {
  private last = Date.now();
  constructor(private readonly label: string) {}

  update(done: number, total?: number, note?: string): void {
    const now = Date.now();
    if (now - this.last < LOG_EVERY_MS) return;
    this.last = now;
    logger.info({ task: this.label, done, total, note }, 'progress');
  }

  finish(note?: string): void {
    logger.info({ task: this.label, note }, 'finished');
  }
}

/** A bar when stderr is a terminal, periodic log lines when it is not (CI, services). */
export function progress(label: string): Progress {
  return process.stderr.isTTY ? new TtyBar(label, process.stderr) : new LogProgress(label);
}
