// The windows adapter on real Security events from ../shared/data/windows, one per event id and shape: every
// canonical value pinned (time, entities, fields), read in place.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import { hasSharedData, shared } from './support/env.js';

const windows = createAdapter('windows');
const OTRF = ['windows', 'otrf-security-auth.jsonl'];
const BRUTE = ['windows', 'evtx-to-mitre', 'TA0006-Credential Access', 'T1110.xxx-Brut force'];
const PTH = ['windows', 'evtx-to-mitre', 'TA0008-Lateral Movement', 'T1550-Use Alternate Authentication Material', 'ID4624-Mimikatz Pass the hash.jsonl'];

function parseLine(parts: string[], line: number) {
  const file = shared(...parts);
  const text = readFileSync(file, 'utf8').split('\n')[line - 1] as string;
  return windows.parse(text, { file, line });
}

describe.runIf(hasSharedData())('windows adapter: golden events from the shared samples', () => {
  it('has the field names the rarity pairs and the label file expect', () => {
    expect(windows.fieldNames).toEqual(['user', 'src_host', 'dst_host', 'event_id', 'auth_type', 'logon_type', 'outcome', 'status', 'sub_status', 'ticket_options', 'encryption_type', 'elevated_token', 'domain']);
    expect(windows.entityNames).toEqual(['user', 'src_host', 'dst_host', 'src_ip']);
    expect(windows.labelEntities).toEqual(['user', 'src_host', 'dst_host']);
  });

  // [file, line, time, entities (user, src_host, dst_host, src_ip), fields after the three entities]
  const cases: Array<[string, string[], number, number, string[], string[]]> = [
    ['NXLog 4624: machine account over Kerberos from an IP, FQDN computer, elevated token', OTRF, 2, 1591757463.645,
      ['mordordc$', '172.18.38.5', 'mordordc', '172.18.38.5'], ['4624', 'Kerberos', '3', 'success', '?', '?', '?', '?', 'yes', 'mordor']],
    ['NXLog 4672: the subject, on its own computer', OTRF, 1, 1591757463.645,
      ['mordordc$', 'mordordc', 'mordordc', '?'], ['4672', '?', '?', 'success', '?', '?', '?', '?', '?', 'mordor']],
    ['4625 with TimeCreated in ISO and ::1 as the address: the workstation is the source', OTRF, 28, 1659511344.287,
      ['pedro', 'pedro01', 'pedro01', '?'], ['4625', 'Negotiate', '11', 'failure', '0xc000010b', '0x0', '?', '?', '?', 'pedro01']],
    ['4648 to "localhost": the target is the computer itself', OTRF, 30, 1659511344.295,
      ['pedro', 'pedro01', 'pedro01', '?'], ['4648', '?', '?', 'success', '?', '?', '?', '?', '?', 'pedro01']],
    ['NXLog 4769: user@REALM, service account WORKSTATION5$ as the target host, IPv4-mapped address', OTRF, 99, 1600708190.755,
      ['workstation5$', '172.18.39.5', 'workstation5', '172.18.39.5'], ['4769', 'Kerberos', '?', 'success', '0x0', '?', '0x40810000', '0x12', '?', 'theshire']],
    ['NXLog 4768: a TGT from the DC', OTRF, 270, 1600085170.428,
      ['workstation5$', '172.18.39.5', 'mordordc', '172.18.39.5'], ['4768', 'Kerberos', '?', 'success', '0x0', '?', '0x40810010', '0x12', '?', 'theshire']],
    ['NXLog 4647: user-initiated logoff', OTRF, 662, 1599203240.224,
      ['pgustavo', 'workstation5', 'workstation5', '?'], ['4647', '?', '?', 'success', '?', '?', '?', '?', '?', 'theshire']],
    ['NXLog 4776: NTLM validation on the DC, no workstation named', OTRF, 734, 1599203295.795,
      ['pgustavo', '?', 'mordordc', '?'], ['4776', 'NTLM', '?', 'success', '0x0', '?', '?', '?', '?', '?']],
    ['NXLog 4625: NTLM package by its internal name, status and sub-status', OTRF, 2114, 1603355395.21,
      ['lrodriguez', 'workstation5', 'workstation5', '?'], ['4625', 'NTLM', '2', 'failure', '0xc000006d', '0xc000006a', '?', '?', '?', 'theshire']],
    ['EVTX converter 4771: zoneless TimeCreated is UTC, pre-authentication failed', [...BRUTE, 'ID4771-Kerberos brutforce with valid user.jsonl'], 1, 1638456861.232,
      ['admin-hacker', '10.23.123.11', 'rootdc1', '10.23.123.11'], ['4771', 'Kerberos', '?', 'failure', '0x18', '?', '0x50800000', '?', '?', '?']],
    ['EVTX converter 4768 for an unknown user: status 0x6, no encryption type', [...BRUTE, 'ID4768-4771-Kerberos brutforce with non existing users.jsonl'], 1, 1638456495.983,
      ['test1', '10.23.123.11', 'rootdc1', '10.23.123.11'], ['4768', 'Kerberos', '?', 'failure', '0x6', '?', '0x50800000', '0xffffffff', '?', 'offsec']],
    ['EVTX converter 4624 of pass-the-hash: logon type 9 from ::1', PTH, 3, 1634737157.315,
      ['admmig', '?', 'fs03', '?'], ['4624', 'Negotiate', '9', 'success', '?', '?', '?', '?', '?', 'offsec']],
  ];

  it.each(cases)('%s', (_what, parts, line, time, [user, src, dst, ip], rest) => {
    const event = parseLine(parts, line);
    expect(event).toMatchObject({ time, entities: { user, src_host: src, dst_host: dst, src_ip: ip }, fields: [user, src, dst, ...rest], source: { line } });
  });

  it('skips the other events of a recording with their id, in place', () => {
    expect(parseLine(PTH, 1)).toEqual({ skip: 'not an authentication event: Security event 1102' });
    expect(parseLine(PTH, 5)).toEqual({ skip: 'not an authentication event: Security event 4688' });
  });
});
