// poll: a check-in loop that never gives up, with a health gate and readable logs.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exponential, HealthCheck, HttpError, httpProbe, poll, textLines } from 'steadfast';

// A stand-in server that refuses the first two check-ins (it is still starting up).
let checkins = 0;
const server = createServer((req, res) => {
  if (req.url === '/health') return void res.end('ok');
  res.writeHead(++checkins <= 2 ? 503 : 204).end();
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const log = textLines(); // one readable line per event on stderr

// Wait until the server answers /health before the first check-in.
const health = new HealthCheck({ probe: httpProbe(`${base}/health`), timeout: '2s', onEvent: log, name: 'server' });
await health.waitUntilHealthy({ signal: AbortSignal.timeout(60_000) });

// Real agents check in every 30s and use the default backoff (1s..12s, equal jitter);
// this demo is sped up. The loop never gives up on its own: only stop() or a signal end it.
let good = 0;
let enough = (): void => {};
const threeGood = new Promise<void>((resolve) => (enough = resolve));
const poller = poll(
  async ({ signal }) => {
    const res = await fetch(`${base}/checkin`, { method: 'POST', body: '{"agent":"a-7"}', signal });
    await res.body?.cancel(); // nothing to read: free the socket
    if (!res.ok) throw new HttpError(res.status);
    if (++good === 3) enough();
  },
  { interval: '100ms', backoff: exponential({ initial: '50ms', max: '200ms', jitter: 'equal' }), onEvent: log, name: 'checkin' },
);
await threeGood;
await poller.stop(); // what a SIGTERM handler calls: lets the check-in in flight finish
server.close();
console.log(`check-ins: ${checkins}, failures in a row now: ${poller.failures}`);

// prints: check-ins: 5, failures in a row now: 0
