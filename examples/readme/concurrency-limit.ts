// A concurrency limit: at most 4 calls at the server, 20 more waiting, the rest refused at once.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Bulkhead, isBulkheadRejected, ResilientClient } from 'steadfast';

let inFlight = 0;
let peak = 0;
const server = createServer((_req, res) => {
  peak = Math.max(peak, ++inFlight);
  setTimeout(() => {
    inFlight--;
    res.end('ok');
  }, 20);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

const client = new ResilientClient({ baseUrl: `http://127.0.0.1:${port}`, maxConcurrent: 4, maxQueued: 20 });
const results = await Promise.allSettled(Array.from({ length: 30 }, () => client.fetch('/report').then((r) => r.text())));
const refused = results.filter((r) => r.status === 'rejected' && isBulkheadRejected(r.reason)).length;
console.log(`ok ${results.length - refused}, refused ${refused}, peak at the server ${peak}`);

// The same limiter for any async work.
const bulkhead = new Bulkhead({ maxConcurrent: 2, maxQueued: 10, queueTimeout: '5s' });
const sizes = await Promise.all(['a', 'bb', 'ccc'].map((name) => bulkhead.execute(async () => name.length)));
console.log('sizes:', sizes.join(','));

client.close();
server.close();

// prints: ok 24, refused 6, peak at the server 4
// prints: sizes: 1,2,3
