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

/** Why an item may not be forwarded, or null when it may. */
export type BulkRefusal = (item: BulkItem) => string | null;

/** Why a caller may not name an index (to write it, or to read an entity's history from it), or null when it may. */
export type IndexRefusal = (index: string) => string | null;

/** The indices a shipper may name: one plain, non-hidden index of the allowed patterns. */
export function compileIndexPolicy(indexPatterns: readonly string[]): IndexRefusal {
  const patterns = indexPatterns.map(patternRegex);
  return (index) => {
    // System and hidden indices (.seqsentry-state, .plugins-ml-*, .opendistro-*) are never a shipper's.
    if (index.startsWith('.')) return `index [${index}] is a system or hidden index; the sidecar never lets a caller name those`;
    // Date math (`<logs-{now/d}>`, `<.seqsentry-state>`) is resolved by OpenSearch after this check, to any name: a
    // hidden one too. A remote cluster's index (`cluster:index`) is another cluster's to guard.
    if (index.startsWith('<')) return `index [${index}] is a date math expression; the sidecar checks only plain index names, name the index itself`;
    if (index.includes(':')) return `index [${index}] names a remote cluster's index; the sidecar works only with its own cluster`;
    if (/[*,]/.test(index)) return `index [${index}] names several indices; name one`;
    if (!patterns.some((re) => re.test(index))) return `index [${index}] matches none of the allowed index patterns (${indexPatterns.join(', ')})`;
    return null;
  };
}

/** Compiles a policy once, at start-up. */
export function compileBulkPolicy(policy: BulkPolicy): BulkRefusal {
  const actions = new Set<string>(policy.actions);
  const indexRefusal = compileIndexPolicy(policy.indexPatterns);
  return (item) => {
    if (!actions.has(item.action)) return `action [${item.action}] is not allowed through the SeqSentry proxy (allowed: ${[...actions].join(', ')})`;
    const index = item.index;
    if (index === undefined || index === '') return `no target index: name one in the action's _index or in the path`;
    return indexRefusal(index);
  };
}

/** Why an item is not forwarded: a policy refusal (403), a document OpenSearch would reject itself (400), or one too large for it ever to take (413). */
export interface Refusal {
  status: 400 | 403 | 413;
  type: string;
  reason: string;
}

export const policyRefusal = (reason: string): Refusal => ({ status: 403, type: 'security_exception', reason });

/** The bulk response item OpenSearch itself gives for a refused write. */
export function refusedItem(item: BulkItem, refusal: Refusal): Record<string, unknown> {
  return { [item.action]: { _index: item.index ?? null, status: refusal.status, error: { type: refusal.type, reason: refusal.reason } } };
}
