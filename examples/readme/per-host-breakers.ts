// One breaker per host: the billing service is down, the task API keeps working.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ResilientClient } from 'steadfast';

async function serve(status: number): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => res.writeHead(status).end(status === 200 ? 'ok' : 'down'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
const api = await serve(200);
const billing = await serve(503);

const client = new ResilientClient({
  baseUrl: api.url,
  retry: false, // one attempt each, to show the breakers alone
  breaker: { failureThreshold: 3, openFor: '30s' }, // options: one breaker per origin
  health: false,
});

for (let i = 0; i < 4; i++) await client.fetch(`${billing.url}/invoices`).catch(() => {});
const tasks = await client.fetch('/tasks'); // another origin: its own, closed breaker
console.log('tasks:', tasks.status);
console.log('billing breaker:', client.breakerFor(billing.url)?.state);
console.log('stats state:', client.stats().state); // the worst origin's state

client.close();
api.server.close();
billing.server.close();

// prints: tasks: 200
// prints: billing breaker: open
// prints: stats state: open
