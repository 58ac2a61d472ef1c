// The adapter interface: one raw record in, one canonical event out (or a located AdapterError).
import type { CanonicalEvent, SourceRef } from '../core/event.js';
import type { PairMember } from '../memory/pairs.js';

/** Where an adapter's events keep their time and entities in OpenSearch documents (dotted paths). */
export interface DocumentFields {
  /** An ISO date field (ECS: `@timestamp`). */
  time: string;
  /** Per entity name, the field holding its value (ECS: user → `user.name`). */
  entities: Readonly<Record<string, string>>;
  /** Per entity name, every field the adapter reads it from, in order (the first present wins per document). */
  entityPaths: Readonly<Record<string, readonly string[]>>;
  /**
   * True when the adapter derives its entity values from the document's (Windows: lower case, domain stripped, the
   * account chosen per event id) instead of copying them: a term query on `entities` would miss them, so SeqSentry
   * writes `anomaly.entity` with every score and refills history by it (and by `time`).
   */
  entitiesDerived?: boolean;
  /**
   * With `entitiesDerived`: per entity, the fields the adapter reads its value from where the value is only
   * lower-cased (Windows: the account's TargetUserName). A document whose every such field holds the entity in some
   * letter case is found by a case-insensitive term query on them, so it is not stamped (service/entity-stamp.ts).
   */
  foldedEntityPaths?: Readonly<Record<string, readonly string[]>>;
}

/**
 * A record that is readable but carries no event by design, and why: a Windows event that is not an authentication,
 * a syslog line of a program that does not authenticate. Readers count these per reason and keep their place.
 */
export interface NoEvent {
  readonly skip: string;
}

export function noEvent(reason: string): NoEvent {
  return { skip: reason };
}

export function isNoEvent(x: CanonicalEvent | NoEvent | null): x is NoEvent {
  return x !== null && 'skip' in x;
}

export interface Adapter {
  readonly name: string;
  /** Names of the categorical fields, in the order of `CanonicalEvent.fields`. */
  readonly fieldNames: readonly string[];
  /** The entity whose recent events are a model's context (e.g. `user`). */
  readonly entityKey: string;
  /** Entity keys every event carries, for per-entity aggregates and label matching. */
  readonly entityNames: readonly string[];
  /**
   * Where its documents keep time and entities, so OpenSearch can be queried for them (history refill); null when
   * the values live inside text (LANL's `message` line): SeqSentry then writes `anomaly.entity` and `anomaly.time`
   * with every score it gives, and finds an entity's history by those.
   */
  readonly documentFields: DocumentFields | null;
  /**
   * The entities that, with the event time, name one event in a label file: a line is `time,<their values in this
   * order>` (LANL's redteam.txt: user, source host, destination host). Evaluation matches labels by them.
   */
  readonly labelEntities: readonly string[];
  /**
   * For an adapter whose events carry `text`: the fields (by name) naming who wrote it, whose usual messages a text
   * kind compares it with (syslog: the logging host and the program). Absent when its events carry no text.
   */
  readonly textSource?: readonly string[];
  /**
   * Entities whose values do not recur once done (a Zeek connection's `uid`): with one as the context entity, no
   * per-entity hour habit is learnt, since every value met in scoring would be new and look anomalous.
   */
  readonly transientEntities?: readonly string[];
  /**
   * Entities the per-entity memory's pairs and the rarity baseline leave out (src/memory/pairs.ts), though a model may
   * take them as its context: zeek's src_host/dst_host name the same endpoints as its addresses, and its fused models
   * and baseline were fitted and measured without a host pair.
   */
  readonly unpairedEntities?: readonly string[];
  /**
   * Pairs the per-entity memory and the rarity baseline count for this format after every format's (user with source,
   * destination and auth type; src/memory/pairs.ts): a web login's user with its country, AS, browser and OS, the habits an
   * account takeover breaks where a new address alone (which mobile users get daily) says little.
   */
  readonly extraPairs?: readonly (readonly [PairMember, PairMember])[];
  /**
   * Seconds a recalled event (src/memory/entity-memory.ts) must precede the scored one for the fusion's pair counts to
   * count it, for a format whose events come in sittings: what an entity did minutes ago in the same burst is not yet
   * a habit. Stored in the bundle (`fusion.recall_min_age`); absent = every recalled event counts.
   */
  readonly recallMinAge?: number;
  /**
   * A field that splits the context entity's hour-of-day habit (src/memory/entity-memory.ts): the habit is kept per
   * entity and value of this field, by the key of the pair entity+field, which must be one of the format's pairs (so
   * recall matches it by the pair's hash). Web logins: a phone in the evening and a desktop at work are two habits of
   * one user. Applies when the bundle's context entity is that pair's first member; absent = one habit per entity.
   */
  readonly hourHabitField?: string;
  /**
   * Where the context entity is (src/memory/travel.ts): `field` says it, and a login from a value of it the entity is
   * not known in, less than `within` seconds after one from another value, is a move too fast for a trip (the victim
   * at home, the taker abroad). The pair entity+field must be one of the format's pairs (recall matches places by the
   * pair's hash). Web logins: the country, 12 hours. Applies to a fused bundle that recalls; absent = no travel component.
   * `outcome`: the field saying whether the event succeeded and its value for a success: only a successful event is a
   * place the entity was (a failed try from abroad is the attacker's, not the user's); absent = every event is one.
   */
  readonly travel?: { readonly field: string; readonly within: number; readonly outcome?: { readonly field: string; readonly success: string } };
  /**
   * Files whose records inform how the others are read (zeek's dhcp.log: the leases that name a host): readers read
   * them before the rest, whatever order they are given in. Absent when no file does.
   */
  readonly readsFirst?: (file: string) => boolean;
  /**
   * Parses one record. Returns null for a header or blank line, a NoEvent (with its reason) for a readable record
   * that carries no event of this format by design; throws AdapterError (source, line, field, reason) for a record
   * it cannot read.
   */
  parse(record: string | Record<string, unknown>, source: SourceRef): CanonicalEvent | NoEvent | null;
}

/** Where an adapter reads, beside its options. */
export interface AdapterContext {
  /**
   * Records arrive as they happen (the proxy, the scoring routes, enrich), not from a file: syslog's year-less
   * timestamps are dated by the clock, not by a file's `year` option and line order (syslog-line.ts).
   */
  live?: boolean;
}

export interface AdapterFactory {
  readonly name: string;
  readonly summary: string;
  /** Options come from the CLI or a bundle's `adapter_options`; unknown keys are refused. */
  create(options?: Record<string, unknown>, context?: AdapterContext): Adapter;
  /**
   * For a format that learns part of its reading from training data (syslog: the message templates): given the
   * options and the training events read with `create(options)`, the options to train and score with (kept in the
   * bundle as `adapter_options`). `heldOut`, given every event time, says which events the model's calibration
   * holds out (src/train/held-out.ts): learning leaves them out, so they meet what is learnt as scoring will.
   * `train` calls it before it reads the events for the model.
   */
  learn?(
    options: Record<string, unknown>,
    events: AsyncIterable<CanonicalEvent>,
    heldOut?: (times: Float64Array) => (time: number) => boolean,
  ): Promise<{ options: Record<string, unknown>; summary: string }>;
}
