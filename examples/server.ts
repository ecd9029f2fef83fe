/**
 * A tiny check-in server for the demos: `POST /checkin` answers `{"ok":true,"seq":n}`,
 * `GET /health` answers `ok`. Usage: `tsx examples/server.ts [port]` (0 = any free port).
 * Prints `listening on <port>` once it accepts connections.
 */
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 0);
let checkins = 0;

const server = createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    return;
  }
  if (req.method === 'POST' && req.url === '/checkin') {
    req.resume(); // the demo does not need the body
    req.on('end', () => {
      checkins++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, seq: checkins }));
    });
    return;
  }
  res.writeHead(404).end();
});

server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  const actual = typeof address === 'object' && address !== null ? address.port : port;
  process.stdout.write(`listening on ${actual}\n`);
});
