// Logging with pino: each event at its level (retry → warn, give_up → error), with pino's own time and name.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { constant, ResilientClient } from 'steadfast';
import { loggerSink } from 'steadfast/otel';

// A stand-in server whose proxy answers 502 once, then 200.
let calls = 0;
const server = createServer((_req, res) => void res.writeHead(++calls <= 1 ? 502 : 200).end('{}'));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

const logger = pino({ name: 'my-agent' }); // JSON lines on stdout, level info: debug events (attempts) are skipped
const client = new ResilientClient({
  baseUrl: `http://127.0.0.1:${port}`,
  retry: { backoff: constant('50ms'), maxRetries: 3 },
  onEvent: loggerSink(logger),
  name: 'checkin',
});

try {
  await client.fetch('/checkin');
} finally {
  client.close();
  server.close();
}

// prints: "level":40
// prints: "name":"my-agent","type":"retry","component":"checkin","attempt":1,"maxRetries":3,"delayMs":50
// prints: "msg":"[RETRY] checkin: retry 1/3 in 50ms: HTTP 502"
