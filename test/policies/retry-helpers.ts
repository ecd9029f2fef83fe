/** Helpers shared by the retry engine's test files. */
import { HttpError } from '../../src/core/errors.js';
import type { FakeClock } from '../../src/testing/fake-clock.js';

/** How a promise settled. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Starts `promise`, plays every virtual timer, and returns how it settled. */
export async function play<T>(clock: FakeClock, promise: Promise<T>): Promise<Outcome<T>> {
  const settled = promise.then(
    (value): Outcome<T> => ({ ok: true, value }),
    (error: unknown): Outcome<T> => ({ ok: false, error }),
  );
  await clock.runAll();
  return settled;
}

/** An HttpError with `status`, and the server's wait when given. */
export const http = (status: number, retryAfterMs?: number): HttpError =>
  new HttpError(status, `HTTP ${status}`, retryAfterMs === undefined ? {} : { retryAfterMs });
