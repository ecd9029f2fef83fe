/**
 * What the bench uses from steadfast. run.ts bundles this file with esbuild the way tsup builds
 * the package (ESM, es2022, no `keepNames`), so steadfast is measured as shipped — tsx's
 * `keepNames` transform wraps every closure in a `__name()` call that the published build lacks.
 */
export { constant, exponential } from '../../src/core/backoff.js';
export { CircuitBreaker } from '../../src/breaker/breaker.js';
export { withRetry } from '../../src/policies/retry.js';
export type { RetryOptions } from '../../src/policies/retry.js';
