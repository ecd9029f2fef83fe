/**
 * The per-attempt timeout over the response body (SPEC §7, issue 9 item 3): a server that sends
 * headers and then trickles, or stalls, must not hang a `fetch` caller's `text()` forever. The body
 * is re-wrapped so that, once the attempt's deadline passes, reading it fails with the deadline's
 * `TimeoutError` and the source stream is cancelled (its socket freed), whatever `fetch` is in use.
 */

/** Statuses whose Response may not carry a body (`new Response(body, …)` throws for them). */
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 103, 204, 205, 304]);

/** @internal A response whose body ends with {@link BoundedBody.expire}. */
export interface BoundedBody {
  readonly response: Response;
  /** Fails the body read with `error` and cancels the source (no-op once the body ended). */
  expire(error: unknown): void;
}

/**
 * @internal Whether `response` has a body to bound (no body, no wrapper: a 204 costs nothing).
 *
 * @example
 * if (hasBody(response)) ({ response } = boundBody(response, release));
 */
export function hasBody(response: Response): boolean {
  return response.body !== null && !response.bodyUsed && !NULL_BODY_STATUSES.has(response.status);
}

/**
 * @internal Wraps `response`'s body; `onEnd` runs once when it ends by itself (read to the end,
 * errored, or cancelled by the reader), never after {@link BoundedBody.expire}.
 */
export function boundBody(response: Response, onEnd: () => void): BoundedBody {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let ended = false;
  const end = (): boolean => {
    if (ended) return false;
    ended = true;
    return true;
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      async pull(c) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (error) {
          if (end()) {
            onEnd();
            c.error(error);
          }
          return;
        }
        if (ended) return; // expired while this read was pending
        if (!chunk.done) return c.enqueue(chunk.value);
        end();
        onEnd();
        c.close();
      },
      cancel(reason) {
        if (end()) onEnd();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 }, // pull only when the reader asks: the deadline then sees a real stall
  );
  const wrapped = new Response(stream, { status: response.status, statusText: response.statusText, headers: response.headers });
  // A constructed Response has an empty url; keep what the caller would have seen.
  Object.defineProperties(wrapped, { url: { value: response.url }, redirected: { value: response.redirected } });
  return {
    response: wrapped,
    expire(error) {
      if (!end()) return;
      controller.error(error);
      reader.cancel(error).catch(() => {});
    },
  };
}
