// Reading one Zeek record's values whatever wrote it: Zeek TSV (strings, `T`/`F`, sets split), Zeek JSON (`id.orig_h`,
// numbers, booleans, ISO or epoch `ts`), and shippers that flatten dots to underscores (OTRF's `id_orig_h`).
import { AdapterError } from '../core/errors.js';
import type { SourceRef } from '../core/event.js';
import { epochSeconds, isoSeconds, plausibleTime } from './time.js';

/** A record as the TSV reader or JSON.parse gives it: null for Zeek's unset `-`. */
export type ZeekRecord = Readonly<Record<string, unknown>>;

/** The value of `name` (`id.orig_h`), or its underscore spelling (`id_orig_h`) as some shippers write it. */
export function value(rec: ZeekRecord, name: string): unknown {
  const v = rec[name];
  if (v !== undefined) return v;
  return name.includes('.') ? rec[name.replaceAll('.', '_')] : undefined;
}

/** Text of a scalar, undefined for unset, empty or non-scalar values. */
export function str(rec: ZeekRecord, name: string): string | undefined {
  const v = value(rec, name);
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** A finite number (JSON number or TSV text), undefined otherwise. */
export function num(rec: ZeekRecord, name: string): number | undefined {
  const v = value(rec, name);
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** A Zeek bool: JSON true/false or TSV `T`/`F`; undefined when unset. */
export function bool(rec: ZeekRecord, name: string): boolean | undefined {
  const v = value(rec, name);
  if (typeof v === 'boolean') return v;
  if (v === 'T' || v === 'true') return true;
  if (v === 'F' || v === 'false') return false;
  return undefined;
}

/** A set or vector as a list of texts (a lone scalar as one item); [] when unset or `(empty)`. */
export function list(rec: ZeekRecord, name: string): string[] {
  const v = value(rec, name);
  if (Array.isArray(v)) return v.filter((x) => x !== null && x !== undefined).map(String);
  const s = str(rec, name);
  return s === undefined ? [] : [s];
}

/** ISO 8601 with Zeek's microseconds kept: Date.parse would round them to milliseconds, and TSV keeps all six. */
function isoMicros(text: string): number {
  const m = /^(.*T\d{2}:\d{2}:\d{2})[.,](\d{1,9})(.*)$/.exec(text);
  if (!m) return isoSeconds(text);
  const whole = isoSeconds(`${m[1]}${m[3]}`);
  return whole + Number(`0.${m[2]}`);
}

/**
 * Epoch seconds of a Zeek time: a number or decimal text (TSV, `json-logs` with epoch times) or ISO 8601 (Zeek's
 * default JSON, `2018-03-24T17:15:20.615923Z`). Throws a located error naming the field for anything else.
 */
export function zeekTime(rec: ZeekRecord, name: string, source: SourceRef): number {
  const v = value(rec, name);
  if (v === undefined || v === null) throw new AdapterError(source.file, source.line, 'no time', name);
  // Epoch numbers by magnitude: `JSON::TS_MILLIS` writes integer milliseconds.
  const t = typeof v === 'number' ? epochSeconds(v) : typeof v === 'string' && /^-?\d+(?:\.\d+)?$/.test(v) ? epochSeconds(Number(v)) : typeof v === 'string' ? isoMicros(v) : NaN;
  if (!Number.isFinite(t)) throw new AdapterError(source.file, source.line, `not a time: ${JSON.stringify(v).slice(0, 80)}`, name);
  return plausibleTime(t, v, source, name);
}
