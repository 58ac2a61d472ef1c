// `aggregate` over Windows events groups them by the user and hosts the adapter derived and the model scored, not by
// the raw field values (review, 2026-12-07: `ALICE`, `Alice`, `alice`, `CORP\alice` and `alice@corp.local` were five
// users in seqsentry-entities, one to the model; a 4648 counted for its subject `svc_backup` where the model's user is
// the target account; `DC01.corp.local` was not the model's `dc01`). The documents carry the anomaly.entity stamp
// exactly as the scorer writes it (stampFor); the notables' values must equal the adapter's, event by event, which
// holds the Painless script and its JavaScript twin to the adapter's rules. Against a real node.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { isNoEvent } from '../src/adapters/adapter.js';
import { createAdapter } from '../src/adapters/registry.js';
import { ENTITIES_INDEX } from '../src/aggregate/aggregate-options.js';
import { stampFor } from '../src/service/entity-stamp.js';
import { runCli } from './support/cli.js';
import { eventsIndexBody, os } from './support/enrich-fixture.js';
import { hasBuild } from './support/env.js';
import { requireOpenSearch } from './support/opensearch.js';

const INDEX = `seqsentry-aggwin-${process.pid}`;
const W = 15 * 60_000;
const START = Date.UTC(2026, 2, 2); // a window boundary, apart from the other aggregate tests' days
const ACCOUNTS = ['ALICE', 'Alice', 'alice', 'CORP\\alice', 'alice@corp.local'];

/** A 4624 as Winlogbeat ships it (user.name set from the event), or a 4648 whose user.name is the subject. */
function winlogbeat(timeMs: number, id: 4624 | 4648, target: string, subject: string, workstation: string, computer: string, score: number): Record<string, any> {
  return {
    '@timestamp': new Date(timeMs).toISOString(),
    event: { code: String(id), provider: 'Microsoft-Windows-Security-Auditing' },
    winlog: {
      event_id: id, channel: 'Security', provider_name: 'Microsoft-Windows-Security-Auditing', computer_name: computer,
      event_data: { TargetUserName: target, SubjectUserName: subject, LogonType: '3', WorkstationName: workstation, IpAddress: '10.0.0.9', ...(id === 4648 ? { TargetServerName: 'srv9' } : {}) },
    },
    user: { name: id === 4648 ? subject : target },
    host: { name: computer },
    source: { domain: workstation },
    anomaly_score: score,
    anomaly: { is_anomaly: score >= 0.99, fields: [{ name: 'dst_host', value: 'x' }] },
  };
}

const docs: Record<string, any>[] = [];
const windows = createAdapter('windows');

let url = '';

describe.runIf(hasBuild())('aggregate over Windows events', () => {
  beforeAll(async () => {
    url = inject('opensearchUrl');
    if (!url) return;
    // Each spelling of alice, anomalous in windows 0 and 1, from WS1 to DC01.corp.local; one 4648 by svc_backup with
    // domainadmin's credentials to srv9, anomalous in window 2.
    ACCOUNTS.forEach((a, k) => {
      docs.push(winlogbeat(START + 60_000 * (k + 1), 4624, a, 'SYSTEM', k % 2 ? 'WS1' : 'ws1.corp.local', k % 2 ? 'DC01.corp.local' : 'dc01', 0.995));
      docs.push(winlogbeat(START + W + 60_000 * (k + 1), 4624, a, 'SYSTEM', 'WS1', 'DC01', 0.996));
    });
    docs.push(winlogbeat(START + 2 * W + 60_000, 4648, 'domainadmin', 'svc_backup', 'WS2', 'ws2.corp.local', 0.999));
    // The stamp as the scorer writes it on each.
    for (const d of docs) {
      const e = windows.parse(d as never, { file: INDEX, line: 1 });
      if (e === null || isNoEvent(e)) throw new Error(`not an event: ${JSON.stringify(d)}`);
      const stamp = stampFor(windows, 'user', e);
      if (stamp?.entity !== undefined) d.anomaly.entity = stamp.entity;
      d._expected = e.entities;
    }
    await os(url, 'DELETE', `/${INDEX}`);
    expect((await os(url, 'PUT', `/${INDEX}`, eventsIndexBody(1))).status).toBe(200);
    const lines = docs.flatMap((d, i) => {
      const { _expected, ...doc } = d;
      return [JSON.stringify({ index: { _index: INDEX, _id: `w${i}` } }), JSON.stringify(doc)];
    });
    expect((await os(url, 'POST', '/_bulk?refresh=true', lines.join('\n') + '\n')).json.errors).toBe(false);
  }, 120_000);

  afterAll(async () => {
    if (!url) return;
    await os(url, 'DELETE', `/${INDEX}`);
    await os(url, 'POST', `/${ENTITIES_INDEX}/_refresh`);
    const found = await os(url, 'POST', `/${ENTITIES_INDEX}/_search`, { size: 1000, _source: false, query: { term: { source_index: INDEX } } });
    const ids = ((found.json?.hits?.hits ?? []) as { _id: string }[]).map((h) => h._id);
    if (ids.length) await os(url, 'POST', '/_bulk?refresh=true', ids.map((id) => JSON.stringify({ delete: { _index: ENTITIES_INDEX, _id: id } })).join('\n') + '\n');
  });

  beforeEach((ctx) => {
    url = requireOpenSearch(ctx);
  });

  const notables = async () => {
    await os(url, 'POST', `/${ENTITIES_INDEX}/_refresh`);
    const res = await os(url, 'POST', `/${ENTITIES_INDEX}/_search`, { size: 1000, query: { term: { source_index: INDEX } } });
    return (res.json.hits.hits as any[]).map((h) => h._source);
  };
  const expected = (kind: string) => new Set(docs.map((d) => d._expected[kind] as string).filter((v) => v !== '?'));
  const iso = (ms: number) => new Date(ms).toISOString();

  for (const mode of ['default', '--all-windows']) {
    it(`names each entity as the model does (${mode})`, async () => {
      const r = runCli(['aggregate', '--index', INDEX, '--format', 'windows', '--since', iso(START), '--until', iso(START + 4 * W), ...(mode === 'default' ? [] : [mode])], { OPENSEARCH_URL: url });
      expect(r.status, r.stderr).toBe(0);
      const got = await notables();
      for (const kind of ['user', 'src_host']) {
        expect(new Set(got.filter((d) => d.entity.kind === kind).map((d) => d.entity.value)), kind).toEqual(expected(kind));
      }
      // Hosts carry no stamp: a 4648's destination is its TargetServerName to the model, its logging computer here
      // (README, Known limits); the 4624s' computers are the model's.
      expect(new Set(got.filter((d) => d.entity.kind === 'dst_host').map((d) => d.entity.value))).toEqual(new Set(['dc01', 'ws2']));
      expect(expected('dst_host')).toEqual(new Set(['dc01', 'srv9']));
      expect(expected('user')).toEqual(new Set(['alice', 'domainadmin']));
      // alice's two windows hold all ten of her events, and she is notable in the second.
      const alice = got.filter((d) => d.entity.kind === 'user' && d.entity.value === 'alice').sort((x, y) => x.window.start.localeCompare(y.window.start));
      expect(alice.map((d) => [d.events, d.anomalous, d.notable])).toEqual([[5, 5, false], [5, 5, true]]);
    });
  }
});
