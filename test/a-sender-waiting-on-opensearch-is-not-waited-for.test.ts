// The reordering window waits for senders that may still send something earlier. A request whose events the scorer
// already has (held, scored, or scored and now waiting for OpenSearch to index them) cannot: a proxied shipper's
// second worker is scored while OpenSearch indexes the first one's bulk instead of taking turns with it.
import { describe, expect, it } from 'vitest';
import { handOver, Senders } from '../src/service/senders.js';

const WINDOW_MS = 2_000;
const T0 = 1_000_000;

describe('senders the reordering window waits for', () => {
  it('does not wait for a worker whose request was scored and waits for its answer', () => {
    const senders = new Senders();
    const first = senders.begin('10.0.0.5', T0);
    const second = senders.begin('10.0.0.5', T0 + 5); // two workers of one shipper at once
    handOver(first); // scored, now being indexed
    expect(senders.othersMaySend(WINDOW_MS, T0 + 10)).toBe(true); // the second is still being read
    handOver(second); // the second's events are held
    expect(senders.othersMaySend(WINDOW_MS, T0 + 20)).toBe(false);
  });

  it('waits for a worker with no request in flight while the sender has had two at once lately', () => {
    const senders = new Senders();
    const first = senders.begin('10.0.0.5', T0);
    const second = senders.begin('10.0.0.5', T0 + 5);
    handOver(first);
    handOver(second);
    senders.end(first, T0 + 30); // answered: that worker may send its next bulk
    expect(senders.othersMaySend(WINDOW_MS, T0 + 40)).toBe(true);
    // Two at once is forgotten after the window: the sender now counts as one worker, and that one is handed.
    expect(senders.othersMaySend(WINDOW_MS, T0 + 5 + WINDOW_MS)).toBe(false);
  });

  it('counts a request handed once however often its events reach a scorer', () => {
    const senders = new Senders();
    const only = senders.begin('10.0.0.7', T0);
    handOver(only);
    handOver(only); // e.g. a model switch hands the same request's events to the new service
    expect(senders.othersMaySend(WINDOW_MS, T0 + 1)).toBe(false);
    senders.end(only, T0 + 2);
    const next = senders.begin('10.0.0.7', T0 + 3);
    expect(senders.othersMaySend(WINDOW_MS, T0 + 4)).toBe(true); // being read: its events may come first
    handOver(next);
    expect(senders.othersMaySend(WINDOW_MS, T0 + 5)).toBe(false);
  });

  it('waits for another sender still reading a request, and forgets senders silent for the window', () => {
    const senders = new Senders();
    const ours = senders.begin('10.0.0.5', T0);
    handOver(ours);
    const theirs = senders.begin('10.0.0.9', T0 + 1);
    expect(senders.othersMaySend(WINDOW_MS, T0 + 2)).toBe(true);
    handOver(theirs);
    senders.end(theirs, T0 + 3);
    expect(senders.othersMaySend(WINDOW_MS, T0 + 4)).toBe(true); // it may send again within the window
    expect(senders.othersMaySend(WINDOW_MS, T0 + 3 + WINDOW_MS)).toBe(false);
  });
});
