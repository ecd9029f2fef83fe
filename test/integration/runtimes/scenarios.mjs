// The scenarios every runtime must pass with the built core (dist/index.js): plain JavaScript,
// so Chromium, Deno and Bun load it as it is. scripts/test-runtimes.mjs serves the endpoints and
// checks the result each runtime reports.

/**
 * @param {typeof import('../../../dist/index.js')} lib the built core
 * @param {{ base: string, refused: string, reset: string }} urls
 */
export async function runScenarios(lib, urls) {
  const { withRetry, constant, HttpError, ResilientClient, classify } = lib;
  const out = {};
  await fetch(`${urls.base}/control/reset`, { method: 'POST' });

  // 1. withRetry against a server answering 503, 503, 200.
  let attempts = 0;
  const body = await withRetry(
    async ({ signal }) => {
      attempts++;
      const res = await fetch(`${urls.base}/flaky`, { signal });
      if (!res.ok) {
        await res.body?.cancel();
        throw new HttpError(res.status);
      }
      return res.text();
    },
    { backoff: constant(20, { jitter: 'none' }), maxRetries: 5 },
  );
  out.withRetry = { attempts, body };

  // 2. A ResilientClient whose breaker opens, then is half-opened by a health probe.
  const events = [];
  const client = new ResilientClient({
    baseUrl: `${urls.base}/svc`,
    retry: false,
    breaker: { failureThreshold: 2, openFor: '1h' },
    health: { path: '/health', interval: 50 },
    onEvent: (e) => events.push(e.type),
  });
  await fetch(`${urls.base}/control/down`, { method: 'POST' });
  const statuses = [];
  for (let i = 0; i < 2; i++) statuses.push(await client.fetch('/work').then((r) => r.status, (e) => e.status ?? e.name));
  const openState = client.breaker.state;
  const refusedWhileOpen = await client.fetch('/work').then(() => 'sent', (e) => e.name);
  await fetch(`${urls.base}/control/up`, { method: 'POST' });
  // The breaker is open for an hour: only a successful health probe can half-open it.
  const deadline = Date.now() + 5_000;
  while (client.breaker.state === 'open' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  const afterProbe = client.breaker.state;
  const recovered = await client.fetch('/work').then((r) => r.status, (e) => e.name);
  out.client = { statuses, openState, refusedWhileOpen, afterProbe, recovered, finalState: client.breaker.state, events };
  client.close();

  // 3. classify of a real refused connection and a real reset connection.
  const verdict = async (url) => {
    const error = await fetch(url).then(() => undefined, (e) => e);
    const v = classify(error);
    return { kind: v.kind, reason: v.reason, name: error?.name, message: String(error?.message) };
  };
  out.refused = await verdict(urls.refused);
  out.reset = await verdict(urls.reset);
  return out;
}
