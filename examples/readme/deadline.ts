// A deadline for every call: a server that accepts the connection and never answers.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isTransient, ResilientClient } from 'steadfast';

const server = createServer(() => {}); // never responds
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

const client = new ResilientClient({
  baseUrl: `http://127.0.0.1:${port}`,
  timeout: '300ms', // each attempt
  totalTimeout: '1s', // the whole call: attempts, retry sleeps, waiting out the breaker
});

const started = Date.now();
try {
  await client.getJSON('/tasks');
} catch (error) {
  const e = error as Error;
  console.log(`${e.name}: ${e.message}`);
  console.log('transient:', isTransient(error), '| within the deadline:', Date.now() - started < 1_500);
}
// One request can still ask for more (or less) time than the client's default.
await client.getJSON('/tasks', { totalTimeout: '500ms' }).catch((e: Error) => console.log('per request:', e.message));

client.close();
server.closeAllConnections();
server.close();

// prints: TimeoutError: request deadline reached (totalTimeout 1000ms)
// prints: transient: true | within the deadline: true
// prints: per request: request deadline reached (totalTimeout 500ms)
