/**
 * One delivery attempt of the outbox: `send` under `sendTimeout`, through the breaker. The wait
 * before the next attempt is the retry engine's (policies/retry-step.ts).
 */
import { runWithSignal } from '../core/abort.js';
import type { ResolvedOutboxOptions } from './options.js';
import { toItem, type Entry } from './queue.js';

/**
 * One `send` of the head item (through the breaker, if any), under `sendTimeout`. Resolves with
 * its error, or undefined on success. It settles the moment the timeout passes, even if `send`
 * never does: an abandoned `send` that settles later is ignored (its item stays waiting, so it
 * can't be acknowledged by it).
 */
export async function sendOnce(
  entry: Entry,
  o: Pick<ResolvedOutboxOptions, 'send' | 'breaker' | 'sendTimeout' | 'clock'>,
): Promise<{ error: unknown } | undefined> {
  // Each attempt gets its own signal (listeners `send` or fetch leave on it can't pile up), aborted
  // only by sendTimeout: stop() lets the delivery in flight finish, and the timeout bounds that wait.
  // The timeout runs inside the breaker, so a hung send counts as a failure there.
  const send = (): Promise<void> => {
    entry.attempts++;
    const item = toItem(entry);
    return runWithSignal((attempt) => o.send(item, { signal: attempt }), { timeoutMs: o.sendTimeout, clock: o.clock });
  };
  try {
    await (o.breaker === undefined ? send() : o.breaker.execute(send));
    return undefined;
  } catch (error) {
    return { error };
  }
}
