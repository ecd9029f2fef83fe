/**
 * A client's breakers, one per origin (scheme, host, port; SPEC §7): one failing host never
 * blocks calls to another. Kept in a bounded {@link BreakerRegistry}; each breaker that has seen a
 * failure gets its own {@link Recovery} (health probing of its origin, waking waiting requests).
 * A `CircuitBreaker` instance given in the options is shared by every origin instead.
 */
import { CircuitBreaker, type BreakerState, type CircuitBreakerOptions } from '../breaker/breaker.js';
import { BreakerRegistry } from '../breaker/registry.js';
import type { Clock } from '../core/clock.js';
import type { EventSink } from '../core/events.js';
import { breakerOptions, DEFAULT_HEALTH_INTERVAL, makeHealth, type HealthSettings } from './options.js';
import { Recovery } from './recovery.js';
import { healthUrl, type BaseUrl } from './request.js';
import type { ClientBreakerState, ClientCounters } from './stats.js';

/** Breakers kept per client; past it the least recently used origin's breaker is dropped (closed ones first). */
export const MAX_ORIGINS = 1_000;

/** @internal What the breakers of a client need from it. */
export interface BreakersSetup {
  option: CircuitBreakerOptions | CircuitBreaker | undefined;
  name: string;
  clock: Clock;
  onEvent: EventSink | undefined;
  baseUrl: BaseUrl;
  baseOrigin: string;
  health: HealthSettings | undefined;
  headers: Record<string, string> | (() => HeadersInit | Promise<HeadersInit>);
  fetch: typeof fetch;
  counters: ClientCounters;
}

/** Worst first: what `stats().state` reports when origins disagree. */
const SEVERITY: readonly BreakerState[] = ['open', 'isolated', 'half-open', 'closed'];

/** @internal The breaker (and recovery) for each origin a client talks to. */
export class OriginBreakers {
  /** The instance given in the options, shared by every origin; `undefined` for per-origin breakers. */
  private readonly shared: CircuitBreaker | undefined;
  private readonly registry: BreakerRegistry | undefined;
  private readonly opensAtStart: number;
  private readonly recoveries = new Map<string, Recovery>();
  /** `breaker.name` if given, else the client's name. */
  private readonly baseName: string;

  constructor(private readonly s: BreakersSetup) {
    if (s.option instanceof CircuitBreaker) {
      this.shared = s.option;
      this.opensAtStart = s.option.opens;
    } else {
      // Validated now (by the registry building one breaker), not at the first request.
      this.registry = new BreakerRegistry({ maxSize: MAX_ORIGINS, defaults: breakerOptions(s.option, s.clock, s.onEvent, s.counters) });
      this.opensAtStart = 0;
    }
    this.baseName = s.option instanceof CircuitBreaker ? s.option.name : (s.option?.name ?? s.name);
  }

  /** The breaker requests to `origin` go through (created on first use). */
  breaker(origin: string): CircuitBreaker {
    if (this.shared !== undefined) return this.shared;
    // The base origin's breaker carries the client's name, as before per-origin breakers; others add their origin.
    const name = origin === this.s.baseOrigin ? this.baseName : `${this.baseName}:${origin}`;
    return (this.registry as BreakerRegistry).get(origin, { name });
  }

  /** The recovery watching `breaker` (made on first use; probes `origin`'s health path). */
  recovery(origin: string, breaker: CircuitBreaker): Recovery {
    const key = this.shared === undefined ? origin : '';
    const found = this.recoveries.get(key);
    if (found !== undefined && found.breaker === breaker) return found;
    found?.close(); // its breaker was evicted from the registry and made anew
    const { health: h, name, clock, onEvent, counters } = this.s;
    const url = h === undefined ? undefined : healthUrl(this.s.baseUrl, this.shared === undefined ? origin : this.s.baseOrigin, h.path);
    const health = h === undefined || url === undefined ? undefined : makeHealth(h, { ...url, headers: this.s.headers, fetch: this.s.fetch, clock, onEvent, name, counters });
    const recovery = new Recovery({ breaker, health, healthIntervalMs: h?.intervalMs ?? DEFAULT_HEALTH_INTERVAL, clock, counters, onEvent, name });
    this.recoveries.set(key, recovery);
    if (this.recoveries.size > 2 * MAX_ORIGINS) this.prune();
    return recovery;
  }

  /** The worst state over every origin's breaker (open, isolated, half-open, closed). */
  state(): ClientBreakerState {
    if (this.shared !== undefined) return this.shared.state;
    const states = new Set(Object.values(this.states()));
    return SEVERITY.find((state) => states.has(state)) ?? 'closed';
  }

  /** Each origin's breaker state (one entry, `'*'`, for a shared breaker). */
  states(): Record<string, BreakerState> {
    if (this.shared !== undefined) return { '*': this.shared.state };
    const out: Record<string, BreakerState> = {};
    for (const [origin, snapshot] of Object.entries((this.registry as BreakerRegistry).snapshot())) out[origin] = snapshot.state;
    return out;
  }

  /** Opens since the client was created (counted by event for per-origin breakers, so an evicted one still counts). */
  opens(): number {
    return this.shared === undefined ? this.s.counters.breakerOpens : this.shared.opens - this.opensAtStart;
  }

  /** Stops every background probe. */
  close(): void {
    for (const recovery of this.recoveries.values()) recovery.close();
  }

  /** Drops the recoveries of breakers the registry no longer holds. */
  private prune(): void {
    for (const [origin, recovery] of this.recoveries) {
      if (this.registry?.has(origin) === true) continue;
      recovery.close();
      this.recoveries.delete(origin);
    }
  }
}
