// Cleaners of Zeek's authentication, Windows-service and alert logs (kerberos, ntlm, smb_files, smb_mapping,
// dce_rpc, rdp, ssh, weird, notice): each record's security-relevant features as tokens (see zeek-fields.ts).
import { ABSENT } from './names.js';
import { extension, kerberosCipherClass, shareKind, sshClientFamily } from './zeek-classes.js';
import { durationBucket, logBucket } from './zeek-features.js';
import { outcomeOf, type Cleaner } from './zeek-fields.js';
import { bool, num, str } from './zeek-values.js';

/** The service class a Kerberos ticket is for (`krbtgt`, `cifs`, `host`, `ldap`, ...): the part before `/`. */
function serviceClass(service: string | undefined): string {
  if (service === undefined) return ABSENT;
  // `krbtgt/DMEVALS.LOCAL`, `cifs/fs1.corp`, or a bare account with its realm (`utica$@dmevals.local`)
  const head = (service.split('/')[0] as string).split('@')[0] as string;
  // a ticket for an account name (`user$`) rather than a service: what S4U and some Kerberoasting requests name
  return head.endsWith('$') ? 'account' : head.toLowerCase();
}

const kerberos: Cleaner = (r) => {
  const error = str(r, 'error_msg') ?? str(r, 'error_code');
  const success = bool(r, 'success');
  return {
    action: str(r, 'request_type'),
    outcome: outcomeOf(success),
    // KDC_ERR_PREAUTH_FAILED (a wrong password), KDC_ERR_C_PRINCIPAL_UNKNOWN (user enumeration), ...
    code: error ?? (success === true ? 'none' : ABSENT),
    cipher: kerberosCipherClass(str(r, 'cipher')),
    flags: [bool(r, 'forwardable') ? 'F' : '', bool(r, 'renewable') ? 'R' : ''].join('') || 'none',
    detail: serviceClass(str(r, 'service')),
  };
};

const ntlm: Cleaner = (r) => ({
  action: 'authenticate',
  outcome: outcomeOf(bool(r, 'success')),
  // Zeek 3+ drops `status`; older logs have the NT status name (STATUS_LOGON_FAILURE, ...)
  code: str(r, 'status'),
  // an empty user name is an anonymous (null session) logon
  detail: str(r, 'username') === undefined ? 'anonymous' : 'named',
});

const smb_files: Cleaner = (r) => ({
  action: str(r, 'action')?.replace(/^SMB::/, ''),
  detail: shareKind(str(r, 'path')),
  mime: extension(str(r, 'name')),
  size: logBucket(num(r, 'size')),
});

const smb_mapping: Cleaner = (r) => ({
  action: str(r, 'share_type'),
  service: str(r, 'service'),
  detail: shareKind(str(r, 'path')),
  version: str(r, 'native_file_system'),
});

const dce_rpc: Cleaner = (r) => ({
  service: str(r, 'endpoint'),
  action: str(r, 'operation'),
  duration: durationBucket(num(r, 'rtt')),
  detail: str(r, 'named_pipe'),
});

const rdp: Cleaner = (r) => ({
  outcome: str(r, 'result'),
  cipher: str(r, 'encryption_method') ?? str(r, 'encryption_level'),
  detail: str(r, 'security_protocol'),
  version: str(r, 'client_build'),
  // the cookie is the user name mstsc sends: its presence, not its value (per-user values belong to an entity)
  flags: str(r, 'cookie') === undefined ? 'no_cookie' : 'cookie',
  cert: str(r, 'cert_type'),
});

const ssh: Cleaner = (r) => ({
  outcome: outcomeOf(bool(r, 'auth_success')),
  size: logBucket(num(r, 'auth_attempts')),
  version: str(r, 'version'),
  agent: sshClientFamily(str(r, 'client')),
  cipher: str(r, 'cipher_alg'),
  detail: str(r, 'direction'),
});

const weird: Cleaner = (r) => ({
  action: str(r, 'name'),
  outcome: bool(r, 'notice') === true ? 'noticed' : 'logged',
  detail: str(r, 'source') ?? str(r, 'peer'),
});

const notice: Cleaner = (r) => ({
  action: str(r, 'note'),
  service: str(r, 'proto'),
  mime: str(r, 'file_mime_type'),
});

export const AUTH_CLEANERS: Readonly<Record<string, Cleaner>> = Object.freeze({ kerberos, ntlm, smb_files, smb_mapping, dce_rpc, rdp, ssh, weird, notice });
