import { afterEach, describe, expect, it } from 'vitest';
import { constant } from '../../src/core/backoff.js';
import { ResilientClient } from '../../src/client/client.js';
import { isTransient } from '../../src/core/classify.js';
import { startServer, type TestServer } from './helpers/http-server.js';

let server: TestServer | undefined;
const timers: ReturnType<typeof setInterval>[] = [];
afterEach(async () => {
  for (const t of timers.splice(0)) clearInterval(t);
  await server?.close();
  server = undefined;
});

/** Headers at once, then one byte every 200 ms, never ending (undici's 300 s idle timer is reset by each byte). */
async function trickling(): Promise<TestServer> {
  server = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('[');
    timers.push(setInterval(() => res.write(' '), 200));
  });
  return server;
}

describe('a body that trickles from a real server (issue 9 item 3)', () => {
  it("fails a fetch caller's text() with a transient TimeoutError once the 1s attempt timeout passes", async () => {
    const s = await trickling();
    const client = new ResilientClient({ baseUrl: s.url, timeout: '1s', retry: false });
    const started = performance.now();
    const res = await client.fetch('/feed');
    expect(res.status).toBe(200);
    const error = await res.text().then(() => undefined, (e: unknown) => e);
    const took = performance.now() - started;
    expect(error).toMatchObject({ name: 'TimeoutError', message: 'attempt timed out after 1000ms' });
    expect(isTransient(error)).toBe(true);
    expect(took).toBeGreaterThanOrEqual(950);
    expect(took).toBeLessThan(3_000);
    client.close();
  }, 10_000);

  it('fails getJSON the same way, after its retries (each attempt bounded)', async () => {
    const s = await trickling();
    const client = new ResilientClient({ baseUrl: s.url, timeout: '500ms', retry: { maxRetries: 1, backoff: constant('10ms') }, breaker: false });
    const error = await client.getJSON('/feed').then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect(s.requests).toHaveLength(2);
    client.close();
  }, 10_000);
});
