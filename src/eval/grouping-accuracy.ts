// Grouping accuracy of a log parser, as the loghub benchmark scores one (Zhu et al., ICSE-SEIP 2019): the share of
// messages whose parsed group holds exactly the messages of their ground-truth template, no more and no fewer. A
// group split in two, or two templates merged, counts every message in them as wrong.
import { readFile } from 'node:fs/promises';
import { SeqSentryError } from '../core/errors.js';

export interface GroupingAccuracy {
  accuracy: number;
  correct: number;
  total: number;
  truthGroups: number;
  parsedGroups: number;
}

/** `truth[i]` and `parsed[i]` are message i's ground-truth template id and parsed group. */
export function groupingAccuracy(truth: readonly string[], parsed: readonly string[]): GroupingAccuracy {
  if (truth.length !== parsed.length) throw new SeqSentryError(`grouping accuracy: ${truth.length} ground-truth labels for ${parsed.length} parsed messages`);
  const truthSize = new Map<string, number>();
  for (const t of truth) truthSize.set(t, (truthSize.get(t) ?? 0) + 1);
  // per parsed group: its size and the one ground-truth id all its members share (null once two differ)
  const groups = new Map<string, { size: number; truth: string | null }>();
  parsed.forEach((p, i) => {
    const g = groups.get(p);
    const t = truth[i] as string;
    if (!g) groups.set(p, { size: 1, truth: t });
    else {
      g.size += 1;
      if (g.truth !== t) g.truth = null;
    }
  });
  let correct = 0;
  for (const g of groups.values()) if (g.truth !== null && truthSize.get(g.truth) === g.size) correct += g.size;
  return { accuracy: truth.length ? correct / truth.length : 1, correct, total: truth.length, truthGroups: truthSize.size, parsedGroups: groups.size };
}

/** One CSV line's fields (RFC 4180 quoting: `"a, b"`, `""` for a quote inside). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') { v += '"'; i += 2; }
        else if (line[i] === '"') { i++; break; }
        else v += line[i++];
      }
      out.push(v);
      i++; // the comma after the closing quote
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
}

/**
 * A loghub `*_structured.csv`: per log line, its message (`Content`), ground-truth template id (`EventId`) and the
 * program loghub read (`Component`, with a PAM module in parentheses: `sshd(pam_unix)`).
 */
export async function readLoghubStructured(path: string): Promise<Array<{ content: string; eventId: string; component: string }>> {
  const [header, ...rows] = (await readFile(path, 'utf8')).split(/\r?\n/).filter((l) => l !== '');
  const names = csvFields(header ?? '');
  const content = names.indexOf('Content');
  const eventId = names.indexOf('EventId');
  const component = names.indexOf('Component');
  if (content < 0 || eventId < 0) throw new SeqSentryError(`${path}: line 1: no Content and EventId columns (loghub structured CSV)`);
  return rows.map((row, i) => {
    const f = csvFields(row);
    if (f.length !== names.length) throw new SeqSentryError(`${path}: line ${i + 2}: ${f.length} fields, the header has ${names.length}`);
    return { content: f[content] as string, eventId: f[eventId] as string, component: component < 0 ? '' : (f[component] as string) };
  });
}
