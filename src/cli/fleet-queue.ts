/**
 * The event queue of the fleet simulation (pure).
 */

/**
 * A binary min-heap of (time, id) events that grows as needed. Ties break on the id, which keeps
 * runs deterministic. A cancelled or moved event is not removed: its owner ignores it when it
 * comes out (see {@link Timers}).
 *
 * @example
 * const q = new EventQueue(2); q.push(5, 0); q.push(3, 1); q.pop(); q.topId() // 0
 */
export class EventQueue {
  private times: Float64Array;
  private ids: Int32Array;
  /** Events in the queue. */
  size = 0;

  constructor(capacity: number) {
    this.times = new Float64Array(Math.max(1, capacity));
    this.ids = new Int32Array(Math.max(1, capacity));
  }

  /** Time of the earliest event. */
  topTime(): number {
    return this.times[0] as number;
  }

  /** Id of the earliest event. */
  topId(): number {
    return this.ids[0] as number;
  }

  /** Adds an event. */
  push(time: number, id: number): void {
    if (this.size === this.times.length) this.grow();
    let i = this.size++;
    const { times, ids } = this;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(time, id, times[parent] as number, ids[parent] as number)) break;
      times[i] = times[parent] as number;
      ids[i] = ids[parent] as number;
      i = parent;
    }
    times[i] = time;
    ids[i] = id;
  }

  /** Removes the earliest event. */
  pop(): void {
    const last = --this.size;
    if (last <= 0) return;
    this.siftDown(this.times[last] as number, this.ids[last] as number, last);
  }

  private siftDown(time: number, id: number, size: number): void {
    const { times, ids } = this;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) break;
      const r = l + 1;
      let c = l;
      if (r < size && less(times[r] as number, ids[r] as number, times[l] as number, ids[l] as number)) c = r;
      if (!less(times[c] as number, ids[c] as number, time, id)) break;
      times[i] = times[c] as number;
      ids[i] = ids[c] as number;
      i = c;
    }
    times[i] = time;
    ids[i] = id;
  }

  private grow(): void {
    const times = new Float64Array(this.times.length * 2);
    const ids = new Int32Array(this.ids.length * 2);
    times.set(this.times);
    ids.set(this.ids);
    this.times = times;
    this.ids = ids;
  }
}

function less(t1: number, a1: number, t2: number, a2: number): boolean {
  return t1 < t2 || (t1 === t2 && a1 < a2);
}

/**
 * One pending timer per id on top of an {@link EventQueue}: setting a timer again or cancelling
 * it makes the older event stale, and {@link next} skips stale events.
 *
 * @example
 * const timers = new Timers(4); timers.set(0, 10); timers.set(0, 5); timers.next(Infinity) // 0 (at 5)
 */
export class Timers {
  private readonly queue: EventQueue;
  private readonly due: Float64Array;
  /** Time of the event {@link next} returned last. */
  now = 0;

  constructor(ids: number) {
    this.queue = new EventQueue(ids);
    this.due = new Float64Array(ids).fill(NaN);
  }

  /** (Re)sets the timer of `id` to fire at `time`. */
  set(id: number, time: number): void {
    this.due[id] = time;
    this.queue.push(time, id);
  }

  /** Cancels the timer of `id`, if any. */
  cancel(id: number): void {
    this.due[id] = NaN;
  }

  /** Whether `id` has a timer pending. */
  pending(id: number): boolean {
    return !Number.isNaN(this.due[id] as number);
  }

  /** Pops the earliest live timer before `horizon` and returns its id (setting {@link now}), or -1 when none is left. */
  next(horizon: number): number {
    const q = this.queue;
    while (q.size > 0) {
      const time = q.topTime();
      const id = q.topId();
      if (time >= horizon) return -1;
      q.pop();
      if (this.due[id] !== time) continue; // cancelled or moved
      this.due[id] = NaN;
      this.now = time;
      return id;
    }
    return -1;
  }
}
