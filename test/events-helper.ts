/** Test helpers for recording the events a component emits. */
import type { EventOf, ResilienceEvent, ResilienceEventType, EventSink } from '../src/core/events.js';

/** A sink that keeps every event it receives. */
export function collect(): { events: ResilienceEvent[]; sink: EventSink } {
  const events: ResilienceEvent[] = [];
  return { events, sink: (e) => void events.push(e) };
}

/** The recorded events of one type, typed as that event. */
export function ofType<T extends ResilienceEvent['type']>(events: ResilienceEvent[], type: T): EventOf<T>[] {
  return events.filter((e): e is EventOf<T> => e.type === type);
}

/** Records events and lets a test await the next one of a type. */
export function recorder(): { events: ResilienceEvent[]; sink: EventSink; next: <T extends ResilienceEventType>(type: T) => Promise<EventOf<T>> } {
  const events: ResilienceEvent[] = [];
  let waiters: { type: ResilienceEventType; resolve: (e: ResilienceEvent) => void }[] = [];
  return {
    events,
    sink: (e) => {
      events.push(e);
      const ready = waiters.filter((w) => w.type === e.type);
      waiters = waiters.filter((w) => w.type !== e.type);
      for (const w of ready) w.resolve(e);
    },
    next: <T extends ResilienceEventType>(type: T) => new Promise<EventOf<T>>((resolve) => waiters.push({ type, resolve: resolve as (e: ResilienceEvent) => void })),
  };
}
