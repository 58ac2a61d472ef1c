// One real Security event (an NXLog 4625 from ../shared/data/windows) rewritten into the other shapes shippers
// write (Winlogbeat nested and flattened, evtx_dump's Event.System/EventData, an OpenSearch search hit) reads as
// the same canonical event in each; events of other providers are skipped, not mistaken for logons.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { hasSharedData, shared } from './support/env.js';

const windows = createAdapter('windows');
const src = { file: 'shapes.jsonl', line: 1 };
/** The EventData members of a 4625 (learn.microsoft.com, event-4625). */
const EVENT_DATA = ['SubjectUserSid', 'SubjectUserName', 'SubjectDomainName', 'SubjectLogonId', 'TargetUserSid', 'TargetUserName', 'TargetDomainName', 'Status', 'FailureReason', 'SubStatus', 'LogonType', 'LogonProcessName', 'AuthenticationPackageName', 'WorkstationName', 'TransmittedServices', 'LmPackageName', 'KeyLength', 'ProcessId', 'ProcessName', 'IpAddress', 'IpPort'];

describe.runIf(hasSharedData())('windows adapter: the JSON shapes shippers write', () => {
  const file = shared('windows', 'otrf-security-auth.jsonl');
  const nxlog = JSON.parse(readFileSync(file, 'utf8').split('\n')[2113] as string) as Record<string, unknown>;
  const data = Object.fromEntries(EVENT_DATA.filter((k) => k in nxlog).map((k) => [k, nxlog[k]]));
  const expected = windows.parse(nxlog, src);

  it('reads the NXLog original as a failed interactive logon', () => {
    expect(expected).toMatchObject({ entities: { user: 'lrodriguez', src_host: 'workstation5', dst_host: 'workstation5' }, time: 1603355395.21 });
  });

  const winlogbeat = {
    '@timestamp': nxlog['@timestamp'],
    event: { code: '4625', outcome: 'failure' },
    winlog: { event_id: 4625, channel: 'Security', provider_name: 'Microsoft-Windows-Security-Auditing', computer_name: nxlog.Hostname, keywords: ['Audit Failure'], event_data: data },
  };
  const flattened = Object.fromEntries([
    ['@timestamp', nxlog['@timestamp']], ['winlog.event_id', '4625'], ['winlog.channel', 'Security'], ['winlog.computer_name', nxlog.Hostname],
    ...Object.entries(data).map(([k, v]) => [`winlog.event_data.${k}`, v]),
  ]);
  const evtxDump = {
    Event: {
      System: { EventID: 4625, TimeCreated: { '#attributes': { SystemTime: nxlog['@timestamp'] } }, Computer: nxlog.Hostname, Channel: 'Security', Provider: { '#attributes': { Name: 'Microsoft-Windows-Security-Auditing' } } },
      EventData: data,
    },
  };
  const shapes: Array<[string, Record<string, unknown> | string]> = [
    ['Winlogbeat (winlog.event_data nested)', winlogbeat],
    ['Winlogbeat flattened to dotted keys', flattened],
    ['evtx_dump JSON (Event.System, Event.EventData)', evtxDump],
    ['an OpenSearch search hit of the Winlogbeat document', { _index: 'winlogbeat-1', _id: 'x', _source: winlogbeat }],
    ['the Winlogbeat document as a JSON line', JSON.stringify(winlogbeat)],
  ];
  it.each(shapes)('%s', (_what, record) => {
    const event = windows.parse(record, src);
    expect(event).toMatchObject({ time: (expected as { time: number }).time, entities: (expected as { entities: object }).entities, fields: (expected as { fields: string[] }).fields });
  });

  it('skips an event id of another provider (PowerShell 4103, OpenSSH 4) with its channel', () => {
    expect(windows.parse({ ...winlogbeat, winlog: { ...winlogbeat.winlog, event_id: 4103, channel: 'Microsoft-Windows-PowerShell/Operational', provider_name: 'Microsoft-Windows-PowerShell' } }, src))
      .toEqual({ skip: 'not an authentication event: Microsoft-Windows-PowerShell/Operational event 4103' });
    expect(windows.parse({ EventID: '4624', Channel: 'OpenSSH/Operational', Provider: 'OpenSSH', TimeCreated: '2021-01-01 00:00:00' }, src))
      .toEqual({ skip: 'not an authentication event: OpenSSH/Operational event 4624' });
  });
});
