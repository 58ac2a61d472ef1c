// Syslog lines of any program as canonical events: every readable line is one event (host, program, facility and
// severity when the line carries a priority, the message in `text`), with the message's template id (Drain, mined
// from the training messages by `learn` and kept in the bundle's adapter options) as the `template` field, so that
// the sequence kinds score a host's template sequence like any field sequence. Only a line without a timestamp is
// unreadable; a line without a program tag keeps its message and has no program.
import { z } from 'zod';
import type { CanonicalEvent, SourceRef } from '../core/event.js';
import { DEFAULT_DRAIN_PARAMETERS } from '../templates/drain-tree.js';
import { TemplateMatcher } from '../templates/matcher.js';
import { TemplateMiner } from '../templates/miner.js';
import { DrainParametersSchema, TemplateTableSchema } from '../templates/table.js';
import type { Adapter, AdapterContext, AdapterFactory } from './adapter.js';
import { ABSENT, normaliseHost } from './names.js';
import { parseAdapterOptions } from './options.js';
import { createSyslogReader, parseShipped, splitTag, SYSLOG_TIME_OPTIONS } from './syslog-line.js';

const FIELD_NAMES = ['src_host', 'program', 'facility', 'severity', 'template'] as const;
const ENTITY_NAMES = ['src_host', 'program'] as const;

const OptionsSchema = z
  .object({
    ...SYSLOG_TIME_OPTIONS,
    /** The template table (written by `train`); without it every event's template is `?`. */
    templates: TemplateTableSchema.optional(),
    /** Drain's parameters for mining at train time (default: drain3's depth 4, similarity 0.4, 100 children). */
    drain: DrainParametersSchema.partial().optional(),
  })
  .strict();

/** RFC 5424 section 6.2.1's facility and severity names, by number. */
const FACILITIES = Object.freeze([
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp', 'ntp', 'audit',
  'alert', 'clock', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
]);
const SEVERITIES = Object.freeze(['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug']);

export function createSyslogAdapter(options: Record<string, unknown> = {}, context: AdapterContext = {}): Adapter {
  const opts = parseAdapterOptions(OptionsSchema, options);
  const header = createSyslogReader(opts, context.live ? Date.now : undefined);
  const matcher = opts.templates ? new TemplateMatcher(opts.templates) : undefined;

  const parseLine = (line: string, source: SourceRef, knownTime?: number): CanonicalEvent | null => {
    if (line.trim() === '') return null;
    const h = header(line, source, knownTime);
    const tag = splitTag(h.tag);
    const program = tag ? tag.program.toLowerCase() : ABSENT;
    const message = tag ? tag.message : h.tag;
    const host = normaliseHost(h.host);
    const facility = h.pri !== undefined ? (FACILITIES[h.pri >> 3] as string) : ABSENT;
    const severity = h.pri !== undefined ? (SEVERITIES[h.pri & 7] as string) : ABSENT;
    const template = matcher ? matcher.match(message) : ABSENT;
    return {
      time: knownTime ?? h.time,
      entities: { src_host: host, program },
      fields: [host, program, facility, severity, template],
      text: message,
      raw: line,
      source,
    };
  };

  return {
    name: 'syslog',
    fieldNames: FIELD_NAMES,
    entityKey: 'src_host',
    entityNames: ENTITY_NAMES,
    labelEntities: ['src_host', 'program'],
    textSource: ['src_host', 'program'],
    // Shipped as the raw line in `message` (as authlog): the entities live inside text, so SeqSentry stamps
    // anomaly.entity and anomaly.time on what it scores and finds history by those.
    documentFields: null,
    parse(record, source) {
      if (typeof record === 'string') return parseLine(record, source);
      return parseShipped(record, source, 'syslog', parseLine);
    },
  };
}

/**
 * Mines the training messages' templates into the options (unless they already hold a table, which is kept),
 * leaving out the messages `heldOut` names: those calibrate the model and must meet `<unmatched>` as scoring does.
 */
async function learnTemplates(
  options: Record<string, unknown>,
  events: AsyncIterable<CanonicalEvent>,
  heldOut?: (times: Float64Array) => (time: number) => boolean,
): Promise<{ options: Record<string, unknown>; summary: string }> {
  const opts = parseAdapterOptions(OptionsSchema, options);
  if (opts.templates) {
    for await (const _ of events); // read through, so the caller's read statistics stay whole
    return { options, summary: `templates: the ${opts.templates.templates.length} given in the adapter options` };
  }
  // every message first: the held-out blocks depend on the whole span of time
  const times: number[] = [];
  const texts: string[] = [];
  for await (const event of events) {
    times.push(event.time);
    texts.push(event.text ?? '');
  }
  const held = heldOut?.(Float64Array.from(times));
  const d = opts.drain ?? {};
  const miner = new TemplateMiner({
    depth: d.depth ?? DEFAULT_DRAIN_PARAMETERS.depth,
    similarity: d.similarity ?? DEFAULT_DRAIN_PARAMETERS.similarity,
    maxChildren: d.max_children ?? DEFAULT_DRAIN_PARAMETERS.maxChildren,
  });
  let mined = 0;
  texts.forEach((text, i) => {
    if (held?.(times[i] as number)) return;
    miner.add(text);
    mined++;
  });
  const left = texts.length - mined;
  return { options: { ...options, templates: miner.table() }, summary: `templates: ${miner.size} mined from ${mined} messages${left ? ` (${left} held out)` : ''}` };
}

export const syslog: AdapterFactory = Object.freeze({
  name: 'syslog',
  summary: 'syslog lines of any program (classic, RFC 5424 or ISO timestamps), message templates mined at train time as the `template` field; options year, timezone, drain',
  create: createSyslogAdapter,
  learn: learnTemplates,
});
