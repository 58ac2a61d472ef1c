// The windows of rolling retraining: whole UTC days (or hours), an event at midnight opens the next day, a quiet
// day between two busy ones is an empty window, and timestamps written in any zone land in their UTC day.
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../src/core/event.js';
import { UsageError } from '../src/core/errors.js';
import { splitWindows, windowIndex, windowIso, windowSeconds } from '../src/rolling/windows.js';

const DAY = 86_400;
const at = (iso: string): CanonicalEvent => ({ time: Date.parse(iso) / 1000, entities: { user: 'u' }, fields: [iso] } as unknown as CanonicalEvent);

describe('rolling windows', () => {
  it('parses the window length and refuses one under a minute', () => {
    expect(windowSeconds('1d')).toBe(DAY);
    expect(windowSeconds('12h')).toBe(43_200);
    expect(() => windowSeconds('30s')).toThrow(UsageError);
    expect(() => windowSeconds('daily')).toThrow(/--window "daily"/);
  });

  it('puts midnight UTC in the new day and the second before it in the old one', () => {
    const midnight = Date.parse('2026-03-02T00:00:00Z') / 1000;
    expect(windowIndex(midnight, DAY)).toBe(windowIndex(midnight - 1, DAY) + 1);
    expect(windowIndex(midnight + DAY - 0.001, DAY)).toBe(windowIndex(midnight, DAY));
    const [w] = splitWindows([at('2026-03-02T00:00:00Z')], DAY);
    expect(windowIso(w!.start)).toBe('2026-03-02T00:00:00.000Z');
    expect(windowIso(w!.end)).toBe('2026-03-03T00:00:00.000Z');
  });

  it('keeps an empty day between two busy ones, and events in their given order inside a window', () => {
    const events = [at('2026-03-04T09:00:00Z'), at('2026-03-02T10:00:00Z'), at('2026-03-02T08:00:00Z')];
    const windows = splitWindows(events, DAY);
    expect(windows.map((w) => windowIso(w.start).slice(0, 10))).toEqual(['2026-03-02', '2026-03-03', '2026-03-04']);
    expect(windows.map((w) => w.events.length)).toEqual([2, 0, 1]);
    expect(windows[0]!.events.map((e) => e.fields[0])).toEqual(['2026-03-02T10:00:00Z', '2026-03-02T08:00:00Z']);
    expect(splitWindows([], DAY)).toEqual([]);
  });

  it('cuts by UTC day whatever zone the timestamp was written in', () => {
    // 00:30 in Berlin (UTC+2 in summer) is 22:30 UTC the day before; 23:30 in New York (UTC-4) is 03:30 UTC the next day
    const windows = splitWindows([at('2026-06-10T00:30:00+02:00'), at('2026-06-09T23:30:00-04:00'), at('2026-06-09T12:00:00Z')], DAY);
    expect(windows.map((w) => [windowIso(w.start).slice(0, 10), w.events.length])).toEqual([['2026-06-09', 2], ['2026-06-10', 1]]);
    // the machine's own zone plays no part: the same times in another TZ give the same windows
    const tz = process.env.TZ;
    process.env.TZ = 'Pacific/Kiritimati';
    try {
      expect(splitWindows([at('2026-06-10T00:30:00+02:00')], DAY)[0]!.start).toBe(Date.parse('2026-06-09T00:00:00Z') / 1000);
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  it('cuts hour windows on the hour', () => {
    const windows = splitWindows([at('2026-06-09T10:59:59Z'), at('2026-06-09T11:00:00Z')], 3600);
    expect(windows.map((w) => w.events.length)).toEqual([1, 1]);
    expect(windowIso(windows[1]!.start)).toBe('2026-06-09T11:00:00.000Z');
  });
});
