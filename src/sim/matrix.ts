// The detection matrix: 12 named enterprises for the detection benchmark, so a model is judged on
// enterprises it was not tuned for. Eleven habit knobs follow a 12-run Plackett–Burman design (each knob
// low in six enterprises and high in six, balanced against every other knob), while the population runs
// from 100 to 3,000 people and the campaign mix and timing rotate over three templates. Training days
// shrink as the population grows so each enterprise has roughly 100k–350k training events; the two test
// days are always weekdays (Mon–Tue, Tue–Wed or Wed–Thu), which the office-hours campaigns need.
import type { EnterpriseProfileInput } from './profile.js';
import type { SimulateOptions } from './simulate.js';

export interface MatrixEntry {
  name: string;
  /** Total days simulated; the last two are the test days. */
  days: number;
  trainDays: number;
  profile: EnterpriseProfileInput;
}

/** Low and high level of each designed knob, in the design's column order. */
const KNOBS = [
  ['sysadminShare', 0.01, 0.06],
  ['helpdeskShare', 0.005, 0.04],
  ['developerShare', 0, 0.2],
  ['serviceAccountsPer100', 0, 8],
  ['ntlmUserShare', 0, 0.4],
  ['ntlmServerShare', 0, 0.3],
  ['roamingShare', 0, 0.3],
  ['shiftShare', 0, 0.25],
  ['weekendShare', 0.02, 0.3],
  ['sparseShare', 0, 0.35],
  ['serverConcentration', 0.5, 2.5],
] as const;

/** Plackett–Burman 12: cyclic shifts of the generator row, then a row of all lows. */
const GENERATOR = '++-+++---+-';
const DESIGN = [...Array.from({ length: 11 }, (_, i) => GENERATOR.slice(11 - i) + GENERATOR.slice(0, 11 - i)), '-'.repeat(11)];

/**
 * Population and training days per design row (~150 events per person per weekday). Only the four smallest
 * train over a weekend, so they sit on rows 1, 2 (weekend work low) and 4, 5 (high): the weekend knob is
 * exercised, not just set.
 */
const SIZES: readonly (readonly [users: number, trainDays: number])[] = [
  [100, 7], [200, 7], [300, 3], [150, 7], [250, 7], [400, 3], [500, 3], [700, 2], [1000, 2], [1500, 1], [2000, 1], [3000, 1],
];

/** Three mixes: every class once; the quiet classes twice with shifted hours; the loud ones plus late timing. */
const MIXES: readonly NonNullable<EnterpriseProfileInput['campaigns']>[] = [
  {
    'stolen-credentials': { instances: 1 }, 'pass-the-hash': { instances: 1 }, 'password-spray': { instances: 1, events: 8 },
    'admin-odd-hours': { instances: 1 }, 'order-anomaly': { instances: 2, days: [0, 1] },
    'night-unusual-protocol': { instances: 1 }, 'cross-role-access': { instances: 1 }, 'slow-lateral': { instances: 1 }, 'new-service-account': { instances: 1 },
  },
  {
    'stolen-credentials': { instances: 1, hours: [9, 11] }, 'order-anomaly': { instances: 1 },
    'night-unusual-protocol': { instances: 2, days: [0, 1], hours: [0, 2.5] }, 'cross-role-access': { instances: 2, days: [0, 1], hours: [13, 17] },
    'slow-lateral': { instances: 1, events: 6, hours: [8.5, 17.5] }, 'new-service-account': { instances: 2, days: [0, 1], events: 5, hours: [20, 23] },
  },
  {
    'stolen-credentials': { instances: 2, days: [0, 1], hours: [14, 16] }, 'pass-the-hash': { instances: 1, events: 4 }, 'password-spray': { instances: 1, events: 10, hours: [8, 10] },
    'admin-odd-hours': { instances: 1, hours: [3, 4.5] }, 'night-unusual-protocol': { instances: 1, events: 5, hours: [2.5, 5] },
    'cross-role-access': { instances: 1, events: 4 }, 'slow-lateral': { instances: 1, events: 4 }, 'new-service-account': { instances: 1, events: 8, hours: [2, 6] },
  },
];

function entry(row: string, i: number): MatrixEntry {
  const [users, trainDays] = SIZES[i] as readonly [number, number];
  const profile: Record<string, unknown> = { users, restrictedServers: 2 + 2 * (i % 3), campaigns: MIXES[i % MIXES.length] };
  KNOBS.forEach(([key, lo, hi], k) => (profile[key] = row[k] === '+' ? hi : lo));
  const tag = [...row].map((c) => (c === '+' ? 'h' : 'l')).join('');
  return { name: `m${String(i + 1).padStart(2, '0')}-u${users}-${tag}`, days: trainDays + 2, trainDays, profile: profile as EnterpriseProfileInput };
}

function deepFreeze<T>(x: T): T {
  if (x && typeof x === 'object') {
    for (const v of Object.values(x)) deepFreeze(v);
    Object.freeze(x);
  }
  return x;
}

export const DETECTION_MATRIX: readonly MatrixEntry[] = deepFreeze(DESIGN.map(entry));

/** The simulate() options for one matrix enterprise and seed. */
export function matrixOptions(e: MatrixEntry, seed: number, outDir: string): SimulateOptions {
  return { days: e.days, trainDays: e.trainDays, seed, outDir, profile: e.profile };
}
