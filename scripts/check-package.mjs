// Proves the packed package, as users get it: lint the tarball, check its types resolve in every
// mode, keep `node:` out of the runtime-agnostic core, and import it by name from ESM and CJS.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
let failures = 0;
const step = (title, fn) => {
  try {
    const detail = fn();
    console.log(`ok   ${title}${detail ? ` — ${detail}` : ''}`);
  } catch (error) {
    failures++;
    console.log(`FAIL ${title}\n${String(error.stdout ?? '')}${String(error.stderr ?? '')}${error.stdout ? '' : error.message}`);
  }
};

// Compiled by the type tests below: every entry, and optional options taking maybe-undefined values.
const TYPES_PROGRAM = `
import { CircuitBreaker, ResilientClient, withRetry, exponential, schedule, poll, type RetryOptions } from 'steadfast';
import { FakeClock, scriptedFetch } from 'steadfast/testing';
import { Outbox } from 'steadfast/node';
import { PgOutbox, type PgPool } from 'steadfast/postgres';
import { loggerSink, otelSink, type OtelTracer } from 'steadfast/otel';

declare const maybeMs: number | undefined;
declare const maybeTracer: OtelTracer | undefined;
declare const maybeName: string | undefined;
const clock = new FakeClock();
const client = new ResilientClient({ baseUrl: 'http://127.0.0.1:8080/api', fetch: scriptedFetch([200]), clock, timeout: maybeMs, name: maybeName });
// The README's own line: a breaker that may be undefined (breaker: false) passed on as an option.
const other = new ResilientClient({ baseUrl: 'http://127.0.0.1:8080/api', breaker: client.breaker, health: undefined, retry: { maxRetries: maybeMs } });
const retry: RetryOptions = { backoff: exponential({ initial: '1s', max: '30s', jitter: undefined }), maxElapsed: maybeMs, signal: undefined };
const done: Promise<number> = withRetry(async ({ attempt }) => attempt, retry);
const breaker = new CircuitBreaker({ failureThreshold: maybeMs, openFor: schedule(['1s', '2s'], { repeatLast: undefined }) });
const poller = poll(async ({ failures }) => failures, { interval: '30s', clock, jitter: maybeMs });
const opening: Promise<Outbox> = Outbox.open({ path: '/tmp/x.jsonl', send: async () => {}, maxItems: maybeMs });
declare const pool: PgPool;
const pgOpening: Promise<PgOutbox> = PgOutbox.open({ pool, send: async () => {}, lease: maybeMs, table: maybeName, concurrency: undefined });
// steadfast/otel: a tracer that may be undefined (telemetry switched off), a pino-style logger.
const telemetry = otelSink({ tracer: maybeTracer, meter: undefined });
const traced: Request = telemetry.hooks.beforeRequest(new Request('http://127.0.0.1:8080/api'), { attempt: 1 });
const logged = new ResilientClient({ baseUrl: 'http://127.0.0.1:8080/api', onEvent: loggerSink({ debug() {}, info() {}, warn() {}, error() {} }) });
const withHooks = new ResilientClient({ baseUrl: 'http://127.0.0.1:8080/api', onEvent: telemetry, hooks: telemetry.hooks });
// @ts-expect-error: a misspelt option is a compile error
new CircuitBreaker({ failureTreshold: 5 });
void [other, done, breaker, poller, opening, pgOpening, traced, logged, withHooks];
export {};
`;

