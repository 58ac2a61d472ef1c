// Windows Security events shipped as Winlogbeat writes them reach the scorer through the _bulk proxy (restarted
// half-way), the seqsentry-score ingest pipeline (ML Commons) and enrich, and end with the same anomaly fields; the
// events of no authentication (4770, 4778, 4779) are stored on every path with anomaly.error; after the restart the
// proxy refills history by the stamped anomaly.entity (Windows user names are normalised, so user.name would miss)
// or, for the events stamped without it (TargetUserName is the user in upper case), by TargetUserName.
import { readFileSync } from 'node:fs';
import { beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
// The Winlogbeat shaping of an NXLog record lives once, beside the storage benchmark's Windows documents.
import { winlogbeat } from '../bench/lib/winlogbeat.mjs';
import { shared } from './support/env.js';
import { docId, expectErrorsKept, expectEveryDocumentOnce, expectSameScores, firstEventsAfterRestart, PATH_TOLERANCE, shipThroughEveryPath, type Doc, type PathsRun } from './support/format-paths.js';
import { windowsModel } from './support/model-fixture.js';
import { requireOpenSearch } from './support/opensearch.js';

/** Three recordings of one day of the OTRF "mordor" enterprise in the shared sample the model is trained on. */
const RECORDINGS = ['empire_shell_dcerpc_smb_service_dll_hijack.zip', 'empire_getsession_dcerpc_smb_srvsvc_NetSessEnum.zip', 'rdp_interactive_taskmanager_lsass_dump.zip'];

const docs: Doc[] = readFileSync(shared('windows', 'otrf-security-auth.jsonl'), 'utf8').trim().split('\n')
  .map((l) => JSON.parse(l) as Record<string, unknown>)
  .filter((r) => RECORDINGS.some((f) => String(r._source_file).endsWith(f)))
  .sort((a, b) => String(a['@timestamp']).localeCompare(String(b['@timestamp'])))
  .map((r) => winlogbeat(r) as Doc);

let run: PathsRun;

beforeAll(async () => {
  const url = inject('opensearchUrl');
  if (!url) return;
  run = await shipThroughEveryPath(url, 'windows', await windowsModel(), docs, '2020-01-01T00:00:00Z');
}, 900_000);

beforeEach((ctx) => void requireOpenSearch(ctx));

describe('Winlogbeat documents through proxy, ingest pipeline and enrich', () => {
  it('each path stores every document once, as shipped, with the anomaly fields added', () => {
    expect(docs).toHaveLength(252);
    expectEveryDocumentOnce(run, docs);
  });

  it('gives every logon event the same score, raw score, explanation and stamped entity on every path', () => {
    expect(expectSameScores(run)).toBe(250);
  });

  it('stores the Security events of no authentication with anomaly.error naming the event id, unscored', () => {
    expect(expectErrorsKept(run)).toEqual(['not an authentication event: Security event 4770', 'not an authentication event: Security event 4778']);
  });

  it('refills history after the restart by anomaly.entity or TargetUserName: without either the same events score otherwise', () => {
    const first = firstEventsAfterRestart(run);
    expect(first.map((f) => f.entity).sort()).toEqual(['mordordc$', 'pgustavo', 'system', 'workstation5$']);
    for (const f of first) expect(f.moved, `${f.entity} ${f.doc}`).toBeGreaterThan(PATH_TOLERANCE);
    // How the refill had to find each entity's latest event before the restart (always in its context): by its stamp
    // or, where it carries none, by TargetUserName; the scores above equal the other paths' either way.
    const latestFoundBy = (entity: string): string => {
      for (let i = run.split - 1; i >= 0; i--) {
        const r = run.readings[i]!;
        if ('event' in r && r.event.entities.user === entity) return run.stored.proxy.get(docId(i))!.source.anomaly.entity === undefined ? 'TargetUserName' : 'stamp';
      }
      return 'none';
    };
    expect(first.map((f) => `${f.entity}: ${latestFoundBy(f.entity)}`).sort()).toEqual(['mordordc$: TargetUserName', 'pgustavo: TargetUserName', 'system: stamp', 'workstation5$: TargetUserName']);
  });

  it('leaves anomaly.entity out of the logons whose TargetUserName is the user in some letter case', () => {
    const logons = [...run.stored.proxy.values()].filter((d) => d.source.anomaly_score !== undefined);
    expect(logons).toHaveLength(250);
    expect(logons.filter((d) => d.source.anomaly.entity === undefined)).toHaveLength(163);
  });
});
