// LANL "Comprehensive, Multi-Source Cyber-Security Events" auth.txt records (Kent 2015) as canonical events:
// CSV lines from files, or shipped documents whose `message` is such a line.
import { AdapterError } from '../core/errors.js';
import type { CanonicalEvent, SourceRef } from '../core/event.js';
import type { Adapter, AdapterFactory } from './adapter.js';
import { MAX_SECONDS } from './time.js';

/** time,src_user@domain,dst_user@domain,src_computer,dst_computer,auth_type,logon_type,auth_orientation,success[,label] */
const COLUMNS = ['time', 'src_user', 'dst_user', 'src_host', 'dst_host', 'auth_type', 'logon_type', 'auth_orientation', 'success'] as const;
const FIELD_NAMES = COLUMNS.slice(1);
const HEADER_PREFIX = 'time,';

function parseLine(line: string, source: SourceRef): CanonicalEvent | null {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (text.trim() === '' || text.startsWith(HEADER_PREFIX)) return null;
  const cols = text.split(',');
  // A 10th column is an optional label (safekit's `red`); anything else is a broken record.
  if (cols.length !== 9 && cols.length !== 10) {
    throw new AdapterError(source.file, source.line, `expected 9 comma-separated columns (10 with a label), found ${cols.length}`);
  }
  const time = Number(cols[0]);
  // Number() also takes " ", "0x10" and "1e3": a LANL time is digits (seconds), with an optional fraction.
  if (!/^-?\d+(\.\d+)?$/.test(cols[0] ?? '') || !Number.isFinite(time)) throw new AdapterError(source.file, source.line, `not a number: "${cols[0]?.slice(0, 40)}"`, 'time');
  // Seconds (LANL's are from the start of its recording): beyond year 9999 as Unix time is no time at all (a digit
  // run, a bad export), and would be dated after every real event.
  if (Math.abs(time) > MAX_SECONDS) throw new AdapterError(source.file, source.line, `not a time in seconds: "${cols[0]?.slice(0, 40)}" lies beyond the year 9999`, 'time');
  const fields = cols.slice(1, 9);
  fields.forEach((value, i) => {
    if (value === '') throw new AdapterError(source.file, source.line, 'empty value (LANL writes "?" for unknown)', FIELD_NAMES[i]);
  });
  const [srcUser, , srcHost, dstHost] = fields as [string, string, string, string];
  return {
    time,
    entities: { user: srcUser, src_host: srcHost, dst_host: dstHost },
    fields,
    raw: text,
    source,
  };
}

export const lanl: AdapterFactory = Object.freeze({
  name: 'lanl',
  summary: 'LANL auth CSV: time,src_user@domain,dst_user@domain,src_computer,dst_computer,auth_type,logon_type,auth_orientation,success[,label]; or JSON documents whose "message" is such a line',
  create(options: Record<string, unknown> = {}): Adapter {
    const unknown = Object.keys(options);
    if (unknown.length > 0) throw new AdapterError('lanl adapter options', 0, `unknown option(s): ${unknown.join(', ')}`);
    return {
      name: 'lanl',
      fieldNames: FIELD_NAMES,
      entityKey: 'user',
      entityNames: ['user', 'src_host', 'dst_host'],
      labelEntities: ['user', 'src_host', 'dst_host'],
      documentFields: null, // time and entities are inside the `message` line
      parse(record, source) {
        if (typeof record === 'string') return parseLine(record, source);
        // A shipper (rsyslog, Fluent Bit, the bulk proxy) sends the raw line as the document's `message`.
        const message = record.message;
        if (typeof message !== 'string') {
          throw new AdapterError(source.file, source.line, 'LANL records are CSV lines, or documents whose "message" holds one; this document has no string "message"', 'message');
        }
        const event = parseLine(message, source);
        if (!event) throw new AdapterError(source.file, source.line, 'the "message" is a LANL header or blank line, not an event', 'message');
        return event;
      },
    };
  },
});