const work = mkdtempSync(join(tmpdir(), 'steadfast-pack-'));
try {
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work]))[0];
  const tarball = join(work, packed.filename);

  // The library entries share chunks (tsup splitting): follow each entry's relative imports so a
  // node: import reaching the core through a shared chunk is caught too.
  const reachable = (entry) => {
    const seen = new Set([entry]);
    for (const file of seen) {
      const code = readFileSync(join(root, 'dist', file), 'utf8');
      for (const m of code.matchAll(/(?:from\s*|require\(\s*|import\(\s*)["']\.\/([^"']+)["']/g)) seen.add(m[1]);
    }
    return [...seen];
  };
  step('built core, steadfast/testing, steadfast/postgres and steadfast/otel have no node: import, shared chunks included', () => {
    const files = new Set(['index.js', 'index.cjs', 'testing.js', 'testing.cjs', 'postgres.js', 'postgres.cjs', 'otel.js', 'otel.cjs'].flatMap(reachable));
    for (const file of files) {
      const code = readFileSync(join(root, 'dist', file), 'utf8');
      const hit = code.match(/(?:from\s*|require\(\s*|import\(\s*)["']node:[a-z_/]+["']/);
      if (hit) throw new Error(`dist/${file} imports ${hit[0]}`);
    }
    return `${files.size} files`;
  });
  step('built steadfast/otel imports no package (the OpenTelemetry API is a type-only, optional peer)', () => {
    // Only steadfast's own chunks (relative specifiers), in its code, its shared chunks and its types.
    const packageImport = /(?:\bfrom\s*|\brequire\(\s*|\bimport\(\s*|^\s*import\s*)["'][^."'][^"']*["']/m;
    const files = new Set(['otel.js', 'otel.cjs'].flatMap(reachable));
    // Types name their chunks by the .js/.cjs they describe: follow them to the .d.ts/.d.cts.
    for (const types of ['otel.d.ts', 'otel.d.cts']) {
      files.add(types);
      for (const m of readFileSync(join(root, 'dist', types), 'utf8').matchAll(/from\s*["']\.\/([^"']+)\.(c?)js["']/g)) files.add(`${m[1]}.d.${m[2]}ts`);
    }
    for (const file of files) {
      const hit = readFileSync(join(root, 'dist', file), 'utf8').match(packageImport);
      if (hit) throw new Error(`dist/${file} has ${hit[0]}`);
    }
    return `${files.size} files`;
  });
  step('steadfast, steadfast/testing, steadfast/node, steadfast/postgres and steadfast/otel share one copy of the core', () => {
    // esbuild marks each source module with a `// src/...` line; a module in two files is a copy.
    const sizes = [];
    for (const ext of ['js', 'cjs']) {
      const files = [...new Set(['index', 'testing', 'node', 'postgres', 'otel'].flatMap((e) => reachable(`${e}.${ext}`)))];
      const owner = new Map();
      for (const file of files) {
        const code = readFileSync(join(root, 'dist', file), 'utf8');
        for (const [, mod] of code.matchAll(/^\/\/ (src\/\S+\.ts)$/gm)) {
          if (owner.has(mod)) throw new Error(`${mod} is in both dist/${owner.get(mod)} and dist/${file}`);
          owner.set(mod, file);
        }
        // Copies of a class would break instanceof between entries: each is defined once.
        for (const name of ['HttpError', 'BrokenCircuitError', 'CircuitBreaker', 'FakeClock', 'OutboxFileError', 'OutboxStoppedError']) {
          if (!new RegExp(`(?:var ${name} = class|class ${name}\\b)`).test(code)) continue;
          if (owner.has(name)) throw new Error(`class ${name} is defined in both dist/${owner.get(name)} and dist/${file}`);
          owner.set(name, file);
        }
      }
      // Entry files hold only their own component; what they share lives in chunks.
      const kB = (file) => (readFileSync(join(root, 'dist', file)).byteLength / 1000).toFixed(1);
      sizes.push(`${ext}: ${files.map((f) => `${f.replace(/^chunk-\w+/, 'chunk')} ${kB(f)}`).join(', ')} kB`);
    }
    return sizes.join('; ');
  });
  step('dist/node keeps node: prefixes', () => {
    for (const file of ['node.js', 'node.cjs']) {
      if (!/["']node:fs/.test(readFileSync(join(root, 'dist', file), 'utf8'))) throw new Error(`dist/${file} lost its node: prefix`);
    }
  });
  step('publint (strict) on the tarball', () => run(bin('publint'), ['run', '--strict', '--pack', 'false', tarball]).trim().split('\n').at(-1));
  step('are-the-types-wrong on the tarball (default profile: every resolution)', () => {
    // node10 finds the subpaths through typesVersions, node16 and bundler through exports.
    run(bin('attw'), [tarball, '--format', 'ascii']);
    return 'node10, node16 (CJS + ESM) and bundler resolve';
  });

  const app = join(work, 'app');
  mkdirSync(join(app, 'node_modules', 'steadfast'), { recursive: true });
  run('tar', ['-xzf', tarball, '-C', join(app, 'node_modules', 'steadfast'), '--strip-components=1']);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'smoke', private: true }));
  const probe = `
    const core = M('steadfast'), testing = M('steadfast/testing'), node = M('steadfast/node'), postgres = M('steadfast/postgres'), otel = M('steadfast/otel');
    const need = { core: ['withRetry', 'exponential', 'classify', 'CircuitBreaker', 'ResilientClient', 'poll', 'textLines'], testing: ['FakeClock', 'scriptedFetch', 'simulate'], node: ['Outbox'], postgres: ['PgOutbox', 'PgOutboxSchemaError', 'OutboxStoppedError'], otel: ['otelSink', 'logLevel', 'loggerSink'] };
    for (const [mod, names] of Object.entries(need)) for (const n of names) if (typeof ({ core, testing, node, postgres, otel })[mod][n] !== 'function') throw new Error(mod + ' lacks ' + n);
    // steadfast/postgres loads without pg installed (an optional peer), validates before any query,
    // and shares the file outbox's OutboxStoppedError class.
    if (postgres.OutboxStoppedError !== node.OutboxStoppedError) throw new Error('steadfast/postgres and steadfast/node carry two OutboxStoppedError classes');
    postgres.PgOutbox.open({ pool: {}, send: async () => {} }).then(() => { throw new Error('PgOutbox.open accepted a pool without query/connect'); }, (e) => { if (e.name !== 'TypeError') throw e; });
    const lines = [];
    otel.loggerSink({ debug: () => {}, info: () => {}, warn: (o, m) => lines.push(m), error: () => {} })({ type: 'retry', time: '', name: 'x', attempt: 1, maxRetries: 3, delayMs: 1000, verdict: { kind: 'transient', reason: 'HTTP 502' }, error: { name: 'HttpError', message: 'HTTP 502', status: 502 } });
    if (lines[0] !== '[RETRY] x: retry 1/3 in 1s: HTTP 502' || otel.logLevel({ type: 'give_up' }) !== 'error') throw new Error('steadfast/otel misbehaved: ' + lines[0]);
    const clock = new testing.FakeClock();
    let calls = 0;
    const done = core.withRetry(async () => { if (++calls < 3) throw new core.HttpError(503); return 'ok'; }, { clock, backoff: core.constant('1s') });
    // One class across entries: steadfast/testing's simulate must recognise the core's HttpError.
    const shared = testing.simulate({ backoff: core.constant(0), maxRetries: 1 }, [new core.HttpError(503), 'ok']).then((r) => {
      if (r.timeline[0].status !== 503) throw new Error('steadfast/testing does not recognise the HttpError of steadfast: the entries carry separate copies');
    });
    clock.runAll().then(() => done).then((v) => { if (v !== 'ok' || calls !== 3 || clock.now() !== 2000) throw new Error('withRetry misbehaved'); return shared; }).then(() => console.log('smoke ok'));
  `;
  writeFileSync(join(app, 'esm.mjs'), `import * as c from 'steadfast'; import * as t from 'steadfast/testing'; import * as n from 'steadfast/node'; import * as p from 'steadfast/postgres'; import * as o from 'steadfast/otel';\nconst mods = { steadfast: c, 'steadfast/testing': t, 'steadfast/node': n, 'steadfast/postgres': p, 'steadfast/otel': o }; const M = (x) => mods[x];\n${probe}`);
  writeFileSync(join(app, 'cjs.cjs'), `const M = (x) => require(x);\n${probe}`);
  step('import steadfast by name from ESM', () => run(process.execPath, ['esm.mjs'], { cwd: app }).trim());
  step('require steadfast by name from CJS', () => run(process.execPath, ['cjs.cjs'], { cwd: app }).trim());
  // Type tests: a user's strict program (exactOptionalPropertyTypes) compiles against the packed
  // package under each moduleResolution a TypeScript project may use.
  writeFileSync(join(app, 'types.ts'), TYPES_PROGRAM);
  writeFileSync(join(app, 'types.mts'), TYPES_PROGRAM);
  const strict = ['--noEmit', '--strict', '--exactOptionalPropertyTypes', '--noUncheckedIndexedAccess', '--skipLibCheck', 'false', '--target', 'es2022', '--lib', 'es2022,dom'];
  const typeRoots = ['--typeRoots', join(root, 'node_modules', '@types'), '--types', 'node'];
  for (const [mode, args, file] of [
    ['node10', ['--module', 'commonjs', '--moduleResolution', 'node10'], 'types.ts'],
    ['node16 (CJS)', ['--module', 'node16', '--moduleResolution', 'node16'], 'types.ts'],
    ['node16 (ESM)', ['--module', 'node16', '--moduleResolution', 'node16'], 'types.mts'],
    ['bundler', ['--module', 'esnext', '--moduleResolution', 'bundler'], 'types.ts'],
  ]) {
    step(`a strict program type-checks against the package with moduleResolution ${mode}`, () => {
      run(bin('tsc'), [...strict, ...typeRoots, ...args, file], { cwd: app });
    });
  }
  step('the steadfast bin runs', () => {
    const out = run(process.execPath, [join(app, 'node_modules', 'steadfast', 'dist', 'cli.js'), 'schedule', '--initial', '5s', '--max', '60s', '--retries', '3', '--jitter', 'none']);
    if (!/10s/.test(out)) throw new Error(`unexpected output:\n${out}`);
    return `${out.trim().split('\n').length} lines`;
  });
  step('tarball holds only dist, README, LICENSE, package.json', () => {
    const files = packed.files.map((f) => f.path);
    const stray = files.filter((f) => !/^(dist\/|README\.md$|LICENSE$|package\.json$)/.test(f));
    if (stray.length > 0) throw new Error(`unexpected files: ${stray.join(', ')}`);
    return `${files.length} files, ${(packed.size / 1024).toFixed(1)} kB packed`;
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(failures === 0 ? 'package checks: all passed' : `package checks: ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
