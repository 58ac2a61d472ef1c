// Red-team labels, one event per line as `time,<entity values>` in the order the adapter's labelEntities names
// (LANL's redteam.txt: `time,user@domain,src_computer,dst_computer`), and matching events to them.
import { SeqSentryError } from '../core/errors.js';
import { readLines } from './lines.js';

/** A label file line that is not `time,<entity values>`; names the file and line. */
export class LabelFileError extends SeqSentryError {
  constructor(readonly file: string, readonly line: number, reason: string) {
    super(`labels ${file}:${line}: ${reason}`);
  }
}

export interface Labels {
  file: string;
  /** The entities whose values, after the time, make a line's key (the adapter's labelEntities). */
  entities: readonly string[];
  /** Non-blank label lines (duplicates counted: LANL's redteam.txt repeats a few). */
  lines: number;
  /** Label key → how many lines carry it. */
  keys: Map<string, number>;
}

/**
 * The matching key: the time and every key entity must be equal. Time goes through Number so `150885`,
 * `150885.0` and 150885 agree.
 */
export function labelKey(time: number, values: readonly (string | undefined)[]): string | undefined {
  if (!Number.isFinite(time) || values.some((v) => v === undefined)) return undefined;
  return [String(time), ...values].join('\u0000');
}

/** The key of a scored event: its values of the label file's entities. */
export function eventLabelKey(labels: Pick<Labels, 'entities'>, time: number, entities: Readonly<Record<string, string>>): string | undefined {
  return labelKey(time, labels.entities.map((e) => entities[e]));
}

/** Reads a label file whose lines are `time,<values of entities>`, e.g. an adapter's labelEntities. */
export async function readLabels(file: string, entities: readonly string[]): Promise<Labels> {
  const keys = new Map<string, number>();
  const columns = `time,${entities.join(',')}`;
  let lineNo = 0;
  let lines = 0;
  for await (const text of readLines(file)) {
    lineNo += 1;
    if (text.trim() === '') continue;
    const cols = text.split(',');
    if (cols.length !== entities.length + 1) throw new LabelFileError(file, lineNo, `expected ${entities.length + 1} comma-separated columns (${columns}), found ${cols.length}`);
    const [timeText, ...values] = cols as [string, ...string[]];
    const time = Number(timeText);
    if (timeText.trim() === '' || !Number.isFinite(time)) throw new LabelFileError(file, lineNo, `time is not a number: "${timeText}"`);
    const empty = values.findIndex((v) => v === '');
    if (empty >= 0) throw new LabelFileError(file, lineNo, `empty ${entities[empty]}`);
    const key = labelKey(time, values) as string;
    keys.set(key, (keys.get(key) ?? 0) + 1);
    lines += 1;
  }
  return { file, entities, lines, keys };
}

/** The values of one key entity (e.g. the users) named by any label line. */
export function labelledValues(labels: Labels, entity: string): Set<string> {
  const column = labels.entities.indexOf(entity);
  if (column < 0) throw new SeqSentryError(`labels ${labels.file}: no column for ${entity} (columns: time,${labels.entities.join(',')})`);
  return new Set([...labels.keys.keys()].map((key) => key.split('\u0000')[column + 1] as string));
}

/** How many label lines have a key in `matched` (lines, not distinct keys, to compare with `lines`). */
export function matchedLines(labels: Labels, matched: Iterable<string>): number {
  let n = 0;
  for (const key of matched) n += labels.keys.get(key) ?? 0;
  return n;
}
