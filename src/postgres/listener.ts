/**
 * The idle worker's doorbell: one pool connection kept in `LISTEN` on the outbox's channel,
 * re-established with backoff when it breaks (a database restart), until stopped.
 */
import { exponential, type Backoff } from '../core/backoff.js';
import { BackoffWalk } from '../core/backoff-walk.js';
import type { Clock } from '../core/clock.js';
import type { PgNotification, PgPool, PgPoolClient } from './client.js';

const RECONNECT: Backoff = exponential({ initial: '250ms', max: '10s', jitter: 'full' });

/** @internal What the listener reports. */
export interface ListenerHooks {
  /** A notification arrived, or the connection came (back) up and notifications may have been missed. */
  wake(): void;
  /** The connection broke or could not be made; it is retried after `delayMs`. */
  failed(error: unknown, failures: number, delayMs: number): void;
}

/**
 * @internal Keeps `LISTEN "<channel>"` open until `signal` aborts, then releases the connection.
 * Resolves once released.
 */
export async function listen(pool: PgPool, channel: string, clock: Clock, signal: AbortSignal, hooks: ListenerHooks): Promise<void> {
  let walk = new BackoffWalk(RECONNECT);
  let failures = 0;
  const random = (): number => clock.random();
  const listening = (): void => {
    walk = new BackoffWalk(RECONNECT);
    failures = 0;
  };
  while (!signal.aborted) {
    let client: PgPoolClient | undefined;
    try {
      client = await pool.connect();
      const broken = await hold(client, channel, signal, { ...hooks, listening });
      const held = client;
      client = undefined;
      if (broken === undefined) {
        held.release(false);
        return;
      }
      // An error emitted by the dead connection after we let go must not crash the process.
      held.on('error', () => undefined);
      held.release(broken);
      throw broken;
    } catch (error) {
      if (client !== undefined) {
        client.on('error', () => undefined);
        client.release(error instanceof Error ? error : true);
      }
      if (signal.aborted) return;
      failures++;
      const delayMs = walk.next(random) ?? 1_000;
      hooks.failed(error, failures, delayMs);
      try {
        await clock.sleep(delayMs, signal);
      } catch {
        return;
      }
    }
  }
}

/** Listens on `client` until `signal` aborts (resolves undefined) or the connection breaks (resolves its error). */
async function hold(client: PgPoolClient, channel: string, signal: AbortSignal, hooks: ListenerHooks & { listening(): void }): Promise<Error | undefined> {
  let settle!: (error: Error | undefined) => void;
  const done = new Promise<Error | undefined>((resolve) => (settle = resolve));
  const onNotification = (message: PgNotification): void => {
    if (message.channel === channel) hooks.wake();
  };
  const onError = (error: Error): void => settle(error);
  const onEnd = (): void => settle(new Error('steadfast: LISTEN connection ended'));
  const onAbort = (): void => settle(undefined);
  client.on('notification', onNotification);
  client.on('error', onError);
  client.on('end', onEnd);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await client.query(`LISTEN "${channel}"`);
    hooks.listening();
    hooks.wake(); // anything enqueued while we were not listening
    const broken = await done;
    if (broken === undefined) await client.query(`UNLISTEN "${channel}"`).catch(() => undefined);
    return broken;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  } finally {
    signal.removeEventListener('abort', onAbort);
    client.removeListener('notification', onNotification);
    client.removeListener('end', onEnd);
    client.removeListener('error', onError);
  }
}
