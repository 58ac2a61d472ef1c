// What the authentication programs of a Linux host write to auth.log, as canonical parts: one rule per message
// shape, per program (sshd, sudo, su, CRON, systemd-logind, useradd, klogind, login) and for PAM modules of any program.

/** A message's meaning: the action, its account, the remote end and how it authenticated. */
export interface Meaning {
  action: string;
  outcome: 'success' | 'failure';
  user?: string;
  /** The remote address or host name (sshd's `from`, PAM's `rhost`). */
  remote?: string;
  /** How it authenticated: password, publickey, keyboard-interactive/pam, pam, sudo, su, ... */
  auth?: string;
  /** The account acted as (sudo's USER=, su's target, PAM's "session opened for user"). */
  target?: string;
  /** rsyslog's "message repeated N times" and PAM's "N more authentication failures". */
  repeated?: number;
}

type Rule = readonly [RegExp, (m: RegExpExecArray) => Meaning | string];

/** `key=value` pairs of a PAM line (`logname= uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4  user=root`). */
function pamPairs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/(\w+)=(\S*)/g)) out[m[1] as string] = m[2] as string;
  return out;
}

/** The messages of a PAM module (pam_unix and the loghub `prog(pam_unix)` form), for any service. */
const PAM: readonly Rule[] = [
  [/^authentication failure; (.*)$/, (m) => {
    const kv = pamPairs(m[1] as string);
    // `ruser` is who asked (su's and sudo's acting user; empty for sshd), `user` the account tried: the acting user is
    // the event's user and the account its target, as a successful su names them. An empty `rhost` is no remote end:
    // the program's own rule (the host itself, or none for a network service) applies.
    return { action: 'auth_failure', outcome: 'failure', user: kv.ruser || kv.user, ...(kv.ruser ? { target: kv.user } : {}), ...(kv.rhost ? { remote: kv.rhost } : {}), auth: 'pam' };
  }],
  [/^check pass; user unknown$/, () => ({ action: 'unknown_user', outcome: 'failure', auth: 'pam' })],
  [/^session opened for user (\S+?)(?:\(uid=\d+\))?(?: by (\S*?)\(uid=\d+\))?$/, (m) => ({
    // sudo/su sessions are opened by the acting user for the target; sshd/cron ones by root for the user
    action: 'session_opened', outcome: 'success', user: m[2] || m[1], target: m[1],
  })],
  [/^session closed for user (\S+)$/, (m) => ({ action: 'session_closed', outcome: 'success', user: m[1], target: m[1] })],
  [/^password changed for (\S+)$/, (m) => ({ action: 'password_changed', outcome: 'success', user: m[1] })],
  [/^user "(.*)" does not exist in \/etc\/passwd$/, (m) => ({ action: 'unknown_user', outcome: 'failure', user: m[1] })],
];

/**
 * ` from HOST[ port N][ sshN]` at the end of the message or before `: ` (key details, a client's ruser): the last
 * such place, so a user name holding " from 10.0.0.1" (an injection fail2ban tests) does not give the host.
 */
const FROM_END = String.raw` from (\S+?)(?: port \d+)?(?: ssh[12])?(?:$|: | \[preauth\]$)`;

