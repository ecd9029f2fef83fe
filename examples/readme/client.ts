// ResilientClient: retries, a circuit breaker, health probing and readable logs around fetch.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exponential, isTransient, ResilientClient, textLines } from 'steadfast';

// A stand-in server: its proxy answers 502 to the first two check-ins, then it is fine.
let checkins = 0;
const server = createServer((req, res) => {
  if (req.url === '/api/health') return void res.end('ok'); // health.path is joined to baseUrl
  res.writeHead(++checkins <= 2 ? 502 : 200, { 'content-type': 'application/json' }).end('{"ok":true}');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

const client = new ResilientClient({
  baseUrl: `http://127.0.0.1:${port}/api`, // '/checkin' goes to /api/checkin
  timeout: '5s', // per attempt
  retry: { backoff: exponential({ initial: '100ms', max: '5s' }), maxRetries: 5 },
  breaker: { failureThreshold: 5, openFor: '30s' },
  health: { path: '/health', interval: '2s' }, // GET /api/health, probed while the breaker is open
  headers: () => ({ authorization: 'Bearer agent-token' }), // called before every attempt
  onEvent: textLines(), // stderr: "[RETRY] agent: retry 1/5 in 63ms: HTTP 502"
  name: 'agent',
});

try {
  // A POST is retried only with an idempotency key: the server can drop a duplicate.
  const reply = await client.postJSON<{ ok: boolean }>('/checkin', { agent: 'a-1' }, { idempotencyKey: 'a-1-checkin-1' });
  console.log('checked in:', reply.ok);
} catch (error) {
  // Transient: the server may have it later, keep the work; permanent: the server refused for good.
  console.log(isTransient(error) ? 'server unreachable, will retry later' : 'check-in refused');
} finally {
  client.close();
  server.close();
}
const { attempts, retries, state } = client.stats();
console.log(`attempts ${attempts}, retries ${retries}, breaker ${state}`);

// prints: checked in: true
// prints: attempts 3, retries 2, breaker closed
