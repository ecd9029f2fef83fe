/**
 * What both outboxes (the file one and the PostgreSQL one) share: the item, the `send` callback,
 * the breaker they call it through, and one attempt of `send` under its timeout.
 */
import { CircuitBreaker, type CircuitBreakerOptions } from '../breaker/breaker.js';
import { runWithSignal } from '../core/abort.js';
import { backoffOption, exponential, type Backoff } from '../core/backoff.js';
import type { ClassifyOptions } from '../core/classify.js';
import { clockOption, type Clock } from '../core/clock.js';
import { parseDuration, type Duration } from '../core/duration.js';
import type { EventSink } from '../core/events.js';
import { classifyOption, describeValue, functionOption, isOptionsObject, nameOption, orDefault } from '../core/options.js';

/**
 * A JSON value: what an outbox stores. `undefined` properties are dropped, as by `JSON.stringify`.
 *
 * @example
 * const event: JsonValue = { type: 'job_done', id: 42, tags: ['nightly'] };
 */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue | undefined };

/**
 * One item of an {@link Outbox}.
 *
 * @example
 * const send: OutboxSend = async (item) => { await post('/events', item.payload, { 'Idempotency-Key': item.key }) };
 */
export interface OutboxItem {
  /** Stable across attempts and restarts: send it as an idempotency key. */
  readonly key: string;
  readonly payload: JsonValue;
  /** When it was enqueued, epoch ms. */
  readonly enqueuedAt: number;
  /** Delivery attempts started so far, including the current one when handed to `send` (0 when just enqueued). */
  readonly attempts: number;
}

/**
 * Delivers one item. Resolve when the server has it; reject to retry (transient) or dead-letter (permanent).
 *
 * @example
 * const send: OutboxSend = async (item, { signal }) => {
 *   const res = await fetch(url, { method: 'POST', body: JSON.stringify(item.payload), headers: { 'idempotency-key': item.key }, signal });
 *   if (!res.ok) throw new HttpError(res.status); // 4xx: dead letter; 5xx: retried
 * };
 */
export type OutboxSend = (item: OutboxItem, ctx: { signal: AbortSignal }) => Promise<void>;

/**
 * Anything with `execute`, such as a {@link CircuitBreaker}.
 *
 * @example
 * const outbox = await Outbox.open({ path, send, breaker: client.breaker }); // share the client's breaker
 */
export interface OutboxBreaker {
  execute<T>(fn: () => Promise<T>): Promise<T>;
}

/**
 * @internal The breaker option of an outbox: the caller's object with `execute`, or a
 * `CircuitBreaker` built from options with the outbox's clock, name and event sink.
 */
export function resolveOutboxBreaker(
  b: CircuitBreaker | OutboxBreaker | CircuitBreakerOptions | undefined,
  clock: Clock,
  name: string,
  onEvent: EventSink | undefined,
): OutboxBreaker | undefined {
  if (b === undefined) return undefined;
  if (typeof (b as Partial<OutboxBreaker>).execute === 'function') return b as OutboxBreaker;
  const options: CircuitBreakerOptions = { name, clock, ...(b as CircuitBreakerOptions) };
  if (onEvent !== undefined && options.onEvent === undefined) options.onEvent = onEvent;
  return new CircuitBreaker(options);
}

/**
 * @internal One `send` (through the breaker, if any) under `sendTimeout` ms, of the item `take()`
 * returns once the breaker lets the call through. Resolves with `{ error }`, or undefined on
 * success. It settles when the timeout passes even if `send` never does (an abandoned `send` that
 * settles later is ignored). Each attempt gets its own signal, aborted only by the timeout, so
 * listeners `send` or fetch leave on it can't pile up; the timeout runs inside the breaker, so a
 * hung send counts as a failure there.
 */
