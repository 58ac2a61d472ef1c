// Property-based fuzzing (fast-check) of the windows, authlog, weblogin and zeek adapters: mutated records and arbitrary
// text either parse (an event with every field a string and a finite time, or a reasoned skip), or are refused with
// a located, bounded AdapterError; nothing else is ever thrown. SEQSENTRY_FUZZ_RUNS=N runs the long mode.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isNoEvent, type Adapter } from '../src/adapters/adapter.js';
import { createAdapter } from '../src/adapters/registry.js';
import { AdapterError, MAX_REASON_CHARS } from '../src/core/errors.js';

const RUNS = Number(process.env.SEQSENTRY_FUZZ_RUNS ?? 300);
const TIMEOUT = RUNS > 1000 ? 3_600_000 : 120_000;
const src = { file: 'fuzz', line: 7 };
const property = <T>(arb: fc.Arbitrary<T>, run: (v: T) => void) =>
  fc.assert(fc.property(arb, run), { numRuns: RUNS, seed: Number(process.env.SEQSENTRY_FUZZ_SEED ?? 20261205) });

function parseOrRefuse(format: string, options: Record<string, unknown>, record: string | Record<string, unknown>): void {
  readOrRefuse(createAdapter(format, options), record);
}

/** One record through an adapter that may hold state from the records before (Zeek's TSV headers). */
function readOrRefuse(adapter: Adapter, record: string | Record<string, unknown>): void {
  try {
    const e = adapter.parse(record, src);
    if (e === null) return;
    if (isNoEvent(e)) {
      expect(typeof e.skip).toBe('string');
      expect(e.skip.length).toBeLessThan(200);
      return;
    }
    expect(Number.isFinite(e.time)).toBe(true);
    expect(e.fields).toHaveLength(adapter.fieldNames.length);
    for (const f of e.fields) expect(typeof f).toBe('string');
    for (const name of adapter.entityNames) expect(typeof e.entities[name]).toBe('string');
  } catch (err) {
    expect(err).toBeInstanceOf(AdapterError);
    expect((err as AdapterError).line).toBe(7);
    expect((err as Error).message.length).toBeLessThan(MAX_REASON_CHARS + 200);
  }
}

/** Replaces, deletes or retypes members of a record, at the top or one level down. */
const mutate = (bases: Record<string, unknown>[], keys: string[]) =>
  fc.tuple(fc.constantFrom(...bases), fc.array(fc.tuple(fc.constantFrom(...keys), fc.option(fc.jsonValue(), { nil: undefined })), { maxLength: 5 })).map(([doc, edits]) => {
    const d = structuredClone(doc);
    for (const [key, value] of edits) {
      const [head, tail] = key.split('/') as [string, string | undefined];
      const target = tail !== undefined && d[head] !== null && typeof d[head] === 'object' ? (d[head] as Record<string, unknown>) : d;
      const k = tail ?? head;
      if (value === undefined) delete target[k];
      else target[k] = value;
    }
    return d;
  });

const WINDOWS_BASES: Record<string, unknown>[] = [
  { '@timestamp': '2020-06-10T02:51:03.645Z', EventID: 4624, Hostname: 'DC.corp.local', TargetUserName: 'CORP\\Alice', TargetDomainName: 'CORP', WorkstationName: 'WS1', IpAddress: '::ffff:10.0.0.5', LogonType: '3', AuthenticationPackageName: 'Kerberos', ElevatedToken: '%%1842', Keywords: -9214364837600034816 },
  { EventID: '4771', TimeCreated: '2021-12-02 14:54:21.232643', Channel: 'Security', Provider: 'Microsoft-Windows-Security-Auditing', Computer: 'rootdc1.offsec.lan', EventData: { TargetUserName: 'bob', Status: '0x00000018', IpAddress: '::ffff:10.23.123.11', TicketOptions: '0x50800000' } },
  { '@timestamp': '2024-01-02T03:04:05Z', winlog: { event_id: 4769, channel: 'Security', provider_name: 'Microsoft-Windows-Security-Auditing', computer_name: 'DC', event_data: { TargetUserName: 'carol@CORP.LOCAL', ServiceName: 'FS01$', TicketEncryptionType: '0x17', Status: '0x0' } } },
  { Event: { System: { EventID: { '#text': 4625 }, TimeCreated: { '#attributes': { SystemTime: '2024-01-02T03:04:05.123Z' } }, Computer: 'WS1', Channel: 'Security' }, EventData: { TargetUserName: 'dave', Status: '0xC000006D', SubStatus: '0xC000006A' } } },
];
const WINDOWS_KEYS = ['@timestamp', 'EventID', 'TimeCreated', 'Hostname', 'Computer', 'Channel', 'Provider', 'TargetUserName', 'IpAddress', 'Status', 'Keywords', 'EventData', 'EventData/TargetUserName', 'EventData/Status', 'winlog', 'winlog/event_id', 'winlog/event_data', 'Event', 'Event/System', '_source'];

