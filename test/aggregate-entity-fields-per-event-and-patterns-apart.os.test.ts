// `seqsentry aggregate` against a real node: an event counts under the first of its kind's fields it holds, so a
// user named only in Winlogbeat's TargetUserName (beside events with user.name) gets notables; two patterns that
// share an entity keep their own window documents (the id holds the pattern); and a window written before notables
// carried their pattern is replaced by the rerun, not counted twice.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { ENTITIES_INDEX } from '../src/aggregate/aggregate-options.js';
import { legacyNotableId, notableId } from '../src/aggregate/window-chain.js';
import { runCli } from './support/cli.js';
import { FIXTURE_START_MS } from './support/ecs-fixture.js';
import { scoredLogon } from './support/notables-fixture.js';
import { loadIndex, os } from './support/enrich-fixture.js';
import { hasBuild } from './support/env.js';
import { requireOpenSearch } from './support/opensearch.js';

const A = `seqsentry-aggf-${process.pid}-a`;
const B = `seqsentry-aggf-${process.pid}-b`;
const W = 15 * 60_000;
const START = FIXTURE_START_MS + 90 * 86_400_000; // a window boundary (midnight UTC), apart from the other aggregate test
const WINDOWS = 4;

/** A logon as Winlogbeat ships a 4624: the user only in winlog.event_data.TargetUserName. */
function winlogbeat(timeMs: number, user: string, dst: string, score: number): Record<string, unknown> {
  const doc = scoredLogon(timeMs, user, dst, score) as Record<string, any>;
  delete doc.user;
  doc.winlog.event_data.TargetUserName = user;
  return doc;
}

function seededA(): Record<string, unknown>[] {
  const docs: Record<string, unknown>[] = [];
  for (let w = 0; w < WINDOWS; w++) docs.push(scoredLogon(START + w * W + 60_000, 'u1', 'srv-1', 0.1), scoredLogon(START + w * W + 120_000, 'mallory', 'srv-1', 0.2));
  // eve: anomalous in windows 1 and 2, named only where Winlogbeat puts her.
  docs.push(winlogbeat(START + W + 300_000, 'eve', 'srv-x', 0.999), winlogbeat(START + 2 * W + 300_000, 'eve', 'srv-y', 0.998));
  // mallory: anomalous once in window 3 here.
  docs.push(scoredLogon(START + 3 * W + 400_000, 'mallory', 'srv-z', 0.995));
  return docs;
}

/** Pattern B holds mallory too: anomalous twice in window 3. */
function seededB(): Record<string, unknown>[] {
  return [scoredLogon(START + 3 * W + 500_000, 'mallory', 'srv-q', 0.999), scoredLogon(START + 3 * W + 600_000, 'mallory', 'srv-r', 0.997)];
}

let url = '';

async function dropNotables(): Promise<void> {
  await os(url, 'POST', `/${ENTITIES_INDEX}/_refresh`);
  const found = await os(url, 'POST', `/${ENTITIES_INDEX}/_search`, { size: 10_000, _source: false, query: { range: { 'window.start': { gte: START, lt: START + WINDOWS * W, format: 'epoch_millis' } } } });
  const ids = ((found.json?.hits?.hits ?? []) as { _id: string }[]).map((h) => h._id);
  if (ids.length) await os(url, 'POST', '/_bulk?refresh=true', ids.map((id) => JSON.stringify({ delete: { _index: ENTITIES_INDEX, _id: id } })).join('\n') + '\n');
}

async function notables(): Promise<any[]> {
  await os(url, 'POST', `/${ENTITIES_INDEX}/_refresh`);
  const res = await os(url, 'POST', `/${ENTITIES_INDEX}/_search`, { size: 1000, query: { range: { 'window.start': { gte: START, lt: START + WINDOWS * W, format: 'epoch_millis' } } } });
  return (res.json.hits.hits as any[]).map((h) => ({ id: h._id as string, ...h._source }));
}

describe.runIf(hasBuild())('aggregate: entity fields per event, patterns apart', () => {
  const iso = (ms: number) => new Date(ms).toISOString();
  const aggregate = (pattern: string) => runCli(['aggregate', '--index', pattern, '--format', 'ecs', '--since', iso(START), '--until', iso(START + WINDOWS * W)], { OPENSEARCH_URL: url });

  beforeAll(async () => {
    url = inject('opensearchUrl');
    if (!url) return;
    await loadIndex(url, A, seededA());
    await loadIndex(url, B, seededB());
    await dropNotables();
  }, 600_000);

  afterAll(async () => {
    if (!url) return;
    await os(url, 'DELETE', `/${A}`);
    await os(url, 'DELETE', `/${B}`);
    await dropNotables();
  });

  beforeEach((ctx) => {
    url = requireOpenSearch(ctx);
  });

  it('counts a user named only in TargetUserName, under that field', async () => {
    const run = aggregate(A);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/user=user\.name\|winlog\.event_data\.TargetUserName(\.keyword)?[,)]/);
    const eve = (await notables()).filter((d) => d.entity.kind === 'user' && d.entity.value === 'eve').sort((x, y) => x.window.start.localeCompare(y.window.start));
    expect(eve.map((d) => d.window.start)).toEqual([iso(START + W), iso(START + 2 * W)]);
    expect(eve[1]).toMatchObject({ notable: true, anomalous: 1, events: 1, source_index: A });
    expect(eve[1].entity.field).toMatch(/^winlog\.event_data\.TargetUserName/);
    for (const d of eve) expect(d.id).toBe(notableId(A, 'user', 'eve', Date.parse(d.window.start)));
  });

  it('keeps each pattern\'s window of a shared entity', async () => {
    const run = aggregate(B);
    expect(run.status, run.stderr).toBe(0);
    const docs = await notables();
    const mallory3 = docs.filter((d) => d.entity.kind === 'user' && d.entity.value === 'mallory' && d.window.start === iso(START + 3 * W));
    expect(mallory3.map((d) => [d.source_index, d.anomalous]).sort()).toEqual([[A, 1], [B, 2]].sort());
    // A's rerun finds its documents as it left them.
    expect(aggregate(A).stdout).toMatch(/: 0 created, 0 updated, \d+ unchanged/);
  });

  it('replaces a window stored under its id from before notables carried their pattern', async () => {
    const start = START + 3 * W;
    const legacyId = legacyNotableId('user', 'mallory', start);
    const own = notableId(A, 'user', 'mallory', start);
    const current = (await notables()).find((d) => d.id === own)!;
    const { id: _id, source_index: _p, ...legacyDoc } = current;
    // As an older version wrote it: no source_index, another fingerprint; and A's own document not yet there.
    await os(url, 'DELETE', `/${ENTITIES_INDEX}/_doc/${own}?refresh=true`);
    const put = await os(url, 'PUT', `/${ENTITIES_INDEX}/_doc/${legacyId}?refresh=true`, { ...legacyDoc, fingerprint: 'old' });
    expect(put.status, JSON.stringify(put.json)).toBe(201);
    const run = aggregate(A);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/: 0 created, 1 updated, \d+ unchanged/);
    const docs = (await notables()).filter((d) => d.entity.kind === 'user' && d.entity.value === 'mallory' && d.window.start === iso(start));
    expect(docs.map((d) => d.id).sort()).toEqual([own, notableId(B, 'user', 'mallory', start)].sort());
  });
});
