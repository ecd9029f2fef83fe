/**
 * One circuit breaker per key (per host, per subsystem), in a bounded LRU map.
 */
import { CircuitBreaker, type BreakerSnapshot, type CircuitBreakerOptions } from './breaker.js';
import type { Clock } from '../core/clock.js';
import { countOption, describeValue, objectOption, orDefault } from '../core/options.js';
import type { EventSink } from '../core/events.js';

/** Options for {@link BreakerRegistry}. */
export interface BreakerRegistryOptions {
  /** Most breakers kept; past it a least recently used one is dropped (one holding nothing first). @default 1000 */
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
 * breaker. Bounded: when full, a least recently used breaker is dropped, preferring one that holds
 * nothing (closed, no failure counted) over one that is counting failures or open. `get` is O(1)
 * amortized (1,000,000 distinct keys: see `npm run bench:soak`).
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
  /** The key `get` returned last (it is at the end of `breakers`), so repeated gets skip the move. */
  private lastKey: string | undefined;
  private lastBreaker: CircuitBreaker | undefined;

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
    // The key used last is already the most recent: a client calling one origin pays one compare.
    if (key === this.lastKey && this.lastBreaker !== undefined) return this.lastBreaker;
    const found = this.breakers.get(key);
    if (found !== undefined) {
      this.breakers.delete(key);
      this.breakers.set(key, found);
      return this.remember(key, found);
    }
    const name = this.prefix === undefined ? key : `${this.prefix}:${key}`;
    objectOption('BreakerRegistry.get overrides', overrides);
    const breaker = new CircuitBreaker(overrides === undefined ? { ...this.defaults, name } : { ...this.defaults, name, ...overrides });
    if (this.breakers.size >= this.maxSize) this.evict();
    this.breakers.set(key, breaker);
    return this.remember(key, breaker);
  }

  private remember(key: string, breaker: CircuitBreaker): CircuitBreaker {
    this.lastKey = key;
    this.lastBreaker = breaker;
    return breaker;
  }

  /** Whether a breaker exists for `key` (does not count as a use). */
  has(key: string): boolean {
    return this.breakers.has(key);
  }

  /** Drops the breaker for `key`; returns whether there was one. */
  delete(key: string): boolean {
    if (key === this.lastKey) this.lastBreaker = undefined;
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

  /**
   * Makes room for a new key, looking at no more than {@link SAMPLE} of the least recently used
   * breakers (so `get` stays O(1) amortized): drops the first one that holds nothing (closed, no
   * failure counted), else the least recently used one not isolated. A breaker that is counting
   * failures, or open, is kept in preference: a new failing key then keeps its count, because
   * it is recently used and so never the victim (the old policy dropped the newest closed breaker,
   * and two new failing keys evicted each other on every get, never opening).
   */
  private evict(): void {
    let victim: string | undefined;
    let seen = 0;
    for (const [key, breaker] of this.breakers) {
      if (seen++ >= SAMPLE && victim !== undefined) break;
      const state = breaker.state;
      if (state === 'closed' && breaker.failureCount === 0) {
        victim = key;
        break;
      }
      if (state !== 'isolated') victim ??= key;
    }
    // Everything sampled is isolated: drop the oldest (the size bound wins).
    victim ??= this.breakers.keys().next().value;
    if (victim !== undefined) this.delete(victim);
  }
}

/** How many least recently used breakers eviction looks at for one that holds nothing. */
const SAMPLE = 8;
