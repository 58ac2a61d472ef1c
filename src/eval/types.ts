// Plain types shared by the evaluation modules: one scored event set per model, columnar for speed.

/** The events one model scored, with their label, in input order (columnar: 200k+ events stay cheap). */
export interface ScoredEvents {
  /** Row name in the table: the score file's name, or `rarity-baseline`. */
  name: string;
  /** Where the scores came from (score file, or the --test log for the baseline). */
  source: string;
  /** Primary ranking key (`anomaly_score`). */
  score: Float64Array;
  /** Tie-breaker (`raw`): calibration can saturate near 1, raw keeps the order. */
  tiebreak: Float64Array;
  /** 1 = matches a red-team label line. */
  label: Uint8Array;
  /** 1-based line in `source` of each event, to fetch the full record of top-ranked events later. */
  sourceLine: Uint32Array;
  /** Records that carried no score (`error` lines, unreadable log records): excluded from metrics. */
  errors: number;
  /** The first few error messages, located. */
  firstErrors: string[];
  /** Distinct label keys matched by at least one of these events. */
  matchedLabelKeys: Set<string>;
  /** Red-team events another row scored that this one lacks (unscored, or not in its file): appended, ranked last. */
  missed?: number;
}

/** A top-ranked event with its explanation, for the report. */
export interface TopEvent {
  rank: number;
  line: number;
  time: number;
  entities: Record<string, string>;
  anomalyScore: number;
  raw: number;
  label: boolean;
  /** The explanation; surprisal and expected value are absent where the score file kept the compact form. */
  fields: { field: string; value: string; surprisal?: number; expected?: string }[];
}
