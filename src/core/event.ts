// The canonical event every adapter produces and every model consumes (see docs/contracts.md).

export interface SourceRef {
  /** File name, URL or stream name the record came from. */
  file: string;
  /** 1-based line (or record) number within the source. */
  line: number;
}

export interface CanonicalEvent {
  /** Seconds: epoch seconds (UTC) for real clocks, relative seconds for LANL. */
  time: number;
  /** Entity keys: user, src_host, dst_host, src_ip, ... */
  entities: Record<string, string>;
  /** Categorical values in the adapter's `fieldNames` order. */
  fields: string[];
  numeric?: Record<string, number>;
  /** The free-text message of a record that has one (a syslog line's message after its tag), for text kinds. */
  text?: string;
  /** The original record, as read. */
  raw: unknown;
  source: SourceRef;
}
