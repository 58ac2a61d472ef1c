// Windows entity values are derived (lower case, domain stripped, the account chosen per event id), so a term query
// on the document's own user field would miss them: the sidecar stamps the normalised entity into anomaly.entity and
// refills history by it, with the document's @timestamp as the time (so anomaly.time is not written); where
// TargetUserName is the user in another letter case only, it is left out and the refill queries that field.
// authlog lines, like LANL's, carry theirs in text.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { historyFieldsFor, STAMPED_FIELDS } from '../src/opensearch/history-loader.js';
import { Scorer } from '../src/scorer/scorer.js';
import { ScoringService } from '../src/service/scoring-service.js';
import { runCli } from './support/cli.js';
import { hasBuild, hasPython, hasSharedData, shared } from './support/env.js';

describe('where history is found for the new formats', () => {
  it('windows: by the stamped entity, at the document\'s @timestamp; authlog: by the stamps alone', () => {
    const folded = ['winlog.event_data.TargetUserName', 'TargetUserName', 'EventData.TargetUserName', 'Event.EventData.TargetUserName'];
    expect(historyFieldsFor(createAdapter('windows'))).toEqual({ entity: 'anomaly.entity', time: '@timestamp', timeType: 'date', folded });
    expect(historyFieldsFor(createAdapter('windows'), 'src_host')).toEqual({ entity: 'anomaly.entity', time: '@timestamp', timeType: 'date' });
    expect(historyFieldsFor(createAdapter('authlog', { year: 2024 }))).toEqual(STAMPED_FIELDS);
    // copied values: the document's own fields, every path the adapter reads the user from, the first held winning
    expect(historyFieldsFor(createAdapter('ecs'))).toEqual({ entity: 'user.name', time: '@timestamp', timeType: 'date', entityPaths: ['user.name', 'winlog.event_data.TargetUserName'] });
  });
});

const ready = hasSharedData() && hasPython() && hasBuild();

describe.runIf(ready)('the scoring service on Winlogbeat documents', () => {
  const modelDir = join(mkdtempSync(join(tmpdir(), 'seqsentry-winstamp-')), 'model');
  let scorer: Scorer;
  let service: ScoringService;
  const asked: Array<[string, string]> = [];

  beforeAll(async () => {
    const brute = shared('windows', 'evtx-to-mitre', 'TA0006-Credential Access', 'T1110.xxx-Brut force');
    const r = runCli(['train', '--format', 'windows', '--input', join(brute, 'ID4771-Kerberos brutforce with valid user.jsonl'), join(brute, 'ID4768-4771-Kerberos brutforce with non existing users.jsonl'), '--model-dir', modelDir, '--epochs', '1', '--seed', '2']);
    expect(r.status, r.stderr).toBe(0);
    scorer = await Scorer.load(modelDir);
    service = new ScoringService(scorer, createAdapter('windows'), {
      maxBatch: 16,
      maxDelayMs: 1,
      historyLoader: async (scope, entity) => {
        asked.push([scope, entity]);
        return [];
      },
    });
  });
  afterAll(async () => {
    await service?.drain();
    await scorer?.close();
  });

  const winlogbeat = (eventId: number, user: string) => ({
    '@timestamp': '2021-12-02T15:00:00.000Z',
    winlog: { event_id: eventId, channel: 'Security', provider_name: 'Microsoft-Windows-Security-Auditing', computer_name: 'rootdc1.offsec.lan', event_data: { TargetUserName: user, IpAddress: '::ffff:10.23.123.11', Status: '0x18', TicketOptions: '0x50800000', PreAuthType: '2' } },
  });

  it('stamps the normalised entity where TargetUserName does not hold it, refills by it, and marks a record of no event with the reason', async () => {
    const [scored, other, folded] = await service.score([
      { record: winlogbeat(4771, 'OFFSEC\\Admin-Hacker'), scope: 'winlogbeat-1', source: { file: 'winlogbeat-1', line: 1 } },
      { record: winlogbeat(4688, 'admmig'), scope: 'winlogbeat-1', source: { file: 'winlogbeat-1', line: 2 } },
      { record: winlogbeat(4771, 'Admin-Hacker'), scope: 'winlogbeat-1', source: { file: 'winlogbeat-1', line: 3 } },
    ]);
    expect(typeof scored?.anomaly_score).toBe('number');
    expect(scored?.anomaly.entity).toBe('admin-hacker');
    expect(scored?.anomaly.time).toBeUndefined();
    expect(typeof folded?.anomaly_score).toBe('number');
    expect(folded?.anomaly).not.toHaveProperty('entity');
    expect(asked).toEqual([['winlogbeat-1', 'admin-hacker']]);
    expect(other?.anomaly_score).toBeUndefined();
    expect(other?.anomaly.error).toBe('winlogbeat-1:2: not an authentication event: Security event 4688');
  });
});