export async function sendItemOnce(
  take: () => OutboxItem,
  o: { send: OutboxSend; breaker: OutboxBreaker | undefined; sendTimeout: number; clock: Clock },
): Promise<{ error: unknown } | undefined> {
  const send = (): Promise<void> => {
    const item = take();
    return runWithSignal((signal) => o.send(item, { signal }), { timeoutMs: o.sendTimeout, clock: o.clock });
  };
  try {
    await (o.breaker === undefined ? send() : o.breaker.execute(send));
    return undefined;
  } catch (error) {
    return { error };
  }
}

/**
 * `flush()` can't finish: the outbox is stopped (or was stopped while flushing) with items still
 * waiting. Call `start()` first.
 *
 * @example
 * outbox.start();
 * await outbox.flush(); // rejects with OutboxStoppedError if someone calls outbox.stop() meanwhile
 */
export class OutboxStoppedError extends Error {
  override readonly name = 'OutboxStoppedError' as const;
  /** Items still waiting. */
  readonly size: number;

  constructor(size: number) {
    super(`steadfast: outbox is stopped with ${size} item(s) waiting; call start() to deliver them`);
    this.size = size;
  }
}

/** @internal The delivery options both outboxes take, as given. */
export interface DeliveryOptionsInput {
  send: OutboxSend;
  sendTimeout?: Duration | undefined;
  backoff?: Backoff | undefined;
  breaker?: CircuitBreaker | OutboxBreaker | CircuitBreakerOptions | undefined;
  classify?: ClassifyOptions | undefined;
  onEvent?: EventSink | undefined;
  clock?: Clock | undefined;
  name?: string | undefined;
}

/** @internal The delivery options both outboxes share, validated and with their defaults. */
export interface DeliveryOptions {
  send: OutboxSend;
  /** ms; Infinity for none. */
  sendTimeout: number;
  backoff: Backoff;
  breaker: OutboxBreaker | undefined;
  classify: ClassifyOptions;
  onEvent: EventSink | undefined;
  clock: Clock;
  name: string;
}

let defaultBackoff: Backoff | undefined;

/**
 * @internal Validates the options the file outbox and the PostgreSQL outbox share (`send`,
 * `sendTimeout`, `backoff`, `breaker`, `classify`, `onEvent`, `clock`, `name`) and applies their
 * defaults, once, for both: the same option means the same thing in each.
 *
 * @example
 * const d = deliveryOptions('Outbox.open', o, 'outbox'); // d.sendTimeout === 30_000 by default
 */
export function deliveryOptions(entry: string, o: DeliveryOptionsInput, defaultName: string): DeliveryOptions {
  if (!isOptionsObject(o)) throw new TypeError(`steadfast: ${entry} needs an options object; got ${describeValue(o)}`);
  if (typeof o.send !== 'function') throw new TypeError(`steadfast: send must be a function; got ${describeValue(o.send)}`);
  if (o.breaker !== undefined && !isOptionsObject(o.breaker)) {
    throw new TypeError(`steadfast: breaker must be a CircuitBreaker or CircuitBreakerOptions; got ${describeValue(o.breaker)}`);
  }
  const clock = clockOption('clock', o.clock);
  const name = nameOption('name', o.name, defaultName);
  const onEvent = functionOption('onEvent', o.onEvent);
  // Says "(or Infinity)": a user hunting for how to disable the timeout learns it from the error.
  const sendTimeout = parseDuration(orDefault(o.sendTimeout, '30s'), { option: 'sendTimeout', allowInfinity: true });
  if (sendTimeout <= 0) throw new RangeError(`steadfast: sendTimeout must be > 0 (or Infinity); got ${describeValue(o.sendTimeout)}`);
  return {
    send: o.send,
    sendTimeout,
    backoff: backoffOption('backoff', o.backoff) ?? (defaultBackoff ??= exponential({ initial: '1s', max: '5m', jitter: 'full' })),
    breaker: resolveOutboxBreaker(o.breaker, clock, name, onEvent),
    classify: classifyOption('classify', o.classify) ?? {},
    onEvent,
    clock,
    name,
  };
}
