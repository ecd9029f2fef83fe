/**
 * `npm run demo`: an agent checks in with a real server, the server is killed (SIGKILL) for
 * about 3 seconds and restarted on the same port, and the agent finds it again by itself.
 * Watch the retries, the breaker opening, the health probe finding the server, and the recovery.
 * Durations are scaled down (interval 500ms, openFor 2s, health every 250ms) so it ends in ~10s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ResilientClient, exponential, formatDuration, poll, textLines } from 'steadfast';

const SERVER = fileURLToPath(new URL('./server.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DOWN_MS = 3_000;
const start = Date.now();
const out = (line: string): void => void process.stdout.write(`${line}\n`);
const at = (): string => `+${((Date.now() - start) / 1000).toFixed(1)}s`.padStart(6);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts examples/server.ts as a child process and resolves once it listens. */
function startServer(port: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER, String(port)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = /listening on (\d+)/.exec(buffered);
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`server exited with code ${code} before listening`)));
  });
}

async function main(): Promise<void> {
  let server = await startServer(0);
  const port = server.port;
  out(`${at()} [DEMO] server listening on 127.0.0.1:${port} (pid ${server.child.pid})`);

  // Each event as one readable line, prefixed with the time since the demo started.
  const log = textLines({ write: (line: string) => process.stdout.write(`${at()} ${line}`) });
  const client = new ResilientClient({
    baseUrl: `http://127.0.0.1:${port}`,
    name: 'checkin',
    timeout: '1s',
    retry: { backoff: exponential({ initial: '100ms', max: '400ms' }), maxRetries: 2 },
    breaker: { failureThreshold: 3, openFor: '2s' },
    health: { path: '/health', interval: '250ms', timeout: '200ms' },
    onEvent: log,
  });

  let seq = 0;
  let lastOk = 0;
  const okTimes: number[] = [];
  const poller = poll(
    async ({ signal }) => {
      const n = ++seq;
      // The same key on every attempt of this check-in: a retried POST can't count twice.
      const reply = await client.postJSON<{ seq: number }>('/checkin', { agent: 'demo-1', n }, { idempotencyKey: `demo-1-${n}`, signal });
      lastOk = Date.now();
      okTimes.push(lastOk);
      out(`${at()} [CHECKIN] ok (check-in #${reply.seq} since the server started)`);
    },
    { interval: '500ms', backoff: exponential({ initial: '250ms', max: '1s' }), name: 'agent', onEvent: log },
  );

  await sleep(1_600);
  server.child.kill('SIGKILL');
  const killedAt = Date.now();
  out(`${at()} [DEMO] server killed with SIGKILL; restarting it in ${formatDuration(DOWN_MS)}`);
  await sleep(DOWN_MS);
  server = await startServer(port);
  const backAt = Date.now();
  out(`${at()} [DEMO] server back on the same port (pid ${server.child.pid}), down ${formatDuration(backAt - killedAt)}`);

  // Wait for the agent to check in again by itself, then a little longer to show it is steady.
  while (lastOk < backAt && Date.now() - backAt < 10_000) await sleep(20);
  const agentBackAt = okTimes.find((t) => t >= backAt);
  await sleep(1_200);
  await poller.stop();
  client.close();
  server.child.kill('SIGKILL');

  const s = client.stats();
  out('');
  out('[SUMMARY]');
  out(`  server down:                 ${formatDuration(backAt - killedAt)}`);
  out(`  check-in downtime (client):  ${s.lastDowntimeMs === null ? 'n/a' : formatDuration(s.lastDowntimeMs)}`);
  out(`  server back -> agent back:   ${agentBackAt === undefined ? 'never' : formatDuration(agentBackAt - backAt)}`);
  out(`  requests ${s.requests}, attempts ${s.attempts}, retries ${s.retries}, refused by the open breaker ${s.shortCircuited}`);
  out(`  breaker opened ${s.breakerOpens}x, now ${s.state}; health probes ok ${s.healthProbes.ok} / failed ${s.healthProbes.failed}; recoveries ${s.recoveries}`);
  if (agentBackAt === undefined || s.recoveries < 1) {
    out('[DEMO] the agent did not recover');
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
