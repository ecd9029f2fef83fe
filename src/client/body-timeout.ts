/**
 * The per-attempt timeout over the response body (SPEC §7, issue 9 item 3): a server that sends
 * headers and then trickles, or stalls, must not hang a `fetch` caller's `text()` forever.
 * The caller gets the same Response; its body-reading methods (`text`, `json`, `arrayBuffer`,
 * `blob`, `bytes`, `formData`) reject with the deadline's `TimeoutError` once it passes, whatever
 * `fetch` is in use, and the attempt's signal is aborted, which also errors `response.body`
 * (undici, browsers). Patching six methods costs far less than re-wrapping the stream: a wrapped
 * `ReadableStream` cost about 14 µs of CPU per request read with `text()`.
 */

/** Statuses that never carry a body. */
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 103, 204, 205, 304]);
const READERS = ['text', 'json', 'arrayBuffer', 'blob', 'bytes', 'formData'] as const;

/** @internal A response whose body reads end with {@link BoundedBody.expire}. */
export interface BoundedBody {
  readonly response: Response;
  /** Rejects the body reads in progress (and later ones) with `error`; no-op once the body was read. */
  expire(error: unknown): void;
}

/**
 * @internal Whether `response` has a body to bound (no body, nothing to do: a 204 costs nothing).
 *
 * @example
 * if (hasBody(response)) boundBody(response, release);
 */
export function hasBody(response: Response): boolean {
  return response.body !== null && !response.bodyUsed && !NULL_BODY_STATUSES.has(response.status);
}

/**
 * @internal Bounds `response`'s body reads; `onEnd` runs once when a read settles by itself
 * (read to the end or failed), never after {@link BoundedBody.expire}.
 */
export function boundBody(response: Response, onEnd: () => void): BoundedBody {
  let expired: { error: unknown } | undefined;
  let ended = false;
  const pending = new Set<(error: unknown) => void>();
  for (const name of READERS) {
    const read = (response as unknown as Record<string, unknown>)[name];
    if (typeof read !== 'function') continue; // `bytes` is missing before Node 22
    const bounded = (): Promise<unknown> => {
      if (expired !== undefined) return Promise.reject(expired.error);
      return new Promise((resolve, reject) => {
        pending.add(reject);
        (read as () => Promise<unknown>).call(response).then(
          (value) => settle(reject, () => resolve(value)),
          (error: unknown) => settle(reject, () => reject(error)),
        );
      });
    };
    Object.defineProperty(response, name, { value: bounded, configurable: true, writable: true });
  }
  const settle = (reject: (error: unknown) => void, then: () => void): void => {
    pending.delete(reject);
    if (expired !== undefined) return; // already rejected with the deadline
    if (!ended) {
      ended = true;
      onEnd();
    }
    then();
  };
  return {
    response,
    expire(error) {
      if (ended || expired !== undefined) return;
      expired = { error };
      for (const reject of pending) reject(error);
      pending.clear();
      // Unread and unlocked: cancel it, so its socket is freed (a locked one is ended by the attempt's abort).
      if (response.body !== null && !response.body.locked) response.body.cancel(error).catch(() => {});
    },
  };
}
