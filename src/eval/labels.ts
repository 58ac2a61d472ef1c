// Red-team labels in LANL format (`time,user@domain,src_computer,dst_computer`), and matching events to them.
import { SeqSentryError } from '../core/errors.js';
import { readLines } from './lines.js';

/** A label file line that is not `time,user,src,dst`; names the file and line. */
export class LabelFileError extends SeqSentryError {
  constructor(readonly file: string, readonly line: number, reason: string) {
    super(`labels ${file}:${line}: ${reason}`);
  }
}

export interface Labels {
  file: string;
  /** Non-blank label lines (duplicates counted: LANL's redteam.txt repeats a few). */
  lines: number;
  /** Label key → how many lines carry it. */
  keys: Map<string, number>;
}

/**
 * The matching key of the contract: time, user, source host, destination host must all be equal.
 * Time goes through Number so `150885`, `150885.0` and 150885 agree.
 */
export function labelKey(time: number, user: string | undefined, srcHost: string | undefined, dstHost: string | undefined): string | undefined {
  if (user === undefined || srcHost === undefined || dstHost === undefined || !Number.isFinite(time)) return undefined;
  return `${String(time)}\u0000${user}\u0000${srcHost}\u0000${dstHost}`;
}

/** The key of a scored event, from the contract's `entities` names. */
export function eventLabelKey(time: number, entities: Record<string, string>): string | undefined {
  return labelKey(time, entities.user, entities.src_host, entities.dst_host);
}

export async function readLabels(file: string): Promise<Labels> {
  const keys = new Map<string, number>();
  let lineNo = 0;
  let lines = 0;
  for await (const text of readLines(file)) {
    lineNo += 1;
    if (text.trim() === '') continue;
    const cols = text.split(',');
    if (cols.length !== 4) throw new LabelFileError(file, lineNo, `expected 4 comma-separated columns (time,user@domain,src,dst), found ${cols.length}`);
    const [timeText, user, src, dst] = cols as [string, string, string, string];
    const time = Number(timeText);
    if (timeText.trim() === '' || !Number.isFinite(time)) throw new LabelFileError(file, lineNo, `time is not a number: "${timeText}"`);
    if (user === '' || src === '' || dst === '') throw new LabelFileError(file, lineNo, 'empty user, source or destination');
    const key = labelKey(time, user, src, dst) as string;
    keys.set(key, (keys.get(key) ?? 0) + 1);
    lines += 1;
  }
  return { file, lines, keys };
}

/** The users named by any label line. */
export function labelledUsers(labels: Labels): Set<string> {
  return new Set([...labels.keys.keys()].map((key) => key.split('\u0000')[1] as string));
}

/** How many label lines have a key in `matched` (lines, not distinct keys, to compare with `lines`). */
export function matchedLines(labels: Labels, matched: Iterable<string>): number {
  let n = 0;
  for (const key of matched) n += labels.keys.get(key) ?? 0;
  return n;
}