const PROGRAMS = ['sshd[12]', 'sudo', 'su[3]', 'CRON[4]', 'systemd-logind[5]', 'sshd(pam_unix)[6]', 'useradd[7]', 'klogind[8]', 'kernel', '[sshd]', 'x y z'];
const MESSAGES = [
  'Accepted publickey for alice from 10.0.0.1 port 22 ssh2: RSA SHA256:x', 'Failed password for invalid user admin from 203.0.113.9 port 4 ssh2',
  'Invalid user  from 1.2.3.4', 'Connection closed by 1.2.3.4 port 5 [preauth]', 'message repeated 3 times: [ Failed password for root from 1.2.3.4 port 5 ssh2]',
  'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=h.example  user=root', 'PAM 2 more authentication failures; rhost=1.2.3.4',
  'pam_unix(sudo:session): session opened for user root by alice(uid=0)', 'alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/id', 'Successful su for root by alice',
  'New session 5 of user alice.', '(root) CMD (run-parts /etc/cron.hourly)', 'error: PAM: Authentication failure for bob from host via 10.0.0.1',
];
const STAMPS = ['Mar 27 13:06:56', 'Dec 31 23:59:59', 'Feb 29 12:00:00', 'Foo 1 00:00:00', '2024-03-27T13:06:56.123456+01:00', '<38>1 2019-07-08T17:40:17Z', 'Jan  5 01:31:41.5'];
const authLine = fc.tuple(fc.constantFrom(...STAMPS), fc.oneof(fc.constantFrom('gw', 'host.example.org', ''), fc.string({ maxLength: 8 })), fc.constantFrom(...PROGRAMS),
  fc.oneof(fc.constantFrom(...MESSAGES), fc.string(), fc.constantFrom(...MESSAGES).chain((m) => fc.nat(m.length).map((n) => m.slice(0, n)))))
  .map(([t, h, p, m]) => `${t} ${h} ${p}: ${m}`);

