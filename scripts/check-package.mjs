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

const work = mkdtempSync(join(tmpdir(), 'steadfast-pack-'));
try {
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work]))[0];
  const tarball = join(work, packed.filename);

  step('built core, steadfast/testing and steadfast/otel have no node: import', () => {
    for (const file of ['index.js', 'index.cjs', 'testing.js', 'testing.cjs', 'otel.js', 'otel.cjs']) {
      const code = readFileSync(join(root, 'dist', file), 'utf8');
      const hit = code.match(/(?:from\s*|require\(\s*|import\(\s*)["']node:[a-z_/]+["']/);
      if (hit) throw new Error(`dist/${file} imports ${hit[0]}`);
    }
    return '6 files';
  });
  step('built steadfast/otel imports nothing (the OpenTelemetry API is a type-only, optional peer)', () => {
    // The code imports no module at all; its types import only steadfast's own shared .d.ts chunks.
    const anyImport = /(?:\bfrom\s*|\brequire\(\s*|\bimport\(\s*|^\s*import\s*)["'][^"']+["']/m;
    const packageImport = /(?:\bfrom\s*|\brequire\(\s*|\bimport\(\s*|^\s*import\s*)["'][^."'][^"']*["']/m;
    for (const file of ['otel.js', 'otel.cjs', 'otel.d.ts', 'otel.d.cts']) {
      const hit = readFileSync(join(root, 'dist', file), 'utf8').match(file.includes('.d.') ? packageImport : anyImport);
      if (hit) throw new Error(`dist/${file} has ${hit[0]}`);
    }
    return 'otel.js, otel.cjs and their .d.ts are self-contained';
  });
  step('dist/node keeps node: prefixes', () => {
    for (const file of ['node.js', 'node.cjs']) {
      if (!/["']node:fs/.test(readFileSync(join(root, 'dist', file), 'utf8'))) throw new Error(`dist/${file} lost its node: prefix`);
    }
  });
  step('publint (strict) on the tarball', () => run(bin('publint'), ['run', '--strict', '--pack', 'false', tarball]).trim().split('\n').at(-1));
  step('are-the-types-wrong on the tarball', () => {
    // node10 resolution predates `exports`; subpaths can't resolve there by design, so it is ignored.
    run(bin('attw'), [tarball, '--profile', 'node16', '--format', 'ascii']);
    return 'node16 (CJS + ESM) and bundler resolve';
  });

  const app = join(work, 'app');
  mkdirSync(join(app, 'node_modules', 'steadfast'), { recursive: true });
  run('tar', ['-xzf', tarball, '-C', join(app, 'node_modules', 'steadfast'), '--strip-components=1']);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'smoke', private: true }));
  const probe = `
    const core = M('steadfast'), testing = M('steadfast/testing'), node = M('steadfast/node'), otel = M('steadfast/otel');
    const need = { core: ['withRetry', 'exponential', 'classify', 'CircuitBreaker', 'ResilientClient', 'poll', 'textLines'], testing: ['FakeClock', 'scriptedFetch', 'simulate'], node: ['Outbox'], otel: ['otelSink', 'logLevel', 'loggerSink'] };
    for (const [mod, names] of Object.entries(need)) for (const n of names) if (typeof ({ core, testing, node, otel })[mod][n] !== 'function') throw new Error(mod + ' lacks ' + n);
    const lines = [];
    otel.loggerSink({ debug: () => {}, info: () => {}, warn: (o, m) => lines.push(m), error: () => {} })({ type: 'retry', time: '', name: 'x', attempt: 1, maxRetries: 3, delayMs: 1000, verdict: { kind: 'transient', reason: 'HTTP 502' }, error: { name: 'HttpError', message: 'HTTP 502', status: 502 } });
    if (lines[0] !== '[RETRY] x: retry 1/3 in 1s: HTTP 502' || otel.logLevel({ type: 'give_up' }) !== 'error') throw new Error('steadfast/otel misbehaved: ' + lines[0]);
    const clock = new testing.FakeClock();
    let calls = 0;
    const done = core.withRetry(async () => { if (++calls < 3) throw new core.HttpError(503); return 'ok'; }, { clock, backoff: core.constant('1s') });
    clock.runAll().then(() => done).then((v) => { if (v !== 'ok' || calls !== 3 || clock.now() !== 2000) throw new Error('withRetry misbehaved'); console.log('smoke ok'); });
  `;
  writeFileSync(join(app, 'esm.mjs'), `import * as c from 'steadfast'; import * as t from 'steadfast/testing'; import * as n from 'steadfast/node'; import * as o from 'steadfast/otel';\nconst mods = { steadfast: c, 'steadfast/testing': t, 'steadfast/node': n, 'steadfast/otel': o }; const M = (x) => mods[x];\n${probe}`);
  writeFileSync(join(app, 'cjs.cjs'), `const M = (x) => require(x);\n${probe}`);
  step('import steadfast by name from ESM', () => run(process.execPath, ['esm.mjs'], { cwd: app }).trim());
  step('require steadfast by name from CJS', () => run(process.execPath, ['cjs.cjs'], { cwd: app }).trim());
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
