// Families of the free-text values Zeek logs carry (user agents, TLS and Kerberos ciphers, certificate checks, SMB
// shares): a small closed set of tokens each, so the models learn "a script fetched this" rather than a version string.
import { ABSENT } from './names.js';

/** User-agent families, first match wins: tools and scripts before browsers, which all claim `Mozilla`. */
const AGENT_FAMILIES: readonly (readonly [RegExp, string])[] = [
  [/nmap|nikto|sqlmap|masscan|zgrab|zmap|nessus|openvas|dirbuster|gobuster|wpscan|acunetix|censys|shodan/i, 'scanner'],
  [/powershell/i, 'powershell'],
  [/^curl\//i, 'curl'],
  [/^wget\//i, 'wget'],
  [/python|aiohttp|urllib/i, 'python'],
  [/go-http-client/i, 'go'],
  [/^java\/|okhttp|apache-httpclient/i, 'java'],
  [/bitsadmin|microsoft bits/i, 'bits'],
  [/microsoft-cryptoapi/i, 'cryptoapi'],
  [/windows-update-agent|microsoft-delivery-optimization/i, 'windows_update'],
  [/davclnt|microsoft-webdav/i, 'webdav'],
  // vendors' update agents (ESET's `EES Update (Windows; ...)`): routine, and unlike a browser
  [/\bupdate\b|updater/i, 'updater'],
  [/edg(?:e|a|ios)?\//i, 'edge'],
  [/chrome\/|crios\//i, 'chrome'],
  [/firefox\/|fxios\//i, 'firefox'],
  [/msie |trident\//i, 'msie'],
  [/safari\//i, 'safari'],
  [/^mozilla\//i, 'mozilla_other'],
];

export function agentFamily(ua: string | undefined): string {
  if (ua === undefined || ua.trim() === '') return ABSENT;
  for (const [re, family] of AGENT_FAMILIES) if (re.test(ua)) return family;
  return 'other';
}

/**
 * A TLS cipher suite as its key exchange and its bulk cipher's strength: `weak` (NULL, export, anonymous, RC4,
 * single DES), else `<pfs|static>_<aead|cbc>`; TLS 1.3 suites (`TLS_AES_128_GCM_SHA256`) are forward secret AEAD.
 */
export function tlsCipherClass(cipher: string | undefined): string {
  if (cipher === undefined) return ABSENT;
  const c = cipher.toUpperCase();
  if (/NULL|EXPORT|_ANON_|RC4|_DES_|DES40/.test(c)) return 'weak';
  const aead = /GCM|CHACHA20|CCM/.test(c);
  if (/^TLS_(?:AES|CHACHA20)_/.test(c)) return 'pfs_aead';
  const pfs = /DHE|ECDHE/.test(c);
  return `${pfs ? 'pfs' : 'static'}_${aead ? 'aead' : 'cbc'}`;
}

/** A Kerberos encryption type by family: `rc4` (what Kerberoasting asks for), `des`, `aes`, or the name itself. */
export function kerberosCipherClass(cipher: string | undefined): string {
  if (cipher === undefined) return ABSENT;
  const c = cipher.toLowerCase();
  if (c.includes('rc4') || c.includes('arcfour')) return 'rc4';
  if (c.includes('des') && !c.includes('des3')) return 'des';
  if (c.includes('aes')) return 'aes';
  return c;
}

/** Zeek's (OpenSSL's) certificate validation message as a status. */
export function validationClass(status: string | undefined): string {
  if (status === undefined) return ABSENT;
  const s = status.toLowerCase();
  if (s === 'ok') return 'ok';
  if (s.includes('self signed certificate in certificate chain')) return 'self_signed_chain';
  if (s.includes('self signed') || s.includes('self-signed')) return 'self_signed';
  if (s.includes('expired')) return 'expired';
  if (s.includes('not yet valid')) return 'not_yet_valid';
  if (s.includes('unable to get local issuer') || s.includes('unable to get issuer')) return 'unknown_issuer';
  return 'invalid';
}

/**
 * A share by what it gives access to: `admin$`, a drive's hidden share (`drive$`), `ipc$`, `sysvol`, `netlogon`,
 * `print$`, another hidden share (`hidden$`), or a plain `share` (lateral movement goes through the first two).
 */
export function shareKind(path: string | undefined): string {
  if (path === undefined) return ABSENT;
  const name = path.split(/[\\/]/).filter(Boolean).pop()?.toUpperCase() ?? '';
  if (name === '') return ABSENT;
  if (name === 'ADMIN$' || name === 'IPC$' || name === 'PRINT$') return name.toLowerCase();
  if (/^[A-Z]\$$/.test(name)) return 'drive$';
  if (name === 'SYSVOL' || name === 'NETLOGON') return name.toLowerCase();
  return name.endsWith('$') ? 'hidden$' : 'share';
}

/** A file name's extension (`ext:exe`), when it has a short alphanumeric one. */
export function extension(name: string | undefined): string {
  const m = name === undefined ? null : /\.([A-Za-z0-9]{1,5})$/.exec(name);
  return m ? `ext:${(m[1] as string).toLowerCase()}` : ABSENT;
}

/** An SSH client's software family (`SSH-2.0-OpenSSH_8.9p1` → `openssh`). */
export function sshClientFamily(client: string | undefined): string {
  if (client === undefined) return ABSENT;
  const m = /^SSH-[\d.]+-([A-Za-z]+)/.exec(client);
  return m ? (m[1] as string).toLowerCase() : 'other';
}

/** Text length in steps of 8 characters, capped at 128 (long DNS names and URIs stand out). */
export function lengthBucket(text: string | undefined): string {
  return text === undefined ? ABSENT : `l${Math.min(128, Math.floor(text.length / 8) * 8)}`;
}
