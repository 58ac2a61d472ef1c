// A zeek bundle trained with `--entity src_host` behind the sidecar: Zeek JSON records reach it through the _bulk proxy
// (restarted half-way), the ingest pipeline and enrich, and every path gives the same scores and stamps the host
// identity as anomaly.entity; after the restart the proxy refills each host's history by that stamp (the control
// index without stamps scores the same events otherwise). The WRCCDC records carry no l2 address and no dhcp record
// comes with them, so each host is named by its address here: what this checks is that src_host travels as the
// context entity through every path, not how it is named (zeek-hosts-on-otrf-*, zeek-dhcp-*, zeek-router-mac-*).
import { beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { docId, expectSameScores, firstEventsAfterRestart, PATH_TOLERANCE, shipThroughEveryPath, type Doc, type PathsRun } from './support/format-paths.js';
import { ZEEK_JSON_TYPES, zeekJsonLines, zeekModel } from './support/model-fixture.js';
import { eventsIndexBody } from './support/enrich-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';

const byTime = (a: Doc, b: Doc): number => ((a.ts as string) < (b.ts as string) ? -1 : (a.ts as string) > (b.ts as string) ? 1 : 0);

// 240 records after the training cut (17:28), merged by time.
const merged: Doc[] = ZEEK_JSON_TYPES.flatMap((t) => zeekJsonLines(t).map((l) => JSON.parse(l) as Doc)).sort(byTime);
const start = merged.findIndex((d) => (d.ts as string) >= '2018-03-24T17:30:00');
const docs: Doc[] = merged.slice(start, start + 240);

let run: PathsRun;

beforeAll(async () => {
  const url = inject('opensearchUrl');
  if (!url) return;
  run = await shipThroughEveryPath(url, 'zeek-host', await zeekModel(undefined, 'src_host'), docs, '2018-03-24T00:00:00Z', eventsIndexBody());
}, 900_000);

beforeEach((ctx) => void requireOpenSearch(ctx));

describe('src_host as the context entity through proxy, ingest pipeline and enrich', () => {
  it('the bundle keeps src_host, and every path gives every record the same score and stamps', () => {
    expect(run.entityKey).toBe('src_host');
    expect(expectSameScores(run)).toBe(docs.length);
  });

  it('stamps each record\'s host as anomaly.entity and refills history by it after the restart', () => {
    for (const [i, r] of run.readings.entries()) {
      if (!('event' in r)) continue;
      const stamped = run.stored.proxy.get(docId(i))?.source.anomaly.entity;
      expect(stamped, docId(i)).toBe(r.event.entities.src_host);
    }
    const first = firstEventsAfterRestart(run);
    expect(first.length).toBeGreaterThan(3);
    for (const f of first) expect(f.moved, `${f.entity} ${f.doc}`).toBeGreaterThan(PATH_TOLERANCE);
  });
});
