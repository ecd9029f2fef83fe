// Coming from ky: each row of the README table, run against a scripted server in virtual time
// (in your code leave `fetch` and `clock` out).
import { constant, HttpError, ResilientClient, type ResilientClientOptions } from 'steadfast';
import { FakeClock, scriptedFetch, type ScriptStep } from 'steadfast/testing';

async function call(script: ScriptStep[], o: Partial<ResilientClientOptions>, path = '/tasks', init: RequestInit & { idempotent?: boolean } = {}): Promise<string> {
  const clock = new FakeClock();
  const fetch = scriptedFetch(script, { clock });
  // prefixUrl → baseUrl; retry.limit → retry.maxRetries; retry.delay/backoffLimit → retry.backoff
  const client = new ResilientClient({ baseUrl: 'https://api.example.com/v1', fetch, clock, retry: { maxRetries: 2, backoff: constant('1s', { jitter: 'none' }) }, ...o });
  const done = client.fetch(path, init).then(
    (r) => `HTTP ${r.status}`,
    (e: unknown) => (e instanceof HttpError ? `HttpError ${e.status}` : String(e)),
  );
  await clock.runAll();
  const outcome = await done;
  client.close();
  const gaps = fetch.calls.slice(1).map((c, i) => c.time - (fetch.calls[i]?.time ?? 0));
  return `${outcome}, ${fetch.calls.length} calls${gaps.length > 0 ? `, ${gaps.join('/')}ms apart` : ''}`;
}

// The wait is the larger of the backoff and Retry-After (ky waits Retry-After instead of the backoff)
const slow = { retry: { maxRetries: 2, backoff: constant('10s', { jitter: 'none' }) } };
console.log('Retry-After:', await call([new Response(null, { status: 503, headers: { 'retry-after': '3' } }), 200], slow)); // prints: Retry-After: HTTP 200, 2 calls, 10000ms apart

// Retry-After (or RateLimit-Reset) is read on 429, 503 and a 413 that has it, not on every status
console.log('413:', await call([new Response(null, { status: 413, headers: { 'retry-after': '5' } }), 200], {})); // prints: 413: HTTP 200, 2 calls, 5000ms apart

// A per-attempt timeout (2s) is retried by default, after the backoff (ky does not retry its TimeoutError)
console.log('timeout:', await call(['hang', 200], { timeout: '2s' })); // prints: timeout: HTTP 200, 2 calls, 3000ms apart

// retry.methods → POST/PATCH are retried only with idempotent: true or an idempotencyKey
console.log('POST:', await call([502, 201], {}, '/tasks', { method: 'POST', body: '{}' })); // prints: POST: HttpError 502, 1 calls
console.log('idempotent:', await call([502, 201], {}, '/tasks', { method: 'POST', body: '{}', idempotent: true })); // prints: idempotent: HTTP 201, 2 calls, 1000ms apart

// retry.statusCodes → retry.classify.statuses (adds to or overrides the default rules)
console.log('statuses:', await call([404, 200], { retry: { maxRetries: 2, backoff: constant('1s', { jitter: 'none' }), classify: { statuses: { 404: 'transient' } } } })); // prints: statuses: HTTP 200, 2 calls, 1000ms apart
