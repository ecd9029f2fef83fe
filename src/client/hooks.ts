/**
 * The client's hooks (SPEC §7, as in ky): sign or rewrite each attempt's request, see or veto a
 * retry, replace a response. Each may be async. A hook that throws ends the call with its error:
 * it is not retried, never counted as the server's failure, and never an unhandled rejection.
 */
import { describeValue, functionOption } from '../core/options.js';
import { isObject } from '../core/errors.js';

/**
 * Hooks run by `ResilientClient` around each attempt.
 *
 * @example
 * const hooks: ClientHooks = {
 *   beforeRequest: async (request) => { request.headers.set('x-signature', await sign(request)); },
 *   beforeRetry: ({ error, attempt }) => { if (attempt >= 3 && shuttingDown) throw error; },
 *   afterResponse: (response) => (response.status === 299 ? new Response(null, { status: 503 }) : undefined),
 * };
 */
export interface ClientHooks {
  /**
   * Before each attempt (retries and the replay after a 401 included), with that attempt's own
   * `Request`; may change its headers in place or return a new `Request` to send instead.
   */
  beforeRequest?: (request: Request, info: { attempt: number }) => Request | void | Promise<Request | void>;
  /** Once a retry is decided, before its sleep; `attempt` is the attempt that failed. Throw to stop retrying (the call rejects with what you throw). */
  beforeRetry?: (info: { request: Request; error: unknown; attempt: number; delayMs: number }) => void | Promise<void>;
  /** After each response arrives, before its status is judged; may return a new `Response` to use instead (a 503 from it is retried like any other). */
  afterResponse?: (response: Response, info: { request: Request; attempt: number }) => Response | void | Promise<Response | void>;
}

/** @internal Validates `hooks` at construction; `undefined` when none is set. */
export function hooksOption(value: ClientHooks | undefined): ClientHooks | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) throw new TypeError(`steadfast: ResilientClient.hooks must be an object of functions; got ${describeValue(value)}`);
  const hooks: ClientHooks = {};
  const given: ClientHooks = value;
  const before = functionOption('ResilientClient.hooks.beforeRequest', given.beforeRequest);
  const retry = functionOption('ResilientClient.hooks.beforeRetry', given.beforeRetry);
  const after = functionOption('ResilientClient.hooks.afterResponse', given.afterResponse);
  if (before !== undefined) hooks.beforeRequest = before;
  if (retry !== undefined) hooks.beforeRetry = retry;
  if (after !== undefined) hooks.afterResponse = after;
  return before === undefined && retry === undefined && after === undefined ? undefined : hooks;
}

/** @internal What a hook returned, checked: a `beforeRequest` must give a Request (or nothing), `afterResponse` a Response. */
export function hookResult<T>(value: unknown, type: { new (...args: never[]): T; name: string }, hook: string): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof type) return value;
  throw new TypeError(`steadfast: hooks.${hook} must return a ${type.name} or nothing; got ${describeValue(value)}`);
}
