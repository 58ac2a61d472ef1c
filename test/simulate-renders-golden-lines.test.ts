// The Windows and web-login renderings write exactly these lines for these simulated events, and the adapters
// read them back as the documented values (src/sim/render-windows.ts, src/sim/weblogin/).
import { describe, expect, it } from 'vitest';
import { createAdapter } from '../src/adapters/registry.js';
import type { AuthEvent } from '../src/sim/auth-event.js';
import type { Enterprise } from '../src/sim/enterprise.js';
import { AddressPlan, windowsRendering } from '../src/sim/render-windows.js';
import { loginDocument } from '../src/sim/weblogin/simulate-logins.js';

// Two hosts known to the enterprise: C17 (address 10.0.0.1, its DC C586) and C586 (10.0.0.2).
const ent = {
  hosts: new Map([['C17', { name: 'C17', dc: 'C586' }], ['C586', { name: 'C586', dc: 'C586' }]]),
  dcs: ['C586'],
} as unknown as Enterprise;

const base = { srcUser: 'U12@DOM1', dstUser: 'U12@DOM1', srcHost: 'C17', dstHost: 'C586', authType: '?', logonType: '?', success: true };
const ev = (over: Partial<AuthEvent>): AuthEvent => ({ time: 86400 + 3600, orientation: 'LogOn', ...base, ...over });
const source = { file: 'golden', line: 1 };

