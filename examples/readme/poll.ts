import { HealthCheck, HttpError, httpProbe, poll, textLines } from 'steadfast';

const server = process.env.SERVER_URL ?? 'http://127.0.0.1:8080';
const log = textLines(); // one readable line per event on stderr

// Wait until the server answers /health (checks 1s, 2s, 4s ... 30s apart) before the first check-in.
const health = new HealthCheck({ probe: httpProbe(`${server}/health`), timeout: '2s', onEvent: log, name: 'server' });
await health.waitUntilHealthy({ signal: AbortSignal.timeout(600_000) });

// Check in every 30s ±10%; after a failure back off 1s, 2s, 4s ... 12s (equal jitter); never give up.
const poller = poll(
  async ({ signal }) => {
    const res = await fetch(`${server}/checkin`, { method: 'POST', body: '{"agent":"a-7"}', signal });
    await res.body?.cancel(); // nothing to read: free the socket
    if (!res.ok) throw new HttpError(res.status);
  },
  { interval: '30s', onEvent: log, name: 'checkin' },
);

// On SIGTERM, let the check-in in flight finish, then exit.
process.once('SIGTERM', () => void poller.stop());
