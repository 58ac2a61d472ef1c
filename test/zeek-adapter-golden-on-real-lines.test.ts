// The zeek adapter on real records of the shared captures, TSV and JSON, each field worked out by hand from the
// record (see the comments): the cleaners' buckets, ratios, scopes, classes and flags. The records are read in place.
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../src/core/event.js';
import { readEvents } from '../src/adapters/read.js';
import { createAdapter } from '../src/adapters/registry.js';
import { ZEEK_FIELDS } from '../src/adapters/zeek-fields.js';
import { hasSharedData, shared } from './support/env.js';

/** The first event of `file` whose uid is `uid`, as the adapter reads the file (TSV headers and all). */
async function eventOf(file: string, uid: string): Promise<CanonicalEvent> {
  for await (const item of readEvents([file], createAdapter('zeek'), undefined, true)) if (item.event?.entities.uid === uid) return item.event;
  throw new Error(`no record of uid ${uid} in ${file}`);
}

/** The event's fields by name, leaving out the absent ones. */
function named(e: CanonicalEvent): Record<string, string> {
  return Object.fromEntries(ZEEK_FIELDS.map((f, i) => [f, e.fields[i] as string]).filter(([, v]) => v !== '?'));
}

describe.runIf(hasSharedData())('zeek adapter golden records', () => {
  it('conn, TSV with Stratosphere label columns: sizes, ratios, duration, history flags', async () => {
    const e = await eventOf(shared('zeek', 'stratosphere-labeled', '008-zeek-mixed', 'conn.log.labeled.gz'), 'CHLXQF2OBY4onAR0Ug');
    // 1655071198.444458 147.32.81.167:62771 → 40.74.108.123:443 tcp ssl 1.135424 s, 1596 / 4039 bytes, SF,
    // missed 5138, history ShADdaFf, 14 / 16 packets; the label columns are not features
    expect(e.time).toBeCloseTo(1655071198.444458, 6);
    // no l2 addresses nor dhcp in this capture: each host is named by its address
    expect(e.entities).toEqual({ uid: 'CHLXQF2OBY4onAR0Ug', src_ip: '147.32.81.167', dst_ip: '40.74.108.123', src_host: '147.32.81.167', dst_host: '40.74.108.123' });
    expect(named(e)).toEqual({
      log_type: 'conn', service: 'ssl', src_scope: 'public', dst_scope: 'public', dst_port: '443', action: 'tcp', state: 'SF',
      flags: 'SHDdFf', // S, h (counted as H), D, d, F, f; A and a (acks) carry nothing
      duration: 'seconds', // 1 ≤ 1.135 < 10
      size: 'b12', // log2(1 + 5635) = 12.46
      bytes_ratio: 'r-1', // log2(1597 / 4040) = -1.34
      pkts_ratio: 'r0', // log2(15 / 17) = -0.18
      detail: 'missed_bytes',
    });
    expect(e.fields).not.toContain('Benign');
  });

  it('ssl, the same WRCCDC record in TSV and JSON: cipher class, certificate verdict, no SNI', async () => {
    const tsv = await eventOf(shared('zeek', 'zeek-default', 'ssl.log.gz'), 'CmC9kY1X0u9nP78KZc');
    const json = await eventOf(shared('zeek', 'zeek-json', 'ssl.json.gz'), 'CmC9kY1X0u9nP78KZc');
    const want = {
      log_type: 'ssl', src_scope: 'private', dst_scope: 'private', dst_port: '443', version: 'TLSv10',
      cipher: 'pfs_cbc', // TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA
      cert: 'unknown_issuer', // "unable to get local issuer certificate"
      outcome: 'established', flags: 'full', detail: 'no_sni',
    };
    expect(named(tsv)).toEqual(want);
    expect(named(json)).toEqual(want);
    expect(json.time).toBeCloseTo(1521911720.615923, 6);
  });

  it('http, TSV: method, status class, body ratio, URI length and entropy, host by name', async () => {
    const e = await eventOf(shared('zeek', 'stratosphere-labeled', '008-zeek-mixed', 'http.log.labeled.gz'), 'C5hVfL2fjFRPxB5V3d');
    // 147.32.81.167 (a university address, public) POST i4.c.eset.com /livegrid, 277 bytes up, 697 down, 200; no user agent, no MIME types
    expect(named(e)).toEqual({
      log_type: 'http', src_scope: 'public', dst_scope: 'public', dst_port: '80', action: 'POST', code: '2xx',
      size: 'b9', // log2(698) = 9.45
      bytes_ratio: 'r-1', // log2(278 / 698) = -1.33
      name_len: 'l8', // 9 characters
      name_entropy: 'e2.5', // 2.95 bits: `i` twice, 7 others once
      detail: 'name_host',
    });
  });

  it('dns, OTRF JSON (underscored names, epoch ts): qtype, rcode, answered, header flags, name length and entropy', async () => {
    const e = await eventOf(shared('zeek', 'otrf-apt29', 'day1', 'NASHUA_dns.log'), 'Cvf4XX17hSAgXDdGEd');
    // the dns log read alone carries no l2 address: the hosts are their addresses
    expect(e.entities).toEqual({ uid: 'Cvf4XX17hSAgXDdGEd', src_ip: '10.0.1.6', dst_ip: '10.0.0.4', src_host: '10.0.1.6', dst_host: '10.0.0.4' });
    expect(named(e)).toEqual({
      log_type: 'dns', service: 'udp', src_scope: 'private', dst_scope: 'private', dst_port: '53', action: 'A', code: 'NOERROR',
      outcome: 'answered', flags: 'AARDRA', duration: 'instant', // rtt 1.5 ms
      name_len: 'l16', // newyork.dmevals.local: 21 characters
      name_entropy: 'e3.5', // 3.78 bits
    });
  });

  it('kerberos, OTRF JSON: a failed AS request and its KDC error', async () => {
    const e = await eventOf(shared('zeek', 'otrf-apt29', 'day1', 'NASHUA_kerberos.log'), 'CwVGDs3YtoDpSkn2S2');
    expect(named(e)).toEqual({
      log_type: 'kerberos', src_scope: 'private', dst_scope: 'private', dst_port: '88', action: 'AS', outcome: 'failure',
      code: 'KDC_ERR_PREAUTH_REQUIRED', flags: 'FR', detail: 'krbtgt',
    });
  });

  it('smb_mapping, OTRF JSON: the share type and the IPC$ share', async () => {
    const e = await eventOf(shared('zeek', 'otrf-apt29', 'day1', 'NASHUA_smb_mapping.log'), 'CJ21Le4zsTUcyKKi98');
    expect(named(e)).toEqual({ log_type: 'smb_mapping', src_scope: 'private', dst_scope: 'private', dst_port: '445', action: 'PIPE', detail: 'ipc$' });
  });

  it('ntlm, WRCCDC TSV: an anonymous successful logon', async () => {
    const e = await eventOf(shared('zeek', 'zeek-default', 'ntlm.log.gz'), 'CGLspW1BuwJH6YxjK6');
    expect(named(e)).toEqual({ log_type: 'ntlm', src_scope: 'private', dst_scope: 'private', dst_port: '445', action: 'authenticate', outcome: 'success', detail: 'anonymous' });
  });
});
