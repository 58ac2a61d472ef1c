// Least privilege through the _bulk proxy: which actions and target indices a shipper may use; the rest is refused per item.
import type { BulkAction, BulkItem } from './bulk-ndjson.js';

export interface BulkPolicy {
  /** Actions forwarded; any other is refused. Default: index and create only (a shipper appends events). */
  actions: readonly BulkAction[];
  /** Index name patterns (`*` matches any run of characters) a shipper may write; default every non-hidden index. */
  indexPatterns: readonly string[];
}

function patternRegex(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`, 's');
}

/** Compiles a policy once; `refusal` says why an item may not be forwarded, or null when it may. */
export function compileBulkPolicy(policy: BulkPolicy): (item: BulkItem) => string | null {
  const actions = new Set<string>(policy.actions);
  const patterns = policy.indexPatterns.map(patternRegex);
  return (item) => {
    if (!actions.has(item.action)) return `action [${item.action}] is not allowed through the SeqSentry proxy (allowed: ${[...actions].join(', ')})`;
    const index = item.index;
    if (index === undefined || index === '') return `no target index: name one in the action's _index or in the path`;
    // System and hidden indices (.seqsentry-state, .plugins-ml-*, .opendistro-*) are never a shipper's to write.
    if (index.startsWith('.')) return `index [${index}] is a system or hidden index; the proxy never writes to those`;
    if (/[*,]/.test(index)) return `index [${index}] names several indices; name one`;
    if (!patterns.some((re) => re.test(index))) return `index [${index}] matches none of the allowed index patterns (${policy.indexPatterns.join(', ')})`;
    return null;
  };
}

/** Why an item is not forwarded: a policy refusal (403) or a document OpenSearch would reject itself (400). */
export interface Refusal {
  status: 400 | 403;
  type: string;
  reason: string;
}

export const policyRefusal = (reason: string): Refusal => ({ status: 403, type: 'security_exception', reason });

/** The bulk response item OpenSearch itself gives for a refused write. */
export function refusedItem(item: BulkItem, refusal: Refusal): Record<string, unknown> {
  return { [item.action]: { _index: item.index ?? null, status: refusal.status, error: { type: refusal.type, reason: refusal.reason } } };
}

/**
 * 1-based numbers of the body's lines that are not valid UTF-8 (empty when all are). Decoding would turn them into
 * U+FFFD silently, so the document written would not be the one sent; OpenSearch itself rejects such a line.
 */
export function invalidUtf8Lines(body: Buffer): Set<number> {
  const bad = new Set<number>();
  const strict = new TextDecoder('utf-8', { fatal: true });
  try {
    strict.decode(body);
    return bad;
  } catch {
    // find the lines: 0x0A never occurs inside a UTF-8 sequence, so splitting the bytes on it is safe
  }
  let start = 0;
  for (let line = 1; start <= body.length; line++) {
    let end = body.indexOf(0x0a, start);
    if (end < 0) end = body.length;
    try {
      strict.decode(body.subarray(start, end));
    } catch {
      bad.add(line);
    }
    start = end + 1;
  }
  return bad;
}
