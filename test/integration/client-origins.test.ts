import { afterEach, describe, expect, it } from 'vitest';
import { constant } from '../../src/core/backoff.js';
import { ResilientClient } from '../../src/client/client.js';
import { startServer, type TestServer } from './helpers/http-server.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('per-origin breakers against two real servers', () => {
  it('keeps calling the healthy origin at full speed while the failing one has its breaker open', async () => {
    const healthy = await startServer((_req, res) => res.end('ok'));
    const failing = await startServer((_req, res) => res.writeHead(503).end('down'));
    servers.push(healthy, failing);
    const client = new ResilientClient({
      baseUrl: healthy.url,
      timeout: '2s',
      retry: { maxRetries: 1, backoff: constant('10ms') },
      breaker: { failureThreshold: 3, openFor: '1m' },
      health: false,
    });
    for (let i = 0; i < 3; i++) await client.fetch(`${failing.url}/report`, { retry: { maxRetries: 0 } }).catch(() => {});
    expect(client.breakerFor(failing.url)?.state).toBe('open');
    const refusedAt = failing.requests.length;
    const results = await Promise.all(Array.from({ length: 20 }, () => client.fetch('/tasks').then((r) => r.text())));
    expect(results).toEqual(Array.from({ length: 20 }, () => 'ok'));
    await expect(client.fetch(`${failing.url}/report`, { retry: { maxRetries: 0 } })).rejects.toMatchObject({ name: 'BrokenCircuitError' });
    expect(failing.requests.length).toBe(refusedAt); // the open breaker spent no request on it
    expect(client.stats()).toMatchObject({ state: 'open', breakers: { [healthy.url]: 'closed', [failing.url]: 'open' } });
    client.close();
  }, 10_000);
});
