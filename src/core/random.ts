/**
 * Deterministic pseudo-random numbers (pure).
 */

/**
 * Returns a deterministic generator of numbers in [0, 1) (mulberry32).
 * Same seed, same sequence: use it for reproducible jitter in tests and simulations.
 *
 * @example
 * const random = seededRandom(42);
 * delays(exponential({ initial: '1s', max: '30s' }), 5, { random });
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
