// Proves the README's claim that the built core runs in browsers, Deno and Bun: runs
// test/integration/runtimes/scenarios.mjs with dist/index.js in headless Chromium (Debian's
// chromium driven by playwright-core), in Deno and in Bun (their npm packages), against local
// servers. `npm run test:runtimes` (after `npm run build`); CI runs it after `npm test`.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const exec = promisify(execFile);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TIMEOUT_MS = 60_000;

if (!existsSync(join(root, 'dist', 'index.js'))) {
  console.error('test:runtimes needs the built core: run `npm run build` first');
  process.exit(1);
}

// One server for everything a scenario needs; state is reset by each runtime's first request.
let flaky = 0;
let down = false;
const scenarios = join(root, 'test', 'integration', 'runtimes', 'scenarios.mjs');
// dist/index.js and the chunks it imports (tsup shares chunks between entries): ESM files only.
const fileFor = (path) => (path === '/scenarios.mjs' ? scenarios : /^\/dist\/[\w.-]+\.js$/.test(path) ? join(root, path) : undefined);
const server = http.createServer((req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  const send = (status, body = '', type = 'text/plain') => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };
  if (path === '/') return send(200, '<!doctype html><title>steadfast runtimes</title>', 'text/html');
  const file = fileFor(path);
  if (file !== undefined && existsSync(file)) return send(200, readFileSync(file), 'text/javascript');
  if (path === '/control/reset') return (flaky = 0), (down = false), send(204);
  if (path === '/control/down') return (down = true), send(204);
  if (path === '/control/up') return (down = false), send(204);
  if (path === '/flaky') return ++flaky <= 2 ? send(503, 'busy') : send(200, 'ok');
  if (path === '/svc/work' || path === '/svc/health') return down ? send(503, 'down') : send(200, 'up');
  send(404, 'not found');
});
// A server that resets every connection it accepts (RST, not a clean close).
const resetter = net.createServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
const listen = (s) => new Promise((ok) => s.listen(0, '127.0.0.1', () => ok(s.address().port)));
const port = await listen(server);
const resetPort = await listen(resetter);
// A port nobody listens on: bound, then closed.
const closed = net.createServer();
const refusedPort = await listen(closed);
await new Promise((ok) => closed.close(ok));
const urls = { base: `http://127.0.0.1:${port}`, refused: `http://127.0.0.1:${refusedPort}/`, reset: `http://127.0.0.1:${resetPort}/` };

function check(runtime, r) {
  const problems = [];
  const expect = (ok, what) => ok || problems.push(what);
  expect(r.withRetry?.attempts === 3 && r.withRetry?.body === 'ok', `withRetry: 3 attempts ending in 'ok' (got ${JSON.stringify(r.withRetry)})`);
  const c = r.client ?? {};
  expect(JSON.stringify(c.statuses) === '[503,503]' && c.openState === 'open', `client: two 503s open the breaker (got ${JSON.stringify(c)})`);
  expect(c.refusedWhileOpen === 'BrokenCircuitError', `client: refused while open (got ${c.refusedWhileOpen})`);
  expect(c.afterProbe === 'half-open' && c.events?.includes('health_ok'), `client: a health probe half-opens it (got ${c.afterProbe}, events ${c.events})`);
  expect(c.recovered === 200 && c.finalState === 'closed', `client: the trial succeeds and closes it (got ${c.recovered}, ${c.finalState})`);
  expect(r.refused?.kind === 'transient', `classify(refused connection) is transient (got ${JSON.stringify(r.refused)})`);
  expect(r.reset?.kind === 'transient', `classify(reset connection) is transient (got ${JSON.stringify(r.reset)})`);
  if (problems.length > 0) throw new Error(`${runtime}:\n  ${problems.join('\n  ')}`);
  return `${r.refused.name}: ${JSON.stringify(r.refused.message)} and ${JSON.stringify(r.reset.message)} → transient`;
}

async function inChromium() {
  const { chromium } = await import('playwright-core');
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    timeout: TIMEOUT_MS,
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${urls.base}/`);
    const version = browser.version();
    // The page's own origin serves the scenario, so only the refused/reset probes go cross-origin.
    const result = await page.evaluate(async (u) => {
      const lib = await import('/dist/index.js');
      const { runScenarios } = await import('/scenarios.mjs');
      return runScenarios(lib, u);
    }, urls);
    return [`Chromium ${version}`, result];
  } finally {
    await browser.close();
  }
}

async function inProcess(name, cmd, args) {
  const entry = join(root, 'test', 'integration', 'runtimes', 'entry.mjs');
  const { stdout } = await exec(join(root, 'node_modules', '.bin', cmd), [...args, entry, JSON.stringify(urls)], { cwd: root, timeout: TIMEOUT_MS });
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (line === undefined) throw new Error(`${name} printed no result:\n${stdout}`);
  const { stdout: v } = await exec(join(root, 'node_modules', '.bin', cmd), ['--version'], { timeout: TIMEOUT_MS });
  return [`${name} ${v.trim().split('\n')[0]}`, JSON.parse(line.slice('RESULT '.length))];
}

const runtimes = {
  chromium: inChromium,
  deno: () => inProcess('Deno', 'deno', ['run', '--allow-net', '--allow-read', '--no-prompt']),
  bun: () => inProcess('Bun', 'bun', ['run']),
};
const only = process.argv.slice(2);
let failures = 0;
for (const [key, run] of Object.entries(runtimes)) {
  if (only.length > 0 && !only.includes(key)) continue;
  try {
    const [label, result] = await run();
    console.log(`ok   ${label}: ${check(label, result)}`);
  } catch (error) {
    failures++;
    console.log(`FAIL ${key}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
server.close();
resetter.close();
console.log(failures === 0 ? 'runtimes: all passed' : `runtimes: ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
