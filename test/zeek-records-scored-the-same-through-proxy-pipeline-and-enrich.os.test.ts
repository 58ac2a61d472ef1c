// Zeek's JSON records as a shipper sends them (Zeek's own JSON writer: ISO `ts`, `_path` naming the log) reach the
// scorer through the _bulk proxy (restarted half-way), the seqsentry-score ingest pipeline (ML Commons) and enrich,
// and end with the same anomaly fields; records of a log type the adapter does not read (dpd) are stored on every
// path with anomaly.error. A record's source address is its entity, taken from `id.orig_h`; after the restart the
// proxy refills history by the stamped anomaly.entity and anomaly.time. The indices are mapped as the content pack's
// seqsentry-events template maps a user's own indices (the anomaly fields only): Zeek's `source` (weird, files) is a
// string where ECS has an object, so Zeek's JSON cannot go into an ECS-mapped index as it is.
import { beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { expectErrorsKept, expectEveryDocumentOnce, expectSameScores, firstEventsAfterRestart, PATH_TOLERANCE, shipThroughEveryPath, type Doc, type PathsRun } from './support/format-paths.js';
import { ZEEK_JSON_TYPES, zeekJsonLines, zeekModel } from './support/model-fixture.js';
import { eventsIndexBody } from './support/enrich-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';

const byTime = (a: Doc, b: Doc): number => ((a.ts as string) < (b.ts as string) ? -1 : (a.ts as string) > (b.ts as string) ? 1 : 0);

// The capture's records after the training cut (17:28), merged by time: 300 from the first dpd record after 17:30 on
// (about 20 s of traffic), every one after that dpd record, so that the slice holds records of an unread log type.
const merged: Doc[] = [...ZEEK_JSON_TYPES, 'dpd'].flatMap((t) => zeekJsonLines(t).map((l) => JSON.parse(l) as Doc)).sort(byTime);
const start = merged.findIndex((d) => d._path === 'dpd' && (d.ts as string) >= '2018-03-24T17:30:00');
const docs: Doc[] = merged.slice(start - 150, start + 150);

let run: PathsRun;

beforeAll(async () => {
  const url = inject('opensearchUrl');
  if (!url) return;
  run = await shipThroughEveryPath(url, 'zeek', await zeekModel(), docs, '2018-03-24T00:00:00Z', eventsIndexBody());
}, 900_000);

beforeEach((ctx) => void requireOpenSearch(ctx));

describe('Zeek JSON documents through proxy, ingest pipeline and enrich', () => {
  it('each path stores every document once, as shipped, with the anomaly fields added', () => {
    expect(docs).toHaveLength(300);
    expect(new Set(docs.map((d) => d._path))).toEqual(new Set(['dns', 'ssl', 'weird', 'dpd']));
    expectEveryDocumentOnce(run, docs);
  });

  it('gives every record of a read log type the same score, raw score, explanation and stamps on every path', () => {
    const read = docs.filter((d) => d._path !== 'dpd').length;
    expect(expectSameScores(run)).toBe(read);
  });

  it('stores the records of a log type the adapter does not read with anomaly.error naming it, unscored', () => {
    const dpd = docs.filter((d) => d._path === 'dpd').length;
    expect(dpd).toBeGreaterThan(0);
    expect(expectErrorsKept(run)).toEqual(Array(dpd).fill('zeek log type dpd is not one the zeek adapter reads'));
  });

  it('refills history after the restart by anomaly.entity and anomaly.time: without the stamps the same events score otherwise', () => {
    const first = firstEventsAfterRestart(run);
    expect(first.length).toBeGreaterThan(3);
    for (const f of first) expect(f.moved, `${f.entity} ${f.doc}`).toBeGreaterThan(PATH_TOLERANCE);
  });
});
