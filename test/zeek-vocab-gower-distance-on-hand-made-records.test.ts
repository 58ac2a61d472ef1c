// The Gower-style distance of the clustering vocabulary on hand-made feature vectors: numbers by the training
// range (clipped beyond it), categories by mismatch, missing values, and the nearest-cluster rule with its radius
// and its tie-break.
import { describe, expect, it } from 'vitest';
import { gowerDistance, nearestCluster, type DistanceSpec } from '../src/tokenizer/zeek-cluster/gower.js';

// bytes (range 0..20), duration (range 0..10), state, service
const spec: DistanceSpec = { kinds: ['num', 'num', 'cat', 'cat'], widths: [20, 10, 0, 0] };

describe('zeek-vocab Gower distance', () => {
  it('is 0 for a record and itself, missing values included', () => {
    expect(gowerDistance(spec, [5, null, 'SF', 'dns'], [5, null, 'SF', 'dns'])).toBe(0);
  });

  it('divides a number difference by the training range and averages over the features', () => {
    // |5 - 15| / 20 = 0.5, |1 - 3| / 10 = 0.2, SF = SF, dns != http: (0.5 + 0.2 + 0 + 1) / 4
    expect(gowerDistance(spec, [5, 1, 'SF', 'dns'], [15, 3, 'SF', 'http'])).toBe((0.5 + 0.2 + 0 + 1) / 4);
  });

  it('clips a number beyond the training range to a full mismatch', () => {
    expect(gowerDistance(spec, [0, 0, 'SF', 'dns'], [100, 0, 'SF', 'dns'])).toBe(1 / 4);
  });

  it('counts one side missing as a full mismatch', () => {
    expect(gowerDistance(spec, [null, 0, 'SF', null], [3, 0, 'SF', 'dns'])).toBe(2 / 4);
  });

  it('separates only unequal values of a feature constant in training', () => {
    const constant: DistanceSpec = { kinds: ['num'], widths: [0] };
    expect(gowerDistance(constant, [4], [4])).toBe(0);
    expect(gowerDistance(constant, [4], [4.5])).toBe(1);
  });

  it('assigns the nearest medoid within its radius, the lower index on a tie, else noise', () => {
    const reps = [
      { medoid: [0, 0, 'SF', 'dns'], radius: 0.6 },
      { medoid: [20, 0, 'SF', 'dns'], radius: 0.3 },
      { medoid: [0, 0, 'REJ', 'http'], radius: 0 },
    ];
    expect(nearestCluster(spec, reps, [2, 0, 'SF', 'dns'])).toBe(0);
    expect(nearestCluster(spec, reps, [18, 0, 'SF', 'dns'])).toBe(1);
    // equally far from both: the lower index wins, as in Python
    expect(nearestCluster(spec, reps, [10, 0, 'SF', 'dns'])).toBe(0);
    expect(nearestCluster(spec, reps, [0, 0, 'REJ', 'http'])).toBe(2);
    // nearest is cluster 2 (0.2 / 4 = 0.05), beyond its radius 0: noise, although cluster 0 (0.55) would hold it
    expect(nearestCluster(spec, reps, [4, 0, 'REJ', 'http'])).toBe(-1);
    expect(nearestCluster(spec, [], [0, 0, 'SF', 'dns'])).toBe(-1);
  });
});
