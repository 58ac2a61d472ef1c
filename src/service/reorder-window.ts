// The reordering window's rule for which held events go: an event is held until events at least the window later in
// event time have arrived in its scope (the watermark), or until it has waited the window on the clock; the events
// before it in time then go with it, never after it.

export interface HeldEvent {
  event: { time: number };
  scope: string;
  /** Date.now() when it arrived. */
  arrived: number;
}

/**
 * Splits held events (in arrival order) into those due now and those still held, each in arrival order.
 * `latest`: per scope, the latest event time among held events.
 */
export function dueHeld<T extends HeldEvent>(held: readonly T[], latest: ReadonlyMap<string, number>, windowMs: number, now: number): { due: T[]; keep: T[] } {
  // Per scope, the time up to which held events go: the watermark, or later when an event has waited out the window.
  const until = new Map<string, number>();
  for (const [scope, time] of latest) until.set(scope, time - windowMs / 1000);
  for (const slot of held) {
    if (now - slot.arrived >= windowMs && slot.event.time > (until.get(slot.scope) as number)) until.set(slot.scope, slot.event.time);
  }
  const due: T[] = [];
  const keep: T[] = [];
  for (const slot of held) (slot.event.time <= (until.get(slot.scope) as number) ? due : keep).push(slot);
  return { due, keep };
}
