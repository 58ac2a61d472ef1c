// The adapter interface: one raw record in, one canonical event out (or a located AdapterError).
import type { CanonicalEvent, SourceRef } from '../core/event.js';

/** Where an adapter's events keep their time and entities in OpenSearch documents (dotted paths). */
export interface DocumentFields {
  /** An ISO date field (ECS: `@timestamp`). */
  time: string;
  /** Per entity name, the field holding its value (ECS: user → `user.name`). */
  entities: Readonly<Record<string, string>>;
  /** Per entity name, every field the adapter reads it from, in order (the first present wins per document). */
  entityPaths: Readonly<Record<string, readonly string[]>>;
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
   * Parses one record. Returns null for records that carry no event by design (a header line, a blank
   * line); throws AdapterError (source, line, field, reason) for a record it cannot read.
   */
  parse(record: string | Record<string, unknown>, source: SourceRef): CanonicalEvent | null;
}

export interface AdapterFactory {
  readonly name: string;
  readonly summary: string;
  /** Options come from the CLI or a bundle's `adapter_options`; unknown keys are refused. */
  create(options?: Record<string, unknown>): Adapter;
}
