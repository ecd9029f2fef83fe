/**
 * The event queue of the fleet simulation (pure).
 */

/**
 * A binary min-heap of (time, agent), one entry per agent: an agent always has exactly one
 * pending request, so the hot path is "pop the earliest, push its next" = one sift-down.
 * Ties break on the agent index, which keeps runs deterministic.
 *
 * @example
 * const q = new EventQueue(2); q.push(5, 0); q.push(3, 1); q.topAgent() // 1
 */
export class EventQueue {
  private readonly times: Float64Array;
  private readonly agents: Int32Array;
  /** Events in the queue. */
  size = 0;

  constructor(capacity: number) {
    this.times = new Float64Array(capacity);
    this.agents = new Int32Array(capacity);
  }

  /** Time of the earliest event. */
  topTime(): number {
    return this.times[0] as number;
  }

  /** Agent of the earliest event. */
  topAgent(): number {
    return this.agents[0] as number;
  }

  /** Adds an event; at most `capacity` events fit. */
  push(time: number, agent: number): void {
    let i = this.size++;
    const { times, agents } = this;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(time, agent, times[parent] as number, agents[parent] as number)) break;
      times[i] = times[parent] as number;
      agents[i] = agents[parent] as number;
      i = parent;
    }
    times[i] = time;
    agents[i] = agent;
  }

  /** Replaces the earliest event with the same agent's next one. */
  replaceTop(time: number, agent: number): void {
    const { times, agents, size } = this;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) break;
      const r = l + 1;
      let c = l;
      if (r < size && less(times[r] as number, agents[r] as number, times[l] as number, agents[l] as number)) c = r;
      if (!less(times[c] as number, agents[c] as number, time, agent)) break;
      times[i] = times[c] as number;
      agents[i] = agents[c] as number;
      i = c;
    }
    times[i] = time;
    agents[i] = agent;
  }
}

function less(t1: number, a1: number, t2: number, a2: number): boolean {
  return t1 < t2 || (t1 === t2 && a1 < a2);
}
