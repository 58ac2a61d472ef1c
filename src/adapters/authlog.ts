// Linux auth.log lines (sshd, sudo, su, PAM, CRON, systemd-logind, ...) as canonical events: the syslog header read by
// src/adapters/syslog-line.ts (year and time-zone options there), the message interpreted by authlog-messages.ts.
import { z } from 'zod';
import { AdapterError } from '../core/errors.js';
import type { CanonicalEvent, SourceRef } from '../core/event.js';
import { noEvent, type Adapter, type AdapterContext, type AdapterFactory, type NoEvent } from './adapter.js';
import { interpret } from './authlog-messages.js';
import { parseAdapterOptions } from './options.js';
import { ABSENT, isIp, normaliseHost, normaliseIp, normaliseUser, text } from './names.js';
import { createSyslogReader, parseShipped, splitTag, SYSLOG_TIME_OPTIONS } from './syslog-line.js';

const FIELD_NAMES = ['user', 'src_host', 'dst_host', 'program', 'action', 'auth_type', 'outcome', 'target_user'] as const;
const ENTITY_NAMES = ['user', 'src_host', 'dst_host'] as const;

const OptionsSchema = z.object({ ...SYSLOG_TIME_OPTIONS }).strict();

/**
 * Programs that write under another name what an older release wrote as one: OpenSSH 9.8 splits sshd into
 * `sshd-session` (and 10.0 into `sshd-auth`), same messages. Read, and named in `program`, as the older name so a
 * model trained before an upgrade knows them.
 */
const PROGRAM_ALIASES: Readonly<Record<string, string>> = Object.freeze({ 'sshd-session': 'sshd', 'sshd-auth': 'sshd' });

/** Programs whose clients are remote: a message of theirs without an address has no source host. */
const NETWORK_PROGRAMS = new Set(['sshd', 'klogind']);

/** Hosts a remote end is named by: full name kept (an internet host's short name says little), IPs normalised. */
function remoteHost(value: string | undefined): string {
  const t = text(value)?.toLowerCase();
  if (t === undefined) return ABSENT;
  return isIp(t) ? normaliseIp(t) : normaliseHost(t) === ABSENT ? ABSENT : t;
}

export function createAuthlogAdapter(options: Record<string, unknown> = {}, context: AdapterContext = {}): Adapter {
  const opts = parseAdapterOptions(OptionsSchema, options);
  const header = createSyslogReader(opts, context.live ? Date.now : undefined);

  const parseLine = (line: string, source: SourceRef, knownTime?: number): CanonicalEvent | NoEvent | null => {
    if (line.trim() === '') return null;
    const h = header(line, source, knownTime);
    const tag = splitTag(h.tag);
    if (!tag) throw new AdapterError(source.file, source.line, `no "program[pid]:" tag: "${h.tag.slice(0, 60)}"`, 'program');
    const named = tag.program.toLowerCase();
    const program = PROGRAM_ALIASES[named] ?? named;
    const meaning = interpret(program, tag.module?.toLowerCase(), tag.message);
    if (typeof meaning === 'string') return noEvent(meaning);
    const dst = normaliseHost(h.host);
    const user = normaliseUser(meaning.user).user;
    // Local actions (sudo, su, cron, sessions) come from the host itself, as LANL writes src = dst; a network
    // service's line that does not name its client has no source.
    const src = meaning.remote !== undefined ? remoteHost(meaning.remote) : NETWORK_PROGRAMS.has(program) ? ABSENT : dst;
    const target = meaning.target !== undefined ? normaliseUser(meaning.target).user : ABSENT;
    const fields = [user, src, dst, program, meaning.action, meaning.auth ?? ABSENT, meaning.outcome, target];
    return {
      time: knownTime ?? h.time,
      entities: { user, src_host: src, dst_host: dst },
      fields,
      ...(meaning.repeated !== undefined ? { numeric: { repeated: meaning.repeated } } : {}),
      text: tag.message,
      raw: line,
      source,
    };
  };

  return {
    name: 'authlog',
    fieldNames: FIELD_NAMES,
    entityKey: 'user',
    entityNames: ENTITY_NAMES,
    labelEntities: ['user', 'src_host', 'dst_host'],
    textSource: ['dst_host', 'program'],
    // Shipped as the raw line in `message` (with the shipper's @timestamp), like LANL: the entities live inside
    // text, so SeqSentry stamps anomaly.entity and anomaly.time on what it scores and finds history by those.
    documentFields: null,
    parse(record, source) {
      if (typeof record === 'string') return parseLine(record, source);
      return parseShipped(record, source, 'auth.log', parseLine);
    },
  };
}

export const authlog: AdapterFactory = Object.freeze({
  name: 'authlog',
  summary: 'Linux auth.log lines (sshd, sudo, su, PAM, CRON, systemd-logind, useradd, login); classic syslog, RFC 5424 or ISO timestamps; options year, timezone',
  create: createAuthlogAdapter,
});