const GOLDEN: [string, AuthEvent, string, string][] = [
  ['Kerberos network logon', ev({ authType: 'Kerberos', logonType: 'Network' }),
    '{"@timestamp":"2024-01-02T01:00:00.000Z","event":{"code":"4624","provider":"Microsoft-Windows-Security-Auditing","outcome":"success"},"host":{"name":"C586"},"winlog":{"channel":"Security","provider_name":"Microsoft-Windows-Security-Auditing","event_id":"4624","computer_name":"C586","event_data":{"TargetUserName":"U12","TargetDomainName":"DOM1","LogonType":"3","AuthenticationPackageName":"Kerberos","WorkstationName":"C17","IpAddress":"10.0.0.1"}}}',
    'u12 c17 c586 4624 Kerberos 3 success ? ? ? ? ? dom1'],
  ['failed NTLM logon', ev({ authType: 'NTLM', logonType: 'Network', success: false }),
    '{"@timestamp":"2024-01-02T01:00:00.000Z","event":{"code":"4625","provider":"Microsoft-Windows-Security-Auditing","outcome":"failure"},"host":{"name":"C586"},"winlog":{"channel":"Security","provider_name":"Microsoft-Windows-Security-Auditing","event_id":"4625","computer_name":"C586","event_data":{"TargetUserName":"U12","TargetDomainName":"DOM1","LogonType":"3","AuthenticationPackageName":"NTLM","WorkstationName":"C17","IpAddress":"10.0.0.1","Status":"0xC000006D","SubStatus":"0xC000006A"}}}',
    'u12 c17 c586 4625 NTLM 3 failure 0xc000006d 0xc000006a ? ? ? dom1'],
  ['logoff', ev({ orientation: 'LogOff', srcHost: 'C586', logonType: 'Network' }),
    '{"@timestamp":"2024-01-02T01:00:00.000Z","event":{"code":"4634","provider":"Microsoft-Windows-Security-Auditing","outcome":"success"},"host":{"name":"C586"},"winlog":{"channel":"Security","provider_name":"Microsoft-Windows-Security-Auditing","event_id":"4634","computer_name":"C586","event_data":{"TargetUserName":"U12","TargetDomainName":"DOM1","LogonType":"3"}}}',
    'u12 c586 c586 4634 ? 3 success ? ? ? ? ? dom1'],
  ['AuthMap as 4672', ev({ orientation: 'AuthMap', dstHost: 'C17', dstUser: 'C17$@DOM1' }),
    '{"@timestamp":"2024-01-02T01:00:00.000Z","event":{"code":"4672","provider":"Microsoft-Windows-Security-Auditing","outcome":"success"},"host":{"name":"C17"},"winlog":{"channel":"Security","provider_name":"Microsoft-Windows-Security-Auditing","event_id":"4672","computer_name":"C17","event_data":{"SubjectUserName":"U12","SubjectDomainName":"DOM1"}}}',
    'u12 c17 c17 4672 ? ? success ? ? ? ? ? dom1'],
  ['TGT: the DC knows the client by address', ev({ orientation: 'TGT', dstHost: 'C17' }),
    '{"@timestamp":"2024-01-02T01:00:00.000Z","event":{"code":"4768","provider":"Microsoft-Windows-Security-Auditing","outcome":"success"},"host":{"name":"C586"},"winlog":{"channel":"Security","provider_name":"Microsoft-Windows-Security-Auditing","event_id":"4768","computer_name":"C586","event_data":{"TargetUserName":"U12","TargetDomainName":"DOM1","IpAddress":"::ffff:10.0.0.1","TicketOptions":"0x40810010","TicketEncryptionType":"0x12","Status":"0x0"}}}',
    'u12 10.0.0.1 c586 4768 Kerberos ? success 0x0 ? 0x40810010 0x12 ? dom1'],
  ['failed pre-authentication', ev({ orientation: 'TGT', dstHost: 'C17', success: false }),
    '{"@timestamp":"2024-01-02T01:00:00.000Z","event":{"code":"4771","provider":"Microsoft-Windows-Security-Auditing","outcome":"failure"},"host":{"name":"C586"},"winlog":{"channel":"Security","provider_name":"Microsoft-Windows-Security-Auditing","event_id":"4771","computer_name":"C586","event_data":{"TargetUserName":"U12","IpAddress":"::ffff:10.0.0.1","TicketOptions":"0x40810010","Status":"0x18"}}}',
    'u12 10.0.0.1 c586 4771 Kerberos ? failure 0x18 ? 0x40810010 ? ? ?'],
  ['TGS names the service host', ev({ orientation: 'TGS' }),
    '{"@timestamp":"2024-01-02T01:00:00.000Z","event":{"code":"4769","provider":"Microsoft-Windows-Security-Auditing","outcome":"success"},"host":{"name":"C586"},"winlog":{"channel":"Security","provider_name":"Microsoft-Windows-Security-Auditing","event_id":"4769","computer_name":"C586","event_data":{"TargetUserName":"U12","TargetDomainName":"DOM1","ServiceName":"C586$","IpAddress":"::ffff:10.0.0.1","TicketOptions":"0x40810000","TicketEncryptionType":"0x12","Status":"0x0"}}}',
    'u12 10.0.0.1 c586 4769 Kerberos ? success 0x0 ? 0x40810000 0x12 ? dom1'],
];

describe('windows rendering golden lines', () => {
  const render = windowsRendering(ent, new AddressPlan(ent.hosts.keys()));
  const adapter = createAdapter('windows');
  it.each(GOLDEN)('%s', (_, event, line, fields) => {
    const doc = render.event(event);
    expect(JSON.stringify(doc)).toBe(line);
    const read = adapter.parse(doc, source) as { time: number; fields: string[] };
    expect(read.time).toBe(Date.UTC(2024, 0, 2, 1) / 1000);
    expect(read.fields.join(' ')).toBe(fields);
  });
});

describe('web login rendering golden line', () => {
  it('writes ECS names and reads back enriched', () => {
    const doc = loginDocument({
      time: 3 * 86400 + 9.5 * 3600, user: 'u12', ip: '2.160.0.9', app: 'mail', success: false,
      agent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
    });
    expect(JSON.stringify(doc)).toBe(
      '{"@timestamp":"2024-01-04T09:30:00.000Z","user":{"id":"u12"},"source":{"ip":"2.160.0.9"},"user_agent":{"original":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"},"event":{"outcome":"failure"},"app":"mail"}',
    );
    const read = createAdapter('weblogin').parse(doc, source) as { fields: string[] };
    expect(read.fields.join(' ')).toBe('u12 2.160.0.9 mail DE AS3320 Chrome Windows desktop failure ?');
  });
});
