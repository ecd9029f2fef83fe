/**
 * scriptedFetch: a fake `fetch` that plays a script of responses and errors in order and records
 * every call, in virtual time.
 */
import { runWithSignal } from '../core/abort.js';
import { clockOption, type Clock } from '../core/clock.js';
import { booleanOption, objectOption } from '../core/options.js';

/** One scripted reply: a status, a Response, an error to throw, a detailed reply, a function, or `'hang'`. */
export type ScriptStep =
  | number
  | Response
  | Error
  | 'hang'
  | { status: number; headers?: Record<string, string>; body?: string; delayMs?: number }
  | ((call: RecordedCall) => Response | number | Error | Promise<Response | number>);

/** A call the fake received. Header names are lower-cased. */
export interface RecordedCall {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The request body as text, if it had one. */
  body: string | undefined;
  /** Virtual (or real) time of the call, epoch ms. */
  time: number;
}

/** A `fetch` that also exposes what it received. */
export type ScriptedFetch = typeof fetch & {
  readonly calls: RecordedCall[];
  /** Steps not yet played. */
  readonly remaining: number;
};

/** Options for {@link scriptedFetch}. */
export interface ScriptedFetchOptions {
  /** Clock used for `delayMs` and call times. @default systemClock */
  clock?: Clock | undefined;
  /** Replay the last step forever instead of failing once the script runs out. @default false */
  repeatLast?: boolean | undefined;
}

const NULL_BODY = new Set([101, 103, 204, 205, 304]);
// Call times and `delayMs`: the fake never draws a random number.
const NOW_AND_SLEEP: readonly (keyof Clock)[] = ['now', 'sleep'];

/**
 * Builds a fake `fetch` from a script. Each call plays the next step; once the script runs out
 * a call rejects with a `TypeError` (a permanent error), unless `repeatLast` is set. Aborting
 * the request's signal rejects with its reason, like the real `fetch`.
 *
 * @example
 * const fetch = scriptedFetch([502, 502, new TypeError('fetch failed'), { status: 200, body: '{"ok":true}' }], { clock });
 * const client = new ResilientClient({ baseUrl: 'http://agent.test', fetch, clock });
 * // ...then: fetch.calls.map((c) => c.time)
 */
export function scriptedFetch(script: readonly ScriptStep[], o: ScriptedFetchOptions = {}): ScriptedFetch {
  objectOption('scriptedFetch options', o);
  booleanOption('scriptedFetch.repeatLast', o.repeatLast);
  const clock = clockOption('scriptedFetch.clock', o.clock, NOW_AND_SLEEP);
  const calls: RecordedCall[] = [];
  let next = 0;
  const fake = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    if (signal?.aborted === true) throw signal.reason;
    // Built without the signal: a Request keeps a listener on its signal until garbage collection.
    const request = new Request(input, { ...init, signal: null });
    const call: RecordedCall = {
      method: request.method,
      url: request.url,
      headers: Object.fromEntries(request.headers),
      body: request.body === null ? undefined : await request.text(),
      time: clock.now(),
    };
    calls.push(call);
    if (next >= script.length && (o.repeatLast !== true || script.length === 0)) {
      throw new TypeError(`scriptedFetch: the script has no step for call ${calls.length} (${script.length} scripted)`);
    }
    const step = script[Math.min(next, script.length - 1)] as ScriptStep;
    next++;
    // Like the real fetch, an abort rejects at once whatever the step is doing; no listener stays behind.
    return runWithSignal((stepSignal) => play(step, call, stepSignal, clock), { signal, clock });
  };
  Object.defineProperty(fake, 'calls', { value: calls, enumerable: true });
  Object.defineProperty(fake, 'remaining', { get: () => Math.max(0, script.length - next), enumerable: true });
  return fake as ScriptedFetch;
}

async function play(step: ScriptStep, call: RecordedCall, signal: AbortSignal, clock: Clock): Promise<Response> {
  if (typeof step === 'function') return toResponse(await step(call));
  if (step === 'hang') return new Promise<never>(() => {}); // only an abort ends it
  if (typeof step === 'object' && !(step instanceof Response) && !(step instanceof Error)) {
    if (step.delayMs !== undefined && step.delayMs > 0) await clock.sleep(step.delayMs, signal);
    return new Response(NULL_BODY.has(step.status) ? null : (step.body ?? ''), { status: step.status, headers: step.headers ?? {} });
  }
  return toResponse(step);
}

function toResponse(step: Response | number | Error): Response {
  if (step instanceof Error) throw step;
  if (typeof step === 'number') return new Response(NULL_BODY.has(step) ? null : '', { status: step });
  // A clone, so a step played again (repeatLast, or listed twice) still has an unread body.
  return step.clone();
}
