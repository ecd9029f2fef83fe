/**
 * One circuit breaker per key (per host, per subsystem), in a bounded LRU map.
 */
import { CircuitBreaker, type BreakerSnapshot, type CircuitBreakerOptions } from './breaker.js';
import type { Clock } from '../core/clock.js';
import { countOption, describeValue, objectOption, orDefault } from '../core/options.js';
import type { EventSink } from '../core/events.js';

/** Options for {@link BreakerRegistry}. */
export interface BreakerRegistryOptions {
  /** Most breakers kept; past it the least recently used is dropped (closed ones first). @default 1000 */
  maxSize?: number | undefined;
  /** Options for every breaker it creates. With `defaults.name`, breakers are named `${name}:${key}`. */
  defaults?: CircuitBreakerOptions | undefined;
  /** Clock for breakers whose options give none. @default systemClock */
  clock?: Clock | undefined;
  /** Event sink for breakers whose options give none. */
  onEvent?: EventSink | undefined;
}

/**
 * Keeps one {@link CircuitBreaker} per key, so one failing subsystem or host opens only its own
 * breaker. Bounded: when full, the least recently used breaker is dropped, preferring a closed
 * one (an open breaker remembers an outage worth keeping).
 *
 * @example
 * const breakers = new BreakerRegistry({ defaults: { failureThreshold: 3, openFor: '10s' } });
 * await breakers.get('metrics').execute(() => sendMetrics());
 */
export class BreakerRegistry {
  private readonly maxSize: number;
  private readonly defaults: CircuitBreakerOptions;
  private readonly prefix: string | undefined;
  /** Insertion order is recency order: `get` moves a key to the end. */
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(o: BreakerRegistryOptions = {}) {
    objectOption('BreakerRegistry options', o);
    this.maxSize = countOption('maxSize', orDefault(o.maxSize, 1_000), { min: 1 });
    const defaults: CircuitBreakerOptions = { ...objectOption('BreakerRegistry.defaults', o.defaults) };
    if (o.clock !== undefined && defaults.clock === undefined) defaults.clock = o.clock;
    if (o.onEvent !== undefined && defaults.onEvent === undefined) defaults.onEvent = o.onEvent;
    this.prefix = defaults.name;
    // Validate the defaults now rather than at the first get().
    new CircuitBreaker(defaults);
    this.defaults = defaults;
  }

  /** How many breakers it holds. */
  get size(): number {
    return this.breakers.size;
  }

  /**
   * The breaker for `key`, created on first use with `defaults` and then `overrides` (which only
   * apply when it is created). The same key always gives the same instance while it is kept.
   */
  get(key: string, overrides?: CircuitBreakerOptions): CircuitBreaker {
    if (typeof key !== 'string') throw new TypeError(`steadfast: breaker key must be a string; got ${describeValue(key)}`);
    const found = this.breakers.get(key);
    if (found !== undefined) {
      this.breakers.delete(key);
      this.breakers.set(key, found);
      return found;
    }
    const name = this.prefix === undefined ? key : `${this.prefix}:${key}`;
    objectOption('BreakerRegistry.get overrides', overrides);
    const breaker = new CircuitBreaker(overrides === undefined ? { ...this.defaults, name } : { ...this.defaults, name, ...overrides });
    if (this.breakers.size >= this.maxSize) this.evict();
    this.breakers.set(key, breaker);
    return breaker;
  }

  /** Whether a breaker exists for `key` (does not count as a use). */
  has(key: string): boolean {
    return this.breakers.has(key);
  }

  /** Drops the breaker for `key`; returns whether there was one. */
  delete(key: string): boolean {
    return this.breakers.delete(key);
  }

  /** The keys, least recently used first. */
  keys(): string[] {
    return [...this.breakers.keys()];
  }

  /** Every breaker's {@link CircuitBreaker.snapshot}, by key. */
  snapshot(): Record<string, BreakerSnapshot> {
    const out: Record<string, BreakerSnapshot> = {};
    for (const [key, breaker] of this.breakers) out[key] = breaker.snapshot();
    return out;
  }

  /** Drops the least recently used closed breaker, else the least recently used one not isolated, else the oldest. */
  private evict(): void {
    let fallback: string | undefined;
    let oldest: string | undefined;
    for (const [key, breaker] of this.breakers) {
      oldest ??= key;
      const state = breaker.state;
      if (state === 'closed') {
        this.breakers.delete(key);
        return;
      }
      if (state !== 'isolated') fallback ??= key;
    }
    const victim = fallback ?? oldest;
    if (victim !== undefined) this.breakers.delete(victim);
  }
}
