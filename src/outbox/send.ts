/**
 * One delivery attempt of the outbox: `send` under `sendTimeout`, through the breaker. The wait
 * before the next attempt is the retry engine's (policies/retry-step.ts).
 */
import { sendItemOnce } from '../policies/outbox-item.js';
import type { ResolvedOutboxOptions } from './options.js';
import { toItem, type Entry } from './queue.js';

/**
 * One `send` of the head item (through the breaker, if any), under `sendTimeout`: the outboxes'
 * shared attempt (policies/outbox-item.ts), counting the attempt once the breaker lets it through.
 */
export function sendOnce(
  entry: Entry,
  o: Pick<ResolvedOutboxOptions, 'send' | 'breaker' | 'sendTimeout' | 'clock'>,
): Promise<{ error: unknown } | undefined> {
  return sendItemOnce(() => {
    entry.attempts++;
    return toItem(entry);
  }, o);
}
