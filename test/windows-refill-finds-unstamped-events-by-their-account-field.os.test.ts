// Windows events whose TargetUserName is the user in some letter case carry no anomaly.entity stamp: the history
// refill finds them by a case-insensitive term query on that field instead. Against a real OpenSearch, with the
// content pack's mappings (keyword) and with dynamic ones (text + .keyword), the refill returns for every user
// exactly its scored events: stamped or not, written by this version or an older one that stamped every event,
// never an unscored or unreadable event, never one of another account that shares a word or a letter case.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { isNoEvent } from '../src/adapters/adapter.js';
import { createAdapter } from '../src/adapters/registry.js';
import type { CanonicalEvent } from '../src/core/event.js';
import { createOpenSearchClient } from '../src/opensearch/client.js';
import { OpenSearchConfigSchema } from '../src/opensearch/config.js';
import { createHistoryLoader, historyFieldsFor } from '../src/opensearch/history-loader.js';
import { stampFor } from '../src/service/entity-stamp.js';
import { ecsIndexBody } from './support/enrich-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';
import { deleteIndex, os, uniqueIndex } from './support/os-helpers.js';

const url = inject('opensearchUrl');
const adapter = createAdapter('windows');
const indices = { contentPack: uniqueIndex('winfold-keyword'), dynamic: uniqueIndex('winfold-dynamic') };

/** A Winlogbeat 4624 (or `id`) event numbered `n`, a minute apart, with these EventData fields. */
const winlogbeat = (n: number, data: Record<string, unknown>, id = 4624, top: Record<string, unknown> = {}): Record<string, unknown> => ({
  '@timestamp': new Date(Date.UTC(2024, 0, 1, 9, n)).toISOString(),
  winlog: { event_id: String(id), record_id: String(n), channel: 'Security', provider_name: 'Microsoft-Windows-Security-Auditing', computer_name: 'C586.corp.local', event_data: { TargetDomainName: 'DOM1', WorkstationName: 'C17', LogonType: '3', ...data } },
  ...top,
});

type Kind = 'scored' | 'scored by an older version' | 'unscored' | 'unreadable';
const DOCS: Array<{ doc: Record<string, unknown>; kind: Kind }> = [
  { doc: winlogbeat(1, { TargetUserName: 'U12' }), kind: 'scored' },
  { doc: winlogbeat(2, { TargetUserName: 'u12' }), kind: 'scored' },
  { doc: winlogbeat(3, { TargetUserName: 'U12' }), kind: 'scored by an older version' },
  { doc: winlogbeat(4, { TargetUserName: 'U12' }), kind: 'unscored' },
  { doc: winlogbeat(5, { TargetUserName: 'U12' }), kind: 'unreadable' },
  // the domain in the name: normalised to u12, so stamped
  { doc: winlogbeat(6, { TargetUserName: 'DOM1\\U12' }), kind: 'scored' },
  // Winlogbeat's and NXLog's account disagree: the adapter reads u12 from winlog; a query for u13 must not find it
  { doc: winlogbeat(7, { TargetUserName: 'U12' }, 4624, { TargetUserName: 'U13' }), kind: 'scored' },
  { doc: winlogbeat(8, { TargetUserName: 'U13' }), kind: 'scored' },
  // a machine account and a service account: one word of each is another user's name in a text field
  { doc: winlogbeat(9, { TargetUserName: 'C7311$' }), kind: 'scored' },
  { doc: winlogbeat(10, { TargetUserName: 'SVC-SQL' }), kind: 'scored' },
  { doc: winlogbeat(11, { TargetUserName: 'ANONYMOUS LOGON' }), kind: 'scored' },
  // 4672 names its user in SubjectUserName, which the refill does not query: stamped
  { doc: winlogbeat(12, { SubjectUserName: 'Admin', SubjectDomainName: 'DOM1' }, 4672), kind: 'scored' },
  { doc: winlogbeat(13, { TargetUserName: 'Ünïcode' }), kind: 'scored' },
];

