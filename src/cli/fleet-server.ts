/**
 * The simulated server: down (connection refused) until the outage ends, then it accepts
 * `capacity` requests in each one-second bucket and answers the rest `503`, with a `Retry-After`
 * spread over its backlog when asked to. It counts every request by kind, per second.
 */
import { HttpError } from '../core/errors.js';
import { parseRetryAfter } from '../core/http-date.js';

/** The kinds of request an agent sends. */
export const KINDS = ['check-in', 'client retry', 'health probe', 'trial'] as const;
/** @internal Index into {@link KINDS}. */
export const CHECKIN = 0;
/** @internal */
export const RETRY = 1;
/** @internal */
export const PROBE = 2;
/** @internal */
export const TRIAL = 3;

/** How the server answers overload: a bare `503`, or a `503` with a `Retry-After` that spreads the refused over the next seconds. */
export type Overload = '503' | 'retry-after';

/** @internal The answer to one request: `undefined` when accepted, else the error the client sees. */
export type Answer = Error | undefined;

/** @internal */
export class Server {
  /** Requests arriving in each second, by kind. */
  readonly offered: Int32Array[];
  readonly accepted: Int32Array;
  refusedDown = 0;
  refusedBusy = 0;
  // Retry-After: the second the next refused request is sent to, and how many were sent there.
  private slot = 0;
  private booked = 0;
  private readonly refused: Error;

  constructor(
    private readonly outageMs: number,
    private readonly capacity: number,
    private readonly overload: Overload,
    seconds: number,
  ) {
    this.offered = KINDS.map(() => new Int32Array(seconds));
    this.accepted = new Int32Array(seconds);
    // What fetch throws when nothing listens: transient, and proof the request was never sent.
    this.refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
  }

  /** Takes one request of `kind` at time `t`. */
  answer(t: number, kind: number): Answer {
    const s = Math.floor(t / 1000);
    const offered = this.offered[kind] as Int32Array;
    offered[s] = (offered[s] as number) + 1;
    if (t < this.outageMs) {
      this.refusedDown++;
      return this.refused;
    }
    if ((this.accepted[s] as number) < this.capacity) {
      this.accepted[s] = (this.accepted[s] as number) + 1;
      return undefined;
    }
    this.refusedBusy++;
    if (this.overload === '503') return new HttpError(503, 'HTTP 503');
    // Half of each later second goes to the refused, the other half is left for regular traffic.
    if (this.slot <= s) {
      this.slot = s + 1;
      this.booked = 0;
    }
    const seconds = this.slot - s;
    if (++this.booked >= Math.max(1, Math.floor(this.capacity / 2))) {
      this.slot++;
      this.booked = 0;
    }
    const retryAfterMs = parseRetryAfter(String(seconds), t);
    return new HttpError(503, 'HTTP 503', retryAfterMs === undefined ? {} : { retryAfterMs });
  }
}
