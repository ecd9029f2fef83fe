/**
 * The counters behind `ResilientClient.stats()`: plain numbers bumped on the request path,
 * copied into a JSON-safe snapshot on demand.
 */

/**
 * The state a client reports for its breaker; `disabled` when the client has none.
 *
 * @example
 * const degraded = (['open', 'isolated'] as ClientBreakerState[]).includes(client.stats().state);
 */
export type ClientBreakerState = 'closed' | 'open' | 'half-open' | 'isolated' | 'disabled';

/**
 * What a `ResilientClient` has done since it was created. JSON-safe.
 *
 * @example
 * const s = client.stats();
 * console.log(`${s.successes}/${s.requests} ok, ${s.retries} retries, breaker ${s.state}`);
 */
export interface ClientStats {
  /** Calls to `fetch` (and `getJSON`/`postJSON`). */
  requests: number;
  /** Requests actually handed to `fetch`, first tries and retries (calls the open breaker refused are not counted). */
  attempts: number;
  /** Attempts after the first one of a request, including the one replay after a 401 refresh. */
  retries: number;
  /** Attempts the open breaker refused without calling `fetch`. */
  shortCircuited: number;
  /** Requests that resolved with a 2xx response. */
  successes: number;
  /** Requests that rejected, by the verdict on their final error. */
  failures: { transient: number; permanent: number; aborted: number };
  /** Times the breaker opened since the client was created. */
  breakerOpens: number;
  /**
   * The worst state now over every origin's breaker, in the order open, isolated, half-open,
   * closed (`disabled` when the client has no breaker): `closed` means every host is reachable.
   */
  state: ClientBreakerState;
  /** Each origin's breaker state (`{ '*': state }` for a breaker instance shared by every origin). */
  breakers: Record<string, 'closed' | 'open' | 'half-open' | 'isolated'>;
  /** Background health probes run while the breaker was open, by outcome. */
  healthProbes: { ok: number; failed: number };
  /** Outages the client came back from (the breaker opened, then closed again). */
  recoveries: number;
  /** Length of the last outage, first failure to recovery, in ms (`null` before any recovery). */
  lastDowntimeMs: number | null;
}

/** @internal Mutable counters; `stats()` copies them. */
export class ClientCounters {
  requests = 0;
  attempts = 0;
  retries = 0;
  shortCircuited = 0;
  successes = 0;
  transient = 0;
  permanent = 0;
  aborted = 0;
  healthOk = 0;
  healthFailed = 0;
  recoveries = 0;
  /** `breaker_open` events of the client's own per-origin breakers. */
  breakerOpens = 0;
  lastDowntimeMs: number | null = null;

  /** Counts a request's final failure under its verdict. */
  fail(kind: 'transient' | 'permanent' | 'aborted'): void {
    this[kind]++;
  }

  snapshot(state: ClientBreakerState, breakerOpens: number, breakers: ClientStats['breakers']): ClientStats {
    return {
      requests: this.requests,
      attempts: this.attempts,
      retries: this.retries,
      shortCircuited: this.shortCircuited,
      successes: this.successes,
      failures: { transient: this.transient, permanent: this.permanent, aborted: this.aborted },
      breakerOpens,
      state,
      breakers,
      healthProbes: { ok: this.healthOk, failed: this.healthFailed },
      recoveries: this.recoveries,
      lastDowntimeMs: this.lastDowntimeMs,
    };
  }
}
