// What `seqsentry aggregate` is asked to do and what it reports: the entities index, the defaults of its flags, the
// options of one run and its statistics. Shared by the aggregator, its OpenSearch reads and the commands.
import type { BackoffPolicy } from '../enrich/retry.js';
import type { EntityValueRule } from './entity-values.js';
import type { Suppression } from './suppressions.js';

export const ENTITIES_INDEX = 'seqsentry-entities';
/** The aggregation's defaults (`seqsentry aggregate`'s flags, the demo): window, risk half-life, notable rule. */
export const AGGREGATE_DEFAULTS = Object.freeze({ window: '15m', halfLife: '6h', notableWindows: 2, stretch: '2h' });

export interface AggregateOptions {
  /** Index pattern of the scored events. */
  pattern: string;
  timeField: string;
  /**
   * Entity kind → the keyword fields that hold it in the events, in order, e.g. user → [user.name,
   * winlog.event_data.TargetUserName]: an event's entity is the value of the first of them it holds.
   */
  entities: Readonly<Record<string, readonly string[]>>;
  /**
   * For a format whose adapter derives its entities (Windows): per kind, how its value is derived, so events are
   * grouped by the entity the model saw (entity-values.ts) rather than by the raw field values.
   */
  rules?: Readonly<Record<string, EntityValueRule>>;
  /** Range [since, until) in epoch ms; since is floored to a window boundary. */
  sinceMs: number;
  untilMs: number;
  windowMs: number;
  halfLifeMs: number;
  /** A window is notable when the entity had anomalous events in at least this many windows within `stretchMs`. */
  notableWindows: number;
  stretchMs: number;
  /**
   * Write every window with events, not only those with anomalous events. Off by default: risk changes only in
   * anomalous windows (in between it only decays, which a reader computes from the last document), and a document
   * per entity and quiet window costs about one document per scored event.
   */
  allWindows: boolean;
  /** Active analysts' suppressions: a window they hold back is not notable. */
  suppressions: readonly Suppression[];
  backoff: BackoffPolicy;
}

export interface AggregateStats {
  windows: number;
  created: number;
  updated: number;
  unchanged: number;
  notable: number;
  events: number;
  /** Seconds spent counting (OpenSearch aggregations), reading top events, comparing with what is stored, writing. */
  seconds: { count: number; top: number; compare: number; write: number };
}
