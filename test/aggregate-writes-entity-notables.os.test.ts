// `seqsentry aggregate` against a real node, on seeded scored events with one bad user and one bad host: one
// document per entity and window with deterministic ids; notable only where the entity was anomalous in two windows
// within the stretch (a single odd logon is not); risk decays with the half-life; a rerun writes nothing; a late
// event rewrites its window and the windows after it.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { ENTITIES_INDEX } from '../src/aggregate/aggregate-options.js';
import { notableId } from '../src/aggregate/window-chain.js';
import { runCli, type CliResult } from './support/cli.js';
import { FIXTURE_START_MS } from './support/ecs-fixture.js';
import { scoredLogon } from './support/notables-fixture.js';
import { loadIndex, os } from './support/enrich-fixture.js';
import { hasBuild } from './support/env.js';
import { requireOpenSearch } from './support/opensearch.js';

const INDEX = `seqsentry-agg-${process.pid}`;
const W = 15 * 60_000;
const START = FIXTURE_START_MS + 60 * 86_400_000; // a window boundary (midnight UTC)
const WINDOWS = 8;
const USERS = ['u1', 'u2', 'u3', 'u4', 'mallory', 'oddone'];


function seeded(): Record<string, unknown>[] {
  const docs: Record<string, unknown>[] = [];
  for (let w = 0; w < WINDOWS; w++) {
    for (const [k, user] of USERS.entries()) docs.push(scoredLogon(START + w * W + 60_000 * (k + 1), user, 'srv-1', 0.1 + 0.01 * k));
  }
  // mallory: anomalous in windows 1, 2 and 5, each time to another server (no host collects them).
  for (const [w, dst] of [[1, 'srv-a'], [2, 'srv-b'], [5, 'srv-c']] as const) docs.push(scoredLogon(START + w * W + 600_000, 'mallory', dst, 0.999));
  // srv-bad: anomalous logons by two users in windows 3 and 4.
  docs.push(scoredLogon(START + 3 * W + 500_000, 'u1', 'srv-bad', 0.995), scoredLogon(START + 4 * W + 500_000, 'u2', 'srv-bad', 0.997));
  // oddone: one odd logon, once.
  docs.push(scoredLogon(START + 2 * W + 700_000, 'oddone', 'srv-d', 0.998));
  return docs;
}

/** Deletes the notables of this test's range (the test node has no reindex module, hence no _delete_by_query). */
async function dropNotables(): Promise<void> {
  await os(url, 'POST', `/${ENTITIES_INDEX}/_refresh`);
  const found = await os(url, 'POST', `/${ENTITIES_INDEX}/_search`, { size: 10_000, _source: false, query: { range: { 'window.start': { gte: START, lt: START + WINDOWS * W, format: 'epoch_millis' } } } });
  const ids = ((found.json?.hits?.hits ?? []) as { _id: string }[]).map((h) => h._id);
  if (ids.length) await os(url, 'POST', '/_bulk?refresh=true', ids.map((id) => JSON.stringify({ delete: { _index: ENTITIES_INDEX, _id: id } })).join('\n') + '\n');
}

let url = '';

