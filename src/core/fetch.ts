/**
 * The runtime's `fetch`, resolved once at the outer edge (a component's constructor), never per call.
 */

/** @internal The runtime's `fetch`, resolved once at the outer edge; `hint` says which option to pass instead. */
export function globalFetch(hint: string): typeof fetch {
  const f: unknown = globalThis.fetch;
  if (typeof f !== 'function') throw new TypeError(`steadfast: no global fetch in this runtime; pass ${hint}`);
  // Browsers throw "Illegal invocation" when fetch is called detached from its global.
  return (f as typeof fetch).bind(globalThis);
}
