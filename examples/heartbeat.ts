/**
 * A heartbeat agent that survives its server restarting.
 *
 * It starts a small server itself (node:http on 127.0.0.1, a free port), registers with it and
 * sends a heartbeat every 100ms. After ~0.5s the server goes down for ~1s and comes back on the
 * same port with its memory wiped, as after a crash. The agent backs off while it is down, then
 * re-registers by itself (POST /register) and keeps sending heartbeats. Exits 0 after ~3s.
 *
 * Run: npx tsx examples/heartbeat.ts
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exponential, HttpError, poll, textLines } from 'steadfast';

// ---- the server: remembers registered agents in memory, so a restart forgets them ----
let registered = new Set<string>();
let heartbeats = 0;

function startServer(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const agent = req.headers['x-agent-id'];
    req.resume();
    if (typeof agent !== 'string') return void res.writeHead(400).end();
    if (req.method === 'POST' && req.url === '/register') {
      registered.add(agent);
      console.log(`[server] registered ${agent}`);
      return void res.writeHead(201).end();
    }
    if (req.method === 'POST' && req.url === '/heartbeat') {
      if (!registered.has(agent)) return void res.writeHead(404, 'Unknown Agent').end();
      heartbeats++;
      return void res.writeHead(204).end();
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

function crash(server: Server): Promise<void> {
  registered = new Set(); // a restart loses every registration
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}

let server = await startServer(0);
const { port } = server.address() as AddressInfo;
const base = `http://127.0.0.1:${port}`;
console.log(`[server] listening on ${base}`);

// ---- the agent ----
const agentId = 'agent-7';
let isRegistered = false;

async function post(path: string, signal: AbortSignal): Promise<void> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'x-agent-id': agentId }, signal });
  await res.body?.cancel(); // no body to read: free the socket
  if (!res.ok) throw new HttpError(res.status, `${path}: HTTP ${res.status}`);
}

const poller = poll(
  async ({ signal, failures }) => {
    // After any failure the server may have restarted and forgotten us: register again first.
    if (!isRegistered || failures > 0) {
      await post('/register', signal);
      isRegistered = true;
    }
    await post('/heartbeat', signal);
  },
  {
    interval: '100ms',
    backoff: exponential({ initial: '50ms', max: '400ms' }),
    onEvent: textLines(process.stdout),
    name: 'heartbeat',
  },
);

// ---- the scenario: down for ~1s, then back on the same port ----
await sleep(500);
console.log('[server] crashing');
await crash(server);
await sleep(1_000);
server = await startServer(port);
console.log('[server] back up (with an empty registry)');
await sleep(1_500);

await poller.stop(); // waits for a heartbeat in flight, leaves no timer
await crash(server);
console.log(`[server] ${heartbeats} heartbeats received; agent state: ${poller.state}`);

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
