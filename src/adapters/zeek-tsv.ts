// Zeek's TSV log format (the ASCII writer): `#separator`, `#set_separator`, `#empty_field`, `#unset_field`, `#path`,
// `#fields`, `#types`, `#open`/`#close` headers, then one record per line. The headers are state of a file, so the
// reader keeps one state per source, and a file may start over (rotated logs concatenated: a new header block).
import { AdapterError } from '../core/errors.js';
import type { SourceRef } from '../core/event.js';
import type { ZeekRecord } from './zeek-values.js';

interface Header {
  separator: string;
  setSeparator: string;
  empty: string;
  unset: string;
  path: string | undefined;
  fields: string[] | undefined;
  /** Per field, whether its type is a container (`set[...]`, `vector[...]`): its text is split on the set separator. */
  containers: boolean[];
  /** The last line read: a line number not after it means the file is being read again from its start. */
  line: number;
}

export type TsvLine = { header: true } | { header?: undefined; record: ZeekRecord; path: string | undefined };

function freshHeader(): Header {
  // Zeek's defaults, in force until a file's own headers say otherwise.
  return { separator: '\t', setSeparator: ',', empty: '(empty)', unset: '-', path: undefined, fields: undefined, containers: [], line: 0 };
}

/** Zeek writes bytes that are not printable, or are its separator, as `\xNN`, and a backslash as `\\`. */
function unescape(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\(?:x([0-9a-fA-F]{2})|\\)/g, (_, hex: string | undefined) => (hex === undefined ? '\\' : String.fromCharCode(parseInt(hex, 16))));
}

/** Reads the TSV logs of any number of sources, one header state per source. */
export class ZeekTsvReader {
  private readonly headers = new Map<string, Header>();

  /** Whether a line is Zeek TSV rather than JSON: a header, or not an object. */
  static looksLikeTsv(line: string): boolean {
    return !line.trimStart().startsWith('{');
  }

  /** The path (log type) the current header block of `file` names, if it named one. */
  pathOf(file: string): string | undefined {
    return this.headers.get(file)?.path;
  }

  read(line: string, source: SourceRef): TsvLine {
    let h = this.headers.get(source.file);
    if (!h || source.line <= h.line) {
      h = freshHeader();
      this.headers.set(source.file, h);
    }
    h.line = source.line;
    if (line.startsWith('#')) {
      this.header(h, line, source);
      return { header: true };
    }
    if (!h.fields) throw new AdapterError(source.file, source.line, 'a record before the #fields header: not a Zeek TSV log', '#fields');
    const values = line.split(h.separator);
    if (values.length !== h.fields.length) {
      throw new AdapterError(source.file, source.line, `${values.length} values for the ${h.fields.length} names of #fields`, '#fields');
    }
    const record: Record<string, unknown> = {};
    h.fields.forEach((name, i) => {
      const v = values[i] as string;
      if (v === h.unset) record[name] = null;
      else if (h.containers[i]) record[name] = v === h.empty ? [] : v.split(h.setSeparator).map(unescape);
      else record[name] = v === h.empty ? '' : unescape(v);
    });
    return { record, path: h.path };
  }

  private header(h: Header, line: string, source: SourceRef): void {
    // `#separator` is itself written with a space and the separator escaped (`#separator \x09`).
    const sep = /^#separator[ \t](.*)$/.exec(line);
    if (sep) {
      const s = unescape(sep[1] as string);
      if (s === '') throw new AdapterError(source.file, source.line, 'empty separator', '#separator');
      // a new header block: the names and types of the block before no longer apply
      Object.assign(h, freshHeader(), { separator: s, line: h.line });
      return;
    }
    const at = line.indexOf(h.separator);
    const key = at < 0 ? line : line.slice(0, at);
    const rest = at < 0 ? [] : line.slice(at + h.separator.length).split(h.separator);
    switch (key) {
      case '#set_separator':
        h.setSeparator = unescape(rest[0] ?? ',');
        break;
      case '#empty_field':
        h.empty = rest[0] ?? '(empty)';
        break;
      case '#unset_field':
        h.unset = rest[0] ?? '-';
        break;
      case '#path':
        h.path = rest[0];
        break;
      case '#fields':
        if (rest.length === 0 || rest.some((f) => f === '')) throw new AdapterError(source.file, source.line, 'no field names, or an empty one', '#fields');
        h.fields = rest;
        h.containers = rest.map(() => false);
        break;
      case '#types':
        if (h.fields && rest.length !== h.fields.length) throw new AdapterError(source.file, source.line, `${rest.length} types for ${h.fields.length} fields`, '#types');
        h.containers = rest.map((t) => /^(?:set|vector|table)\[/.test(t));
        break;
      default:
        // `#open`, `#close` and comments carry nothing a record needs
        break;
    }
  }
}
