// Ranking metrics against hand-computed small cases, including ties and the raw tie-breaker.
import { describe, expect, it } from 'vitest';
import { evaluateRanking, prCurve, rocCurve } from '../src/eval/metrics.js';

function run(scores: number[], labels: number[], raw?: number[]) {
  return evaluateRanking(Float64Array.from(scores), Float64Array.from(raw ?? scores), Uint8Array.from(labels));
}

describe('evaluate metrics', () => {
  it('matches the scikit-learn documentation example (AUC 0.75, AP 0.8333)', () => {
    // roc_auc_score([0,0,1,1],[0.1,0.4,0.35,0.8]) = 0.75; average_precision_score(...) = 0.8333...
    const m = run([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]).metrics;
    expect(m.auc).toBeCloseTo(0.75, 12);
    expect(m.ap).toBeCloseTo(5 / 6, 12);
    expect(m.events).toBe(4);
    expect(m.positives).toBe(2);
  });

  it('counts a tied positive/negative pair as one half (midrank AUC) and takes the whole tie group for AP', () => {
    // Ranked: 0.9(+) | 0.5(+) 0.5(-) 0.5(-) | 0.1(-). P=2, N=3.
    // AUC: positive 0.9 beats 3 negatives = 3; positive 0.5 ties 2 (=1) and beats 1 = 2 → 5/6.
    // AP: threshold 0.9 → R=0.5, P=1; threshold 0.5 → R=1, P=2/4 → 0.5*1 + 0.5*0.5 = 0.75.
    const m = run([0.9, 0.5, 0.5, 0.5, 0.1], [1, 1, 0, 0, 0]).metrics;
    expect(m.auc).toBeCloseTo(5 / 6, 12);
    expect(m.ap).toBeCloseTo(0.75, 12);
  });

  it('gives AUC 0.5 and AP = prevalence when every score ties', () => {
    const m = run([0.3, 0.3, 0.3, 0.3], [1, 0, 0, 0]).metrics;
    expect(m.auc).toBeCloseTo(0.5, 12);
    expect(m.ap).toBeCloseTo(0.25, 12);
  });

  it('breaks anomaly_score ties by raw', () => {
    // anomaly_score saturates at 1 for all three; raw puts the positive first → perfect ranking.
    const e = run([1, 1, 1], [0, 1, 0], [5, 9, 7]);
    expect(e.metrics.auc).toBe(1);
    expect(e.metrics.ap).toBe(1);
    expect(Array.from(e.order)).toEqual([1, 2, 0]);
    // Without the raw tie-breaker the same scores are one tie group.
    expect(run([1, 1, 1], [0, 1, 0], [0, 0, 0]).metrics.auc).toBeCloseTo(0.5, 12);
  });

  it('worst ranking gives AUC 0', () => {
    expect(run([0.9, 0.8, 0.1], [0, 0, 1]).metrics.auc).toBe(0);
  });

  it('TPR at 0.1% FPR uses only thresholds with FPR <= 0.001', () => {
    // N = 2000 negatives → at most 2 false positives. P = 10.
    // Ranked head: + - + - - + ... → after "+ - + -": tp=2, fp=2 (FPR exactly 0.001, allowed); next "-" makes fp=3.
    const head = [1, 0, 1, 0, 0, 1];
    const labels = [...head, ...Array(7).fill(1), ...Array(1997).fill(0)];
    const scores = labels.map((_, i) => 10000 - i);
    const m = run(scores, labels).metrics;
    expect(m.positives).toBe(10);
    expect(m.events).toBe(2010);
    expect(m.tprAtFpr).toBeCloseTo(0.2, 12);
    // Recall 0.1 = 1 positive, reached at the very first event: precision 1.
    expect(m.precisionAtRecall).toBe(1);
  });

  it('does not count a tie group that crosses the FPR limit', () => {
    // N = 1000 → at most 1 false positive. Ranked: + | (+ - -) tied | rest negative. P = 2.
    const labels = [1, 1, 0, 0, ...Array(998).fill(0)];
    const scores = [10, 5, 5, 5, ...Array(998).fill(1)];
    const m = run(scores, labels).metrics;
    expect(m.tprAtFpr).toBeCloseTo(0.5, 12);
  });

  it('precision at recall 0.1 is the precision where recall first reaches 0.1', () => {
    // P = 10: recall 0.1 needs 1 positive; ranked - - - + ... → precision 1/4.
    const labels = [0, 0, 0, 1, 1, 0, ...Array(8).fill(1)];
    const scores = labels.map((_, i) => 100 - i);
    expect(run(scores, labels).metrics.precisionAtRecall).toBeCloseTo(0.25, 12);
  });

  it('reports undefined metrics as null when a class is missing', () => {
    const none = run([0.2, 0.1], [0, 0]).metrics;
    expect([none.auc, none.ap, none.tprAtFpr, none.precisionAtRecall]).toEqual([null, null, null, null]);
    const allPos = run([0.2, 0.1], [1, 1]).metrics;
    expect(allPos.auc).toBeNull();
    expect(allPos.tprAtFpr).toBeNull();
    expect(allPos.ap).toBe(1);
    expect(run([], []).metrics.events).toBe(0);
  });

  it('curves have one point per distinct threshold', () => {
    const e = run([0.9, 0.5, 0.5, 0.5, 0.1], [1, 1, 0, 0, 0]);
    const roc = rocCurve(e.points);
    expect(Array.from(roc.x)).toEqual([0, 0, 2 / 3, 1]);
    expect(Array.from(roc.y)).toEqual([0, 0.5, 1, 1]);
    const pr = prCurve(e.points);
    expect(Array.from(pr.x)).toEqual([0.5, 1, 1]);
    expect(Array.from(pr.y)).toEqual([1, 0.5, 0.4]);
  });

  it('handles 250k events quickly and agrees with the pairwise definition on a sample', () => {
    let seed = 42;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const n = 250_000;
    const labels = Array.from({ length: n }, () => (rand() < 0.002 ? 1 : 0));
    // Coarse scores (many ties) shifted up for positives.
    const scores = labels.map((l) => Math.round((rand() + l * 0.5) * 100) / 100);
    const t0 = performance.now();
    const m = run(scores, labels).metrics;
    expect(performance.now() - t0).toBeLessThan(3000);
    // Mann-Whitney with ties = 1/2, via score histograms (exact, O(n)).
    const negHist = new Map<number, number>();
    labels.forEach((l, i) => {
      if (l === 0) negHist.set(scores[i] as number, (negHist.get(scores[i] as number) ?? 0) + 1);
    });
    const keys = [...negHist.keys()];
    let u = 0;
    let P = 0;
    labels.forEach((l, i) => {
      if (l !== 1) return;
      P += 1;
      const s = scores[i] as number;
      const strictlyBelow = keys.filter((k) => k < s).reduce((acc, k) => acc + (negHist.get(k) as number), 0);
      u += strictlyBelow + (negHist.get(s) ?? 0) / 2;
    });
    expect(m.auc).toBeCloseTo(u / (P * (n - P)), 10);
  });
});
