/** Test helper: watches the abort listeners on a signal by wrapping its add/removeEventListener. */

/** Live and peak listener counts; a `once` listener stops counting when it fires, as the platform drops it. */
export interface ListenerWatch {
  live(): number;
  most(): number;
}

export function watchListeners(signal: AbortSignal): ListenerWatch {
  const live = new Map<unknown, EventListener>();
  let most = 0;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = ((type: string, listener: EventListener, options?: AddEventListenerOptions) => {
    const once = options?.once === true;
    const wrapped: EventListener = (event) => {
      if (once) live.delete(listener);
      listener(event);
    };
    live.set(listener, wrapped);
    most = Math.max(most, live.size);
    add(type, wrapped, options);
  }) as typeof signal.addEventListener;
  signal.removeEventListener = ((type: string, listener: EventListener) => {
    const wrapped = live.get(listener);
    live.delete(listener);
    if (wrapped !== undefined) remove(type, wrapped);
  }) as typeof signal.removeEventListener;
  return { live: () => live.size, most: () => most };
}
