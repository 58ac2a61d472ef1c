// The building blocks of the Zeek cleaners on values whose class is known from the standards and vendors that define
// them: RFC 1918 / 6598 / 4193 scopes, IANA port ranges, TLS suites by key exchange and cipher mode, Kerberos
// encryption types, OpenSSL's validation messages, Windows share names, and the log scales at their edges.
import { describe, expect, it } from 'vitest';
import { agentFamily, kerberosCipherClass, lengthBucket, shareKind, sshClientFamily, tlsCipherClass, validationClass } from '../src/adapters/zeek-classes.js';
import { addressScope, durationBucket, entropyBucket, historyFlags, logBucket, logRatio, portClass } from '../src/adapters/zeek-features.js';

describe('zeek cleaner features', () => {
  it('address scope by RFC range, both families', () => {
    const cases: Record<string, string> = {
      '10.1.2.3': 'private', '172.16.0.1': 'private', '172.31.255.255': 'private', '172.32.0.1': 'public', '192.168.1.1': 'private',
      '100.64.0.1': 'shared', '100.128.0.1': 'public', '127.0.0.1': 'loopback', '169.254.1.1': 'link_local', '224.0.0.251': 'multicast',
      '255.255.255.255': 'broadcast', '0.0.0.0': 'unspecified', '8.8.8.8': 'public', '::ffff:10.0.0.1': 'private', 'fe80::1': 'link_local',
      'fd00::1': 'private', 'ff02::fb': 'multicast', '::1': 'loopback', '2001:db8::1': 'public', '999.1.1.1': '?', 'host': '?',
    };
    for (const [addr, scope] of Object.entries(cases)) expect(addressScope(addr), addr).toBe(scope);
  });

  it('ports: named services by number, the rest by IANA range; ICMP type apart', () => {
    expect([445, 3389, 1023, 1024, 49151, 49152, 8].map((p) => portClass(p, 'tcp'))).toEqual(['445', '3389', 'well_known', 'registered', 'registered', 'dynamic', 'well_known']);
    expect(portClass(8, 'icmp')).toBe('icmp_8');
  });

  it('log scales and ratios at their edges', () => {
    expect([0, 1, 2, 3, 1023, 1024].map((n) => logBucket(n))).toEqual(['b0', 'b1', 'b1', 'b2', 'b10', 'b10']);
    expect([logRatio(0, 0), logRatio(1e9, 0), logRatio(0, 1e9), logRatio(3, 1), logRatio(undefined, 1)]).toEqual(['r0', 'r+8', 'r-8', 'r+1', '?']);
    expect([0, 0.0099, 0.5, 9.9, 59, 599, 3599, 3600].map((s) => durationBucket(s))).toEqual(['instant', 'instant', 'sub_second', 'seconds', 'minute', 'minutes', 'hour', 'long']);
    expect([entropyBucket('aaaa'), entropyBucket('ab'), entropyBucket('abcd'), lengthBucket('a'.repeat(300))]).toEqual(['e0.0', 'e1.0', 'e2.0', 'l128']);
  });

  it('history flags: the letters that matter, in a fixed order, without ACKs and repeats', () => {
    expect(historyFlags('ShADadFf')).toBe('SHDdFf');
    expect(historyFlags('S')).toBe('S');
    expect(historyFlags('ShADadtTcCwWR')).toBe('SHDdRTtCcWw');
    expect(historyFlags('ShADdaTTTgF')).toBe('SHDdFTg');
    expect(historyFlags('^hADad')).toBe('HDd^');
    expect(historyFlags('')).toBe('none');
  });

  it('TLS and Kerberos ciphers, certificate verdicts', () => {
    expect(tlsCipherClass('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256')).toBe('pfs_aead');
    expect(tlsCipherClass('TLS_RSA_WITH_AES_256_CBC_SHA')).toBe('static_cbc');
    expect(tlsCipherClass('TLS_DHE_RSA_WITH_AES_256_CBC_SHA256')).toBe('pfs_cbc');
    expect(tlsCipherClass('TLS_AES_256_GCM_SHA384')).toBe('pfs_aead');
    expect(['TLS_RSA_WITH_RC4_128_SHA', 'TLS_RSA_EXPORT_WITH_DES40_CBC_SHA', 'TLS_DH_anon_WITH_AES_128_CBC_SHA', 'TLS_RSA_WITH_NULL_SHA'].map(tlsCipherClass)).toEqual(['weak', 'weak', 'weak', 'weak']);
    expect(['rc4-hmac', 'aes256-cts-hmac-sha1-96', 'des-cbc-md5', 'des3-cbc-sha1'].map(kerberosCipherClass)).toEqual(['rc4', 'aes', 'des', 'des3-cbc-sha1']);
    expect(['ok', 'self signed certificate', 'self signed certificate in certificate chain', 'certificate has expired', 'unable to get local issuer certificate', 'certificate is not yet valid', 'bad signature'].map(validationClass))
      .toEqual(['ok', 'self_signed', 'self_signed_chain', 'expired', 'unknown_issuer', 'not_yet_valid', 'invalid']);
  });

  it('shares, user agents and SSH clients by family', () => {
    expect(['\\\\DC\\ADMIN$', '\\\\fs\\C$', '\\\\DC\\IPC$', '\\\\corp.local\\SYSVOL', '\\\\fs\\backup$', '\\\\fs\\Public', ''].map(shareKind))
      .toEqual(['admin$', 'drive$', 'ipc$', 'sysvol', 'hidden$', 'share', '?']);
    expect(['curl/8.1.2', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/94.0.4606.81 Safari/537.36',
      'Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.19041.1', 'Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)',
      'python-requests/2.31', 'Microsoft-CryptoAPI/10.0', 'Mozilla/5.0 (Windows NT 10.0; rv:109.0) Gecko/20100101 Firefox/115.0', 'EES Update (Windows; U; 64bit)', 'X', undefined].map(agentFamily))
      .toEqual(['curl', 'chrome', 'powershell', 'scanner', 'python', 'cryptoapi', 'firefox', 'updater', 'other', '?']);
    expect(['SSH-2.0-OpenSSH_8.9p1', 'SSH-2.0-PuTTY_Release_0.78', 'SSH-2.0-libssh2_1.10', 'junk'].map(sshClientFamily)).toEqual(['openssh', 'putty', 'libssh', 'other']);
  });
});