const events = DOCS.map(({ doc }, i) => {
  const e = adapter.parse(doc, { file: 'fixture', line: i + 1 });
  if (e === null || isNoEvent(e)) throw new Error(`fixture ${i + 1} holds no event`);
  return e;
});
/** What each path writes for the document (the anomaly fields that matter to the refill). */
function stored(i: number): Record<string, unknown> {
  const { doc, kind } = DOCS[i]!;
  const event = events[i]!;
  if (kind === 'unscored') return doc;
  if (kind === 'unreadable') return { ...doc, anomaly: { error: 'fixture: unreadable' } };
  const stamp = kind === 'scored' ? stampFor(adapter, 'user', event) : { entity: event.entities.user };
  return { ...doc, anomaly_score: 0.5, anomaly: { is_anomaly: false, ...stamp } };
}

const client = url ? createOpenSearchClient(OpenSearchConfigSchema.parse({ url })) : undefined;

beforeAll(async () => {
  if (!url) return;
  const bodies = { contentPack: ecsIndexBody(1), dynamic: { settings: { number_of_shards: 1, number_of_replicas: 0 } } };
  for (const [k, index] of Object.entries(indices) as Array<[keyof typeof indices, string]>) {
    expect((await os(url, 'PUT', `/${index}`, bodies[k])).status).toBe(200);
    const lines = DOCS.flatMap((_, i) => [JSON.stringify({ index: { _id: `d${i + 1}` } }), JSON.stringify(stored(i))]).join('\n') + '\n';
    const res = await fetch(`${url}/${index}/_bulk?refresh=true`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: lines });
    expect(((await res.json()) as { errors: boolean }).errors).toBe(false);
  }
});
afterAll(async () => {
  await client?.close();
  for (const index of Object.values(indices)) await deleteIndex(url, index);
});
beforeEach((ctx) => void requireOpenSearch(ctx));

const recordOf = (e: CanonicalEvent): number => Number((e.raw as { winlog: { record_id: string } }).winlog.record_id);

describe('the history refill of Windows events whose stamp was left out', () => {
  it('leaves the stamp out exactly where TargetUserName is the user in some letter case', () => {
    const unstamped = DOCS.flatMap((_, i) => (DOCS[i]!.kind === 'scored' && stampFor(adapter, 'user', events[i]!) === undefined ? [i + 1] : []));
    expect(unstamped).toEqual([1, 2, 8, 9, 10, 11]);
    expect(historyFieldsFor(adapter).folded).toContain('winlog.event_data.TargetUserName');
    // OpenSearch indexes a flat dotted key and the nested object at one path: a second value there is queried too
    const twoForms = { ...DOCS[0]!.doc, 'winlog.event_data.TargetUserName': 'U13' };
    const e = adapter.parse(twoForms, { file: 'fixture', line: 1 }) as CanonicalEvent;
    expect(stampFor(adapter, 'user', e)).toEqual({ entity: e.entities.user });
    // the Kelvin sign lower-cases to an ASCII k in JavaScript: stamped all the same
    const kelvin = adapter.parse(winlogbeat(14, { TargetUserName: '\u212A12' }), { file: 'fixture', line: 14 }) as CanonicalEvent;
    expect(stampFor(adapter, 'user', kelvin)).toEqual({ entity: 'k12' });
  });

  for (const [mapping, index] of Object.entries(indices)) {
    it(`finds each user's scored events and only those (${mapping} mappings)`, async () => {
      const load = createHistoryLoader({ client: client!, adapter, fields: historyFieldsFor(adapter), timeoutMs: 10_000 });
      const until = Date.UTC(2024, 0, 2) / 1000;
      const users = [...new Set(events.map((e) => e.entities.user as string))];
      const got: Record<string, number[]> = {};
      const want: Record<string, number[]> = {};
      for (const user of [...users, 'c7311', 'svc', 'sql', 'anonymous', 'u1']) {
        got[user] = (await load(index, user, until, 50)).map(recordOf);
        want[user] = DOCS.flatMap(({ kind }, i) => (kind.startsWith('scored') && events[i]!.entities.user === user ? [i + 1] : []));
      }
      expect(got).toEqual(want);
      expect(got.u12).toEqual([1, 2, 3, 6, 7]);
      expect(got.u13).toEqual([8]);
      expect(got['c7311$']).toEqual([9]);
      expect(got.c7311).toEqual([]);
      expect(got.svc).toEqual([]);
    });
  }
});