const SSHD: readonly Rule[] = [
  [new RegExp(`^Accepted (\\S+) for (.*?)${FROM_END}`), (m) => ({ action: 'accepted', outcome: 'success', auth: m[1], user: m[2], remote: m[3] })],
  [new RegExp(`^Failed (\\S+) for (invalid user |illegal user )?(.*?)${FROM_END}`), (m) => ({
    action: m[2] ? 'failed_invalid_user' : 'failed', outcome: 'failure', auth: m[1], user: m[3], remote: m[4],
  })],
  [new RegExp(`^(?:Invalid|Illegal) user (.*?)${FROM_END}`), (m) => ({ action: 'invalid_user', outcome: 'failure', user: m[1], remote: m[2] })],
  [/^input_userauth_request: (?:invalid|illegal) user (.*?) \[preauth\]$/, (m) => ({ action: 'invalid_user', outcome: 'failure', user: m[1] })],
  [/^User (\S+) from (\S+?) not allowed because/, (m) => ({ action: 'not_allowed', outcome: 'failure', user: m[1], remote: m[2] })],
  [/^ROOT LOGIN REFUSED FROM (\S+?)(?: port \d+)?(?: \[preauth\])?$/, (m) => ({ action: 'root_refused', outcome: 'failure', user: 'root', remote: m[1] })],
  [/^refused connect from \S+ \((\S+)\)$/, (m) => ({ action: 'refused_connect', outcome: 'failure', remote: m[1] })],
  // `error: PAM: Authentication failure for alice from host[ via 10.0.0.1]` (macOS, FreeBSD, old Linux)
  [/^PAM: (?:Authentication|authentication) (?:failure|error) for (?:illegal user |invalid user )?(.*?) from (\S+?)(?: via \S+)?$/, (m) => ({
    action: 'auth_failure', outcome: 'failure', user: m[1], remote: m[2], auth: 'pam',
  })],
  [/^PAM: User not known to the underlying authentication module for (?:illegal|invalid) user (.*?) from (\S+?)\s*$/, (m) => ({
    action: 'unknown_user', outcome: 'failure', user: m[1], remote: m[2], auth: 'pam',
  })],
  [/^maximum authentication attempts exceeded for (invalid user )?(.*?) from (\S+) port \d+/, (m) => ({
    action: m[1] ? 'max_attempts_invalid_user' : 'max_attempts', outcome: 'failure', user: m[2], remote: m[3],
  })],
  [/^Disconnecting: Too many authentication failures(?: for (?:invalid user )?(\S+))?/, (m) => ({ action: 'too_many_failures', outcome: 'failure', user: m[1] })],
  [/^Disconnecting (?:(?:invalid|authenticating) user (\S+) )?(\S+) port \d+: (.*)$/, (m) => ({
    action: /too many authentication failures/i.test(m[3] as string) ? 'too_many_failures' : 'preauth_disconnect', outcome: 'failure', user: m[1], remote: m[2],
  })],
  [/^PAM (\d{1,9}) more authentication failures?; (.*)$/, (m) => {
    const kv = pamPairs(m[2] as string);
    return { action: 'auth_failure', outcome: 'failure', user: kv.user, remote: kv.rhost, auth: 'pam', repeated: Number(m[1]) };
  }],
  // before authentication: the client went away or was sent away (scanners, brute force)
  [/^(Disconnected from|Connection closed by|Connection reset by) (?:(?:invalid|authenticating) user (.*?) )?(\S+?)(?: port \d+)? \[preauth\]$/, (m) => ({
    action: m[1] === 'Disconnected from' ? 'preauth_disconnect' : 'preauth_closed', outcome: 'failure', user: m[2], remote: m[3],
  })],
  // reason codes 3 (auth failed) and 14 (no supported methods) end a failed authentication, [preauth] any
  [/^Received disconnect from (\S+?)(?: port \d+)?:\s*(\d+):(.*)$/, (m) => {
    const failed = /\[preauth\]$/.test(m[3] as string) || m[2] === '3' || m[2] === '14';
    return { action: failed ? 'preauth_disconnect' : 'disconnected', outcome: failed ? 'failure' : 'success', remote: m[1] };
  }],
  [/^Did not receive identification string from (\S+)/, (m) => ({ action: 'no_identification', outcome: 'failure', remote: m[1] })],
  [/^Bad protocol version identification '.*' from (\S+?)(?: port \d+)?$/, (m) => ({ action: 'bad_protocol', outcome: 'failure', remote: m[1] })],
  [/^banner exchange: Connection from (\S+?)(?: port \d+)?: /, (m) => ({ action: 'bad_protocol', outcome: 'failure', remote: m[1] })],
  [/^kex_exchange_identification: /, () => ({ action: 'bad_protocol', outcome: 'failure' })],
  [/^Unable to negotiate with (\S+?)(?: port \d+)?:/, (m) => ({ action: 'negotiation_failed', outcome: 'failure', remote: m[1] })],
  [/^(?:Unable to negotiate a key exchange method|no matching \S+ found:).*\[preauth\]$/, () => ({ action: 'negotiation_failed', outcome: 'failure' })],
  [/^(?:Read from socket|Write) failed: Connection reset by peer \[preauth\]$/, () => ({ action: 'preauth_closed', outcome: 'failure' })],
  // after authentication: the end of a session
  [/^Disconnected from (?:user (\S+) )?(\S+) port \d+$/, (m) => ({ action: 'disconnected', outcome: 'success', user: m[1], remote: m[2] })],
  [/^Connection closed by user (\S+) (\S+) port \d+$/, (m) => ({ action: 'disconnected', outcome: 'success', user: m[1], remote: m[2] })],
  // newer sshd drops "[preauth]" here: a closed connection without a user never authenticated
  [/^Connection closed by (\S+?)(?: port \d+)?$/, (m) => ({ action: 'preauth_closed', outcome: 'failure', remote: m[1] })],
];

const SUDO: readonly Rule[] = [
  // `alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id`, or with a refusal before TTY
  [/^\s*(\S+) : (?:((?!TTY=|PWD=|USER=)[^;]*?) ; )?((?:TTY|PWD|USER)=.*)$/, (m) => {
    const target = /(?:^| )USER=(\S+)/.exec(m[3] as string)?.[1];
    return { action: m[2] ? 'sudo_refused' : 'sudo', outcome: m[2] ? 'failure' : 'success', user: m[1], target, auth: 'sudo' };
  }],
];

