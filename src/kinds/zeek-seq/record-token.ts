// The zeek-seq kind's per-record token: what one Zeek record (conn, dns, http, ssl, ...) of a connection becomes
// before the transformer reads it. Tokenizers are swappable (a bundle names the one it was trained with); each is
// fitted on training records only and saved in the bundle as JSON parameters.
import { z } from 'zod';
import { ModelLoadError } from '../../core/errors.js';
import type { CanonicalEvent } from '../../core/event.js';
import { ZEEK_FIELDS, type ZeekField } from '../../adapters/zeek-fields.js';
import { bool, type ZeekRecord } from '../../adapters/zeek-values.js';

export interface RecordTokenizer {
  readonly name: string;
  token(event: CanonicalEvent): string;
}

/** A tokenizer's trainer: sees every training record once, then gives the JSON parameters a bundle stores. */
export interface RecordTokenizerFit {
  add(event: CanonicalEvent): void;
  /** The parameters (or a promise of them: the cluster tokenizer clusters in Python). */
  parameters(): unknown;
}

export interface RecordTokenizerEntry {
  fit(options: { minCount: number }): RecordTokenizerFit;
  /** Opens a tokenizer from its saved parameters; `where` names the file in errors. */
  open(parameters: unknown, where: string): RecordTokenizer;
}

const LOG_TYPE = ZEEK_FIELDS.indexOf('log_type');

/**
 * Per log type, the cleaned fields that say what a record *is* (protocol, direction, service, outcome), not how big
 * or long it was: magnitudes make near-unique tuples, which the rare-token cutoff would then throw away.
 */
const TUPLE_FIELDS: Readonly<Record<string, readonly ZeekField[]>> = Object.freeze({
  conn: ['action', 'service', 'src_scope', 'dst_scope', 'dst_port', 'state'],
  dns: ['action', 'code', 'outcome'],
  http: ['action', 'code', 'agent', 'mime'],
  ssl: ['version', 'cipher', 'cert', 'outcome', 'detail'],
  x509: ['cipher', 'cert'],
  files: ['action', 'mime'],
  kerberos: ['action', 'outcome', 'code'],
  ntlm: ['outcome', 'code'],
  smb_files: ['action', 'detail'],
  smb_mapping: ['action', 'detail'],
  dce_rpc: ['action', 'detail'],
  rdp: ['outcome', 'version', 'agent'],
  ssh: ['outcome', 'version', 'agent'],
  weird: ['action'],
  notice: ['action'],
});
const DEFAULT_TUPLE: readonly ZeekField[] = ['action', 'outcome', 'code'];

const tupleIndexes: Readonly<Record<string, readonly number[]>> = Object.freeze(
  Object.fromEntries(Object.entries(TUPLE_FIELDS).map(([t, fs]) => [t, fs.map((f) => ZEEK_FIELDS.indexOf(f))])),
);
const defaultIndexes = DEFAULT_TUPLE.map((f) => ZEEK_FIELDS.indexOf(f));

/**
 * Which side started the connection, from Zeek's own `local_orig` (Site::local_nets; the issue's "local/remote"):
 * `local`, `remote`, or `?` where the record does not say (every log but conn). An address's scope cannot tell this:
 * a site on public addresses is `public` on both sides either way. The responder's side (`local_resp`) is left out:
 * whether a server counts as local follows how completely the operator listed the site's networks, where who opened
 * the connection does not.
 */
export function initiator(event: CanonicalEvent): string {
  const rec = event.raw as ZeekRecord | null;
  const orig = rec && typeof rec === 'object' ? bool(rec, 'local_orig') : undefined;
  return orig === undefined ? '?' : orig ? 'local' : 'remote';
}

/** What a rare tuple backs off to: its log type and initiator (a rare inbound conn is not a rare outbound one). */
function head(event: CanonicalEvent): string {
  return `${event.fields[LOG_TYPE] ?? '?'}|${initiator(event)}`;
}

/** The record's full tuple: `logtype|initiator|v1|v2|...` over its log type's telling fields. */
export function recordTuple(event: CanonicalEvent): string {
  const idx = tupleIndexes[event.fields[LOG_TYPE] ?? '?'] ?? defaultIndexes;
  let s = head(event);
  for (const i of idx) s += '|' + (event.fields[i] ?? '?');
  return s;
}

/** The tuple's parts apart: its log type, then the initiator and the telling fields' values (record-novelty.ts). */
export function recordParts(event: CanonicalEvent): { logType: string; parts: string[] } {
  const logType = event.fields[LOG_TYPE] ?? '?';
  const idx = tupleIndexes[logType] ?? defaultIndexes;
  return { logType, parts: [initiator(event), ...idx.map((i) => event.fields[i] ?? '?')] };
}

/**
 * The token of a tuple seen too rarely in training: one per log type and initiator. Training's own rare tuples
 * give it its mass (the share of novel tuples a normal day has); an initiator never seen in training has none.
 */
export const rareToken = (event: CanonicalEvent): string => `${head(event)}|<rare>`;

const TupleParameters = z.object({ tokenizer: z.literal('tuple'), min_count: z.number().int().min(1), kept: z.array(z.string()) }).strict();

class TupleTokenizer implements RecordTokenizer {
  readonly name = 'tuple';
  private readonly kept: ReadonlySet<string>;
  constructor(kept: readonly string[]) {
    this.kept = new Set(kept);
  }
  token(event: CanonicalEvent): string {
    const t = recordTuple(event);
    return this.kept.has(t) ? t : rareToken(event);
  }
}

export const TUPLE_TOKENIZER: RecordTokenizerEntry = {
  fit({ minCount }) {
    const counts = new Map<string, number>();
    return {
      add(event) {
        const t = recordTuple(event);
        counts.set(t, (counts.get(t) ?? 0) + 1);
      },
      parameters() {
        // Sorted, so the same training records give the same parameters file whatever their order.
        const kept = [...counts].filter(([, n]) => n >= minCount).map(([t]) => t).sort();
        return { tokenizer: 'tuple', min_count: minCount, kept };
      },
    };
  },
  open(parameters, where) {
    const p = TupleParameters.safeParse(parameters);
    if (!p.success) throw new ModelLoadError(where, `not tuple tokenizer parameters: ${p.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    return new TupleTokenizer(p.data.kept);
  },
};

