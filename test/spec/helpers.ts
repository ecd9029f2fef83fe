/** Helpers shared by the SPEC conformance tests (test/spec/*.test.ts), on the public entry points only. */
import type { ResilienceEvent } from 'steadfast';

/** A Node-style network error with a `code`, as undici puts on a failed fetch's `cause`. */
export const netError = (code: string, message = `connect ${code} 10.0.0.1:443`): Error =>
  Object.assign(new Error(message), { code });
export const fetchFailed = (code: string): TypeError => new TypeError('fetch failed', { cause: netError(code) });

export function collect(): { sink: (e: ResilienceEvent) => void; events: ResilienceEvent[]; of: <T extends ResilienceEvent['type']>(t: T) => Extract<ResilienceEvent, { type: T }>[] } {
  const events: ResilienceEvent[] = [];
  return {
    sink: (e) => events.push(e),
    events,
    of: <T extends ResilienceEvent['type']>(t: T) => events.filter((e): e is Extract<ResilienceEvent, { type: T }> => e.type === t),
  };
}

/** Rejection captured without leaving an unhandled promise while virtual time runs. */
export function settleLater<T>(p: Promise<T>): { value: () => T | undefined; error: () => unknown; done: () => boolean } {
  let done = false;
  let value: T | undefined;
  let error: unknown;
  p.then(
    (v) => {
      done = true;
      value = v;
    },
    (e: unknown) => {
      done = true;
      error = e;
    },
  );
  return { value: () => value, error: () => error, done: () => done };
}
