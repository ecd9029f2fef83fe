/**
 * Terminal task callbacks: a daemon reports "task complete" to its server. A 502 burst from the
 * proxy is ridden out on the fixed schedule 4s, 8s, 16s, 32s, 64s; a burst that outlasts it is
 * reported as transient (the task still succeeded: queue the report, don't fail the task); a 400
 * means the server refused the report for good, so the daemon falls back at once.
 *
 * The schedule is real, but the waiting is skipped: the client runs on a "fast-forward" clock
 * whose sleep(ms) advances its time by ms and returns at once, so this example ends in a second.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpError, isTransient, ResilientClient, schedule, textLines, type Clock } from 'steadfast';

// The server: how many 502s each task's callback meets before the real answer.
const bursts: Record<string, number> = { 'build-1': 3, 'build-2': Infinity };
const seen: Record<string, number> = {};
const server = createServer((req, res) => {
  const task = /^\/tasks\/([^/]+)\/complete$/.exec(req.url ?? '')?.[1] ?? '';
  seen[task] = (seen[task] ?? 0) + 1;
  if (!(task in bursts)) return void res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"unknown task"}');
  if (seen[task] <= (bursts[task] ?? 0)) return void res.writeHead(502).end('<html>502 Bad Gateway</html>');
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

// Virtual time on top of the real clock: every sleep is recorded and skipped.
let skipped = 0;
const fastForward: Clock = {
  now: () => Date.now() + skipped,
  random: () => 0.5,
  sleep: async (ms) => {
    skipped += ms;
    await new Promise((resolve) => setImmediate(resolve));
  },
};

const client = new ResilientClient({
  baseUrl: `http://127.0.0.1:${port}`,
  clock: fastForward,
  timeout: Infinity, // on a fast-forward clock a per-attempt timeout would fire at once
  retry: { backoff: schedule(['4s', '8s', '16s', '32s', '64s']), maxRetries: 5 },
  breaker: false, // one callback at a time: the schedule alone decides
  onEvent: textLines(process.stdout),
  name: 'callback',
});

async function reportComplete(task: string): Promise<void> {
  const started = skipped;
  try {
    await client.postJSON(`/tasks/${task}/complete`, { status: 'succeeded' }, { idempotencyKey: `complete-${task}` });
    console.log(`[TASK] ${task}: reported after ${(skipped - started) / 1000}s of (skipped) backoff`);
  } catch (error) {
    const status = error instanceof HttpError ? `HTTP ${error.status}` : String(error);
    if (isTransient(error)) console.log(`[TASK] ${task}: still ${status} after the schedule; task stays succeeded, report queued for later`);
    else console.log(`[TASK] ${task}: report refused (${status}); falling back to the local log at once`);
  }
}

console.log('(the 4s..64s schedule runs on a fast-forward clock: real delays, no real waiting)');
await reportComplete('build-1'); // three 502s, then OK: waits 4s + 8s + 16s
await reportComplete('build-2'); // 502 forever: 4s, 8s, 16s, 32s, 64s, then transient
await reportComplete('build-9'); // 400: one request, no retry
client.close();
server.close();
