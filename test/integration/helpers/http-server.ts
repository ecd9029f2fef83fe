/**
 * A real node:http server on 127.0.0.1 for integration tests, with a scripted handler and a log
 * of what it received.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** A request as the server saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  time: number;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, seen: SeenRequest, n: number) => void;

export interface TestServer {
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: SeenRequest[];
  /** Requests to `path` only. */
  to(path: string): SeenRequest[];
  close(): Promise<void>;
}

/** Starts a server on `port` (0 = any free port). The handler gets the request number (1-based) per server. */
export async function startServer(handler: Handler, port = 0): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen: SeenRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString(), time: Date.now() };
      requests.push(seen);
      handler(req, res, seen, requests.length);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const actual = typeof address === 'object' && address !== null ? address.port : port;
  return {
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    requests,
    to: (path) => requests.filter((r) => new URL(r.url, 'http://x').pathname === path),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound then released). */
export async function freePort(): Promise<number> {
  const s = await startServer(() => {});
  await s.close();
  return s.port;
}
