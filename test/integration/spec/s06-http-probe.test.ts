/**
 * SPEC §6 httpProbe and the client against a real node:http server.
 * Conformance with real files, processes and sockets, through the public entry points
 * ('steadfast', 'steadfast/node'). Each test is bounded well under 5 s.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HealthCheck, HttpError, ResilientClient, constant, httpProbe } from 'steadfast';

describe('SPEC §6 httpProbe against a real server', () => {
  let server: Server;
  let status = 200;
  let base = '';
  beforeEach(async () => {
    status = 200;
    server = createServer((req, res) => {
      res.statusCode = req.url === '/health' ? status : 404;
      res.end('x'.repeat(100_000));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('"answers non-2xx is a failure" (503), 2xx passes, and bodies are not left unread', async () => {
    const h = new HealthCheck({ probe: httpProbe(`${base}/health`), timeout: '2s' });
    expect(await h.check()).toBe(true);
    status = 503;
    expect(await h.check()).toBe(false);
    expect(h.status).toBe('unhealthy');
  }, 5_000);

  it('a client against a real server resolves 2xx and rejects 404 with HttpError at once', async () => {
    const client = new ResilientClient({ baseUrl: base, timeout: '2s', retry: { backoff: constant(10), maxRetries: 2 }, health: false });
    const ok = await client.fetch('/health');
    expect(ok.status).toBe(200);
    await ok.body?.cancel();
    const e = await client.fetch('/missing').catch((x: unknown) => x);
    expect((e as HttpError).status).toBe(404);
    expect(client.stats().attempts).toBe(2);
    client.close();
  }, 5_000);
});
