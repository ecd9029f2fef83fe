/** Test helpers for recording the events a component emits. */
import type { EventOf, ResilienceEvent, EventSink } from '../src/core/events.js';

/** A sink that keeps every event it receives. */
export function collect(): { events: ResilienceEvent[]; sink: EventSink } {
  const events: ResilienceEvent[] = [];
  return { events, sink: (e) => void events.push(e) };
}

/** The recorded events of one type, typed as that event. */
export function ofType<T extends ResilienceEvent['type']>(events: ResilienceEvent[], type: T): EventOf<T>[] {
  return events.filter((e): e is EventOf<T> => e.type === type);
}