const SU: readonly Rule[] = [
  [/^(Successful|FAILED) su for (\S+) by (\S+)$/, (m) => ({ action: 'su', outcome: m[1] === 'FAILED' ? 'failure' : 'success', user: m[3], target: m[2], auth: 'su' })],
  // util-linux su: `(to root) alice on pts/0`
  [/^(FAILED SU )?\(to (\S+)\) (\S+) on (\S+)$/, (m) => ({ action: 'su', outcome: m[1] ? 'failure' : 'success', user: m[3], target: m[2], auth: 'su' })],
  // shadow su's `+ /dev/pts/0 alice:root` repeats the "Successful su" line before it
  [/^[+-] \S+ \S+:\S+$/, () => 'su terminal line (repeats the su line before it)'],
];

const CRON: readonly Rule[] = [[/^\((\S+)\) CMD \(/, (m) => ({ action: 'cron_command', outcome: 'success', user: m[1] })]];

const LOGIND: readonly Rule[] = [
  [/^New session (\S+) of user (.*?)\.$/, (m) => ({ action: 'new_session', outcome: 'success', user: m[2] })],
  [/^Removed session (\S+)\.$/, () => ({ action: 'session_removed', outcome: 'success' })],
  [/^Session (\S+) logged out\./, () => ({ action: 'session_logged_out', outcome: 'success' })],
];

const USERADD: readonly Rule[] = [
  [/^new user: name=([^,]+),/, (m) => ({ action: 'user_added', outcome: 'success', user: m[1] })],
  [/^failed adding user '(.*)', data deleted$/, (m) => ({ action: 'user_add_failed', outcome: 'failure', user: m[1] })],
];

const LOGIN: readonly Rule[] = [
  [/^ROOT LOGIN {1,2}ON (\S+)(?: FROM (\S+))?/i, (m) => ({ action: 'login', outcome: 'success', user: 'root', remote: m[2] })],
  [/^FAILED LOGIN (?:\(\d+\) |\d+ )?(?:on '?\S+?'? )?FROM '?(\S*?)'? FOR '?(\S+?)'?,/i, (m) => ({ action: 'login', outcome: 'failure', user: m[2], remote: m[1] })],
];

const KLOGIND: readonly Rule[] = [
  [/^Authentication failed from (\S+)/, (m) => ({ action: 'auth_failure', outcome: 'failure', remote: m[1], auth: 'kerberos' })],
  [/^Kerberos authentication failed/, () => ({ action: 'auth_failure', outcome: 'failure', auth: 'kerberos' })],
];

/** Per program (lower case), its rules; a program not here writes nothing this adapter reads. */
export const PROGRAM_RULES: Readonly<Record<string, readonly Rule[]>> = Object.freeze({
  sshd: SSHD, sudo: SUDO, su: SU, cron: CRON, crond: CRON, 'systemd-logind': LOGIND, useradd: USERADD, login: LOGIN, klogind: KLOGIND,
});

const PAM_PREFIX = /^(pam_\w+)\(([^:)]+):(\w+)\): (.*)$/;
const REPEATED = /^message repeated (\d{1,9}) times: \[ ?(.*)\]$/;
/** A severity (`error: `, `fatal: `) or Solaris message id (`[ID 800047 auth.info] `) before the message proper. */
const NOISE = /^(?:(?:error|fatal): |\[ID \d+ [\w.]+\] )+/;

/**
 * The meaning of one program's message; a string says why it is no event (a program or a message of no
 * authentication). `module` is the loghub form's PAM module (`sshd(pam_unix)`).
 */
export function interpret(program: string, module: string | undefined, message: string): Meaning | string {
  // rsyslog folds repeats of one message, never a fold: one level is unwrapped, so a hostile nesting costs one pass
  const repeat = REPEATED.exec(message);
  if (!repeat) return interpretOne(program, module, message);
  const inner = interpretOne(program, module, repeat[2] as string);
  return typeof inner === 'string' ? inner : { ...inner, repeated: Number(repeat[1]) * (inner.repeated ?? 1) };
}

function interpretOne(program: string, module: string | undefined, message: string): Meaning | string {
  const pam = PAM_PREFIX.exec(message);
  const pamRules = pam || module?.startsWith('pam_') ? PAM : undefined;
  const rules = pamRules ?? PROGRAM_RULES[program];
  if (!rules) return `not an authentication program: ${program.slice(0, 40)}`;
  const text = pam ? (pam[4] as string) : message.replace(NOISE, '');
  for (const [re, build] of rules) {
    const m = re.exec(text);
    if (m) {
      const meaning = build(m);
      // a PAM line's authentication is the module itself, unless the rule said otherwise
      return typeof meaning === 'string' || !pamRules ? meaning : { ...meaning, auth: meaning.auth ?? (pam?.[1] ?? module) };
    }
  }
  return `${pamRules ? `${(pam?.[1] ?? module) as string} ` : ''}${program.slice(0, 40)} message of no authentication`;
}
