/**
 * The idle worker's doorbell: one pool connection kept in `LISTEN` on the outbox's channel,
 * re-established with backoff when it breaks (a database restart), until stopped. Stopping never
 * waits on the network: a connect or query still pending then finishes (and the connection goes
 * back to the pool) in the background.
 */
import { exponential, type Backoff } from '../core/backoff.js';
import { BackoffWalk } from '../core/backoff-walk.js';
import type { Clock } from '../core/clock.js';
import type { PgNotification, PgPool, PgPoolClient } from './client.js';

const RECONNECT: Backoff = exponential({ initial: '250ms', max: '10s', jitter: 'full' });
const ignore = (): void => undefined;

/** @internal What the listener reports. */
export interface ListenerHooks {
  /** A notification arrived, or the connection came (back) up and notifications may have been missed. */
  wake(): void;
}

/** @internal Keeps `LISTEN "<channel>"` open until `signal` aborts. */
export async function listen(pool: PgPool, channel: string, clock: Clock, signal: AbortSignal, hooks: ListenerHooks): Promise<void> {
  let walk = new BackoffWalk(RECONNECT);
  const random = (): number => clock.random();
  while (!signal.aborted) {
    const client = await untilAborted(pool.connect(), signal).catch(ignore);
    if (client === 'aborted') return;
    if (client !== undefined) {
      const broken = await hold(client, channel, signal, hooks, () => (walk = new BackoffWalk(RECONNECT)));
      if (broken === undefined) return;
      // An error the dead connection emits after we let go must not crash the process.
      client.on('error', ignore);
      client.release(broken);
    }
    try {
      await clock.sleep(walk.next(random) ?? 1_000, signal);
    } catch {
      return;
    }
  }
}

/** `promise`'s value, or 'aborted' once `signal` aborts first (a client that arrives later goes back to the pool). */
function untilAborted(promise: Promise<PgPoolClient>, signal: AbortSignal): Promise<PgPoolClient | 'aborted'> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      promise.then((late) => late.release(), ignore);
      resolve('aborted');
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (client) => {
        signal.removeEventListener('abort', onAbort);
        resolve(signal.aborted ? 'aborted' : client); // if aborted, onAbort releases it
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Listens on `client` until `signal` aborts (resolves undefined: the connection is handed back to
 * the pool after UNLISTEN) or the connection breaks (resolves its error; the caller releases it).
 */
async function hold(client: PgPoolClient, channel: string, signal: AbortSignal, hooks: ListenerHooks, listening: () => void): Promise<Error | undefined> {
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
  if (signal.aborted) settle(undefined);
  client.query(`LISTEN "${channel}"`).then(
    () => {
      listening();
      hooks.wake(); // anything enqueued while we were not listening
    },
    (error: unknown) => settle(error instanceof Error ? error : new Error(String(error))),
  );
  const broken = await done;
  signal.removeEventListener('abort', onAbort);
  client.removeListener('notification', onNotification);
  client.removeListener('end', onEnd);
  client.removeListener('error', onError);
  if (broken === undefined) {
    // Queued behind LISTEN if that is still pending; errors after this point are the pool's business.
    client.on('error', ignore);
    client.query(`UNLISTEN "${channel}"`).then(
      () => {
        client.removeListener('error', ignore);
        client.release();
      },
      (error: unknown) => client.release(error instanceof Error ? error : true),
    );
  }
  return broken;
}