const WEB_BASES: Record<string, unknown>[] = [
  { userID: 'u-1', timestamp: '1733400000123456789', location: '8.8.8.8', userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0.0.0 Safari/537.36' },
  { '@timestamp': '2024-12-05T10:00:00Z', user: { id: 'bob' }, source: { ip: '2606:4700:4700::1111' }, event: { outcome: 'failure' }, app: 'portal' },
];
const WEB_KEYS = ['userID', 'timestamp', 'location', 'userAgent', 'outcome', '@timestamp', 'user', 'user/id', 'source', 'source/ip', 'event/outcome', 'app', 'method'];

const ZEEK_BASES: Record<string, unknown>[] = [
  { _path: 'conn', ts: '2018-03-24T17:15:20.615923Z', uid: 'Ca', 'id.orig_h': '10.0.0.5', 'id.orig_p': 5, 'id.resp_h': '8.8.8.8', 'id.resp_p': 443, proto: 'tcp', duration: 1.5, orig_bytes: 10, resp_bytes: 0, conn_state: 'SF', history: 'ShADadFf', orig_pkts: 3, resp_pkts: 4 },
  { '@stream': 'dns', ts: 1588205199.82437, uid: 'Cb', id_orig_h: 'fe80::1', id_resp_h: '10.0.0.4', id_resp_p: 53, query: 'a.example', qtype_name: 'A', answers: ['1.2.3.4'], AA: true },
  { _path: 'x509', ts: 1.5, id: 'F1', 'certificate.subject': 'CN=a', 'certificate.issuer': 'CN=a', 'certificate.not_valid_after': 0, 'certificate.key_length': 2048 },
  { _path: 'files', ts: 2, fuid: 'F1', conn_uids: ['Cc'], tx_hosts: ['10.0.0.4'], rx_hosts: ['10.0.0.5'], mime_type: 'text/plain', seen_bytes: 5, filename: 'a.exe' },
];
const ZEEK_KEYS = ['_path', '@stream', 'ts', 'uid', 'id.orig_h', 'id.resp_h', 'id.resp_p', 'id_orig_h', 'proto', 'duration', 'orig_bytes', 'history', 'query', 'answers', 'conn_uids', 'tx_hosts', 'certificate.not_valid_after', 'status_code', 'user_agent', 'cipher', 'validation_status'];
const ZEEK_HEAD = ['#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', '#path\tconn', '#fields\tts\tuid\tid.orig_h\tid.resp_p\thistory\ttunnel_parents', '#types\ttime\tstring\taddr\tport\tstring\tset[string]'];
const zeekValue = fc.oneof(fc.constantFrom('-', '(empty)', '1521911720.5', 'Ca', '10.0.0.5', '443', 'ShAD', 'a,b', '\\x09', '\\\\'), fc.string({ maxLength: 12 }));

describe('fuzzing the windows, authlog, weblogin and zeek adapters', () => {
  it('windows: mutated records of every shape, and arbitrary text', () => {
    property(mutate(WINDOWS_BASES, WINDOWS_KEYS), (doc) => parseOrRefuse('windows', {}, doc));
    property(mutate(WINDOWS_BASES, WINDOWS_KEYS).map((d) => JSON.stringify(d)), (line) => parseOrRefuse('windows', {}, line));
    property(fc.string(), (line) => parseOrRefuse('windows', {}, line));
  }, TIMEOUT);

  it('authlog: syslog lines of mixed stamps, hosts, programs and cut or random messages; shipped documents', () => {
    property(authLine, (line) => parseOrRefuse('authlog', { year: 2024 }, line));
    property(fc.string(), (line) => parseOrRefuse('authlog', { year: 2024 }, line));
    property(fc.record({ message: fc.oneof(authLine, fc.jsonValue()), '@timestamp': fc.oneof(fc.constant('2024-01-01T00:00:00Z'), fc.jsonValue()) }), (doc) => parseOrRefuse('authlog', {}, doc));
  }, TIMEOUT);

  it('authlog: a hostile nesting of "message repeated" is read in one pass, not recursed into', () => {
    let message = 'Failed password for root from 203.0.113.9 port 5 ssh2';
    for (let i = 0; i < 20_000; i++) message = `message repeated 2 times: [ ${message}]`;
    const started = performance.now();
    parseOrRefuse('authlog', { year: 2024 }, `Mar 27 13:06:56 gw sshd[7]: ${message}`);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(createAdapter('authlog', { year: 2024 }).parse('Mar 27 13:06:56 gw sshd[7]: message repeated 2 times: [ message repeated 3 times: [ Failed password for a from 1.2.3.4 port 5 ssh2]]', src))
      .toEqual({ skip: 'sshd message of no authentication' }); // rsyslog never folds a fold
  });

  it('weblogin: mutated logins and arbitrary text', () => {
    property(mutate(WEB_BASES, WEB_KEYS), (doc) => parseOrRefuse('weblogin', {}, doc));
    property(fc.string(), (line) => parseOrRefuse('weblogin', {}, line));
  }, TIMEOUT);

  it('zeek: mutated JSON records, TSV lines after a header block (and headers mutated), arbitrary text', () => {
    property(mutate(ZEEK_BASES, ZEEK_KEYS), (doc) => parseOrRefuse('zeek', {}, doc));
    property(mutate(ZEEK_BASES, ZEEK_KEYS).map((d) => JSON.stringify(d)), (line) => parseOrRefuse('zeek', {}, line));
    property(fc.tuple(fc.array(zeekValue, { minLength: 1, maxLength: 8 }), fc.nat(ZEEK_HEAD.length), fc.string({ maxLength: 20 })), ([values, cut, junk]) => {
      const adapter = createAdapter('zeek');
      const head = ZEEK_HEAD.map((h, i) => (i === cut ? `${h}${junk}` : h));
      head.forEach((h) => readOrRefuse(adapter, h));
      readOrRefuse(adapter, values.join('\t'));
    });
    property(fc.string(), (line) => parseOrRefuse('zeek', { log_type: 'conn' }, line));
    for (const path of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(createAdapter('zeek').parse(JSON.stringify({ _path: path, ts: 1 }), src)).toEqual({ skip: `zeek log type ${path} is not one the zeek adapter reads` });
    }
  }, TIMEOUT);
});
