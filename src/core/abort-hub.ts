/**
 * One abort listener per caller signal, however many calls wait on it. Agents share one shutdown
 * signal across every request; a listener per pending call would trip Node's
 * MaxListenersExceededWarning past ten concurrent calls, which reads as a leak where there is none.
 */

interface Hub {
  readonly callbacks: Set<() => void>;
  readonly listener: () => void;
}

const hubs = new WeakMap<AbortSignal, Hub>();

/**
 * Runs `callback` once when `signal` aborts. Returns the function that unsubscribes; the signal's
 * single listener is removed as soon as no subscriber is left.
 *
 * @example
 * const off = onAbort(signal, () => clearTimeout(timer));
 * // ...work settled first:
 * off();
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let hub = hubs.get(signal);
  if (hub === undefined) {
    const callbacks = new Set<() => void>();
    const listener = (): void => {
      hubs.delete(signal);
      for (const run of [...callbacks]) run();
    };
    hub = { callbacks, listener };
    hubs.set(signal, hub);
    signal.addEventListener('abort', listener, { once: true });
  }
  // A wrapper, so one function subscribed twice is two subscriptions.
  const entry = (): void => callback();
  const { callbacks, listener } = hub;
  callbacks.add(entry);
  return () => {
    if (!callbacks.delete(entry) || callbacks.size > 0) return;
    hubs.delete(signal);
    signal.removeEventListener('abort', listener);
  };
}