describe.runIf(hasBuild())('seqsentry aggregate writes entity notables', () => {
  let first: CliResult;
  const iso = (ms: number) => new Date(ms).toISOString();
  const aggregate = (...extra: string[]) => runCli(['aggregate', '--index', INDEX, '--format', 'ecs', '--since', iso(START), '--until', iso(START + WINDOWS * W), '--half-life', '1h', ...extra], { OPENSEARCH_URL: url });
  const notables = async () => {
    await os(url, 'POST', `/${ENTITIES_INDEX}/_refresh`);
    const res = await os(url, 'POST', `/${ENTITIES_INDEX}/_search`, { size: 1000, query: { range: { 'window.start': { gte: START, lt: START + WINDOWS * W, format: 'epoch_millis' } } } });
    return (res.json.hits.hits as any[]).map((h) => ({ id: h._id as string, ...h._source }));
  };

  beforeAll(async () => {
    url = inject('opensearchUrl');
    if (!url) return;
    await loadIndex(url, INDEX, seeded());
    await dropNotables();
    first = aggregate('--all-windows');
  }, 600_000);

  afterAll(async () => {
    if (!url) return;
    await os(url, 'DELETE', `/${INDEX}`);
    await dropNotables();
  });

  beforeEach((ctx) => {
    url = requireOpenSearch(ctx);
  });

  it('writes one document per entity and window, with the entity fields the index maps', async () => {
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('user=user.name, src_host=source.domain|source.ip, dst_host=host.name');
    // each event counted once, not once per entity kind
    expect(first.stdout).toContain(`aggregated ${seeded().length} events into`);
    const docs = await notables();
    const key = (d: any) => `${d.entity.kind}:${d.entity.value}`;
    // 6 users and 6 workstations in every window; srv-1 in every window; the odd servers where used.
    expect(docs.filter((d) => d.entity.kind === 'user')).toHaveLength(6 * WINDOWS);
    expect(docs.filter((d) => d.entity.kind === 'src_host')).toHaveLength(6 * WINDOWS);
    expect(new Set(docs.filter((d) => d.entity.kind === 'dst_host').map(key))).toEqual(new Set(['dst_host:srv-1', 'dst_host:srv-a', 'dst_host:srv-b', 'dst_host:srv-c', 'dst_host:srv-d', 'dst_host:srv-bad']));
    for (const d of docs) expect(d.id).toBe(notableId(INDEX, d.entity.kind, d.entity.value, Date.parse(d.window.start)));
    const m2 = docs.find((d) => key(d) === 'user:mallory' && d.window.start === iso(START + 2 * W))!;
    expect(m2).toMatchObject({ events: 2, anomalous: 1, max_score: 0.999, explain: [{ field: 'dst_host', value: 'srv-b', events: 1 }] });
    expect(m2.top_events).toHaveLength(1);
    expect(m2.top_events[0]).toMatchObject({ index: INDEX, score: 0.999, reason: 'pairs:user+dst_host' });
  });

  it('marks notable only the windows of an entity anomalous twice within the stretch', async () => {
    const docs = await notables();
    const flagged = docs.filter((d) => d.notable).map((d) => `${d.entity.kind}:${d.entity.value}@${(Date.parse(d.window.start) - START) / W}`).sort();
    expect(flagged).toEqual(['dst_host:srv-bad@4', 'src_host:ws-mallory@2', 'src_host:ws-mallory@5', 'user:mallory@2', 'user:mallory@5'].sort());
  });

  it('carries risk from window to window, halving over the half-life', async () => {
    const docs = (await notables()).filter((d) => d.entity.kind === 'user' && d.entity.value === 'mallory').sort((a, b) => a.window.start.localeCompare(b.window.start));
    let risk = 0;
    docs.forEach((d, w) => {
      if (w > 0) risk *= 0.5 ** (W / 3_600_000);
      if ([1, 2, 5].includes(w)) risk += 0.999;
      expect(d.risk, `window ${w}`).toBeCloseTo(risk, 5);
    });
    expect(docs[5].risk).toBeGreaterThan(docs[1].risk);
  });

  it('writes nothing when run again over the same range', () => {
    const again = aggregate('--all-windows');
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/: 0 created, 0 updated, \d+ unchanged, 5 notable/);
  });

  it('rewrites the window of a late event and the windows after it', async () => {
    // oddone again, late, in window 3: now twice within the stretch.
    const late = scoredLogon(START + 3 * W + 800_000, 'oddone', 'srv-e', 0.996);
    await os(url, 'POST', `/${INDEX}/_doc?refresh=true`, late);
    const again = aggregate('--all-windows');
    expect(again.status, again.stderr).toBe(0);
    // oddone's windows 3-7 (risk and recent windows change), ws-oddone's too, and srv-e's new one.
    expect(again.stdout).toMatch(/: 1 created, 10 updated, \d+ unchanged, 7 notable/);
    const docs = await notables();
    const odd3 = docs.find((d) => d.entity.kind === 'user' && d.entity.value === 'oddone' && d.window.start === iso(START + 3 * W))!;
    expect(odd3).toMatchObject({ notable: true, anomalous: 1, anomalous_windows: 2 });
  });

  it('by default counts only the windows with anomalous events, into the same documents', async () => {
    const anomalousWindows = (await notables()).filter((d) => d.anomalous > 0).length;
    const run = aggregate();
    expect(run.status, run.stderr).toBe(0);
    const m = /into (\d+) entity windows .*: 0 created, (\d+) updated, (\d+) unchanged, 7 notable/.exec(run.stdout);
    expect(m, run.stdout).not.toBeNull();
    expect(Number(m![1])).toBe(anomalousWindows);
    expect(Number(m![2]) + Number(m![3])).toBe(anomalousWindows);
  });

  it('applies analysts\' suppressions, by entity or by the field value that explains it, until removed', async () => {
    const add = (...args: string[]) => runCli(['suppress', ...args], { OPENSEARCH_URL: url });
    const user = add('--entity', 'user:mallory', '--reason', 'pen test', '--expires', '7d');
    expect(user.status, user.stderr).toBe(0);
    const host = add('--entity', 'dst_host:srv-bad', '--field', 'dst_host', '--value', 'srv-bad');
    const other = add('--entity', 'src_host:ws-mallory', '--field', 'dst_host', '--value', 'srv-zzz');
    expect(host.status, host.stderr).toBe(0);
    const ids = [user, host, other].map((r) => /^suppressed (\S+)/.exec(r.stdout)![1]!);
    try {
      const list = runCli(['suppress', '--list'], { OPENSEARCH_URL: url });
      expect(list.stdout).toContain(`${ids[0]}  user:mallory  until `);
      expect(list.stdout).toContain('(pen test)');
      const run = aggregate();
      expect(run.stdout).toMatch(/, 4 notable \(\d+ suppression\(s\) active\)/);
      const docs = await notables();
      const at = (kind: string, value: string, w: number) => docs.find((d) => d.entity.kind === kind && d.entity.value === value && d.window.start === iso(START + w * W))!;
      expect(at('user', 'mallory', 2)).toMatchObject({ notable: false, suppressed_by: ids[0] });
      expect(at('dst_host', 'srv-bad', 4)).toMatchObject({ notable: false, suppressed_by: ids[1] });
      // A field suppression holds only where that field value explains the window: not here.
      expect(at('src_host', 'ws-mallory', 2)).toMatchObject({ notable: true });
      expect(at('src_host', 'ws-mallory', 2).suppressed_by).toBeUndefined();
    } finally {
      for (const id of ids) expect(runCli(['suppress', '--remove', id], { OPENSEARCH_URL: url }).status).toBe(0);
    }
    const back = aggregate();
    expect(back.stdout).toMatch(/, 7 notable[ ,]/);
    expect(runCli(['suppress', '--remove', ids[0]!], { OPENSEARCH_URL: url }).stderr).toContain(`no suppression with id ${ids[0]}`);
  });
});
