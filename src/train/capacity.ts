// How much model and how much training an ONNX sequence kind gets: optimizer steps per epoch, model width and
// layers. Issue 7 asked whether more of either pays on the detection matrix (bench/detection.mjs: fused-long,
// fused-wide); the defaults stay models/train.py's and the kind's config's until a benchmark says otherwise.
import { UsageError } from '../core/errors.js';

export interface Capacity {
  /** Cap on optimizer steps of 512 events per epoch (models/train.py --steps-per-epoch; 150 there otherwise). */
  stepsPerEpoch?: number;
  /** The model's width, its config's n_embd (32 for the transformers). */
  width?: number;
  /** The model's blocks, its config's n_layer (2 for the transformers; the LSTM kinds have none). */
  layers?: number;
}

/**
 * Bounds per option, inclusive. Above them a run on these 2 cores takes hours or the model no longer scores at the
 * floor's speed; they catch a typo (1500 for 150), not every slow choice.
 */
export const CAPACITY_BOUNDS = Object.freeze({
  'steps-per-epoch': { key: 'stepsPerEpoch', min: 1, max: 10_000 },
  width: { key: 'width', min: 8, max: 512 },
  layers: { key: 'layers', min: 1, max: 12 },
} as const);

export type CapacityFlag = keyof typeof CAPACITY_BOUNDS;

/** The capacity flags as given on the command line, each checked against its bounds; {} when none is given. */
export function capacityOption(values: Partial<Record<CapacityFlag, string>>): { capacity?: Capacity } {
  const capacity: Capacity = {};
  for (const [flag, bound] of Object.entries(CAPACITY_BOUNDS) as [CapacityFlag, (typeof CAPACITY_BOUNDS)[CapacityFlag]][]) {
    const text = values[flag];
    if (text === undefined) continue;
    const n = Number(text);
    if (!Number.isInteger(n) || n < bound.min || n > bound.max) {
      throw new UsageError(`--${flag} ${text}: expected an integer from ${bound.min} to ${bound.max}`);
    }
    capacity[bound.key] = n;
  }
  return Object.keys(capacity).length ? { capacity } : {};
}

/**
 * models/train.py's arguments for a capacity. Width and layers go in as a config override: train.py names a key
 * the kind's config lacks (n_layer for an LSTM) and a width its heads do not divide.
 */
export function capacityArgs(capacity: Capacity | undefined): string[] {
  if (capacity === undefined) return [];
  const py: string[] = [];
  if (capacity.stepsPerEpoch !== undefined) py.push('--steps-per-epoch', String(capacity.stepsPerEpoch));
  const config = {
    ...(capacity.width !== undefined ? { n_embd: capacity.width } : {}),
    ...(capacity.layers !== undefined ? { n_layer: capacity.layers } : {}),
  };
  if (Object.keys(config).length) py.push('--config', JSON.stringify(config));
  return py;
}

/** The flags set in a capacity, for an error saying they do not apply. */
export function capacityFlags(capacity: Capacity | undefined): string[] {
  if (capacity === undefined) return [];
  return (Object.entries(CAPACITY_BOUNDS) as [CapacityFlag, (typeof CAPACITY_BOUNDS)[CapacityFlag]][])
    .filter(([, bound]) => capacity[bound.key] !== undefined)
    .map(([flag]) => `--${flag}`);
}
