/**
 * Holds the layout of STYLE.md: a file imports only its own rank or lower, no import cycles,
 * only clock.ts touches real time, timers and Math.random, and only the Node entries import node:*.
 * Parsed with the TypeScript compiler, so comments and strings never count.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Rank of each module (file name without `.ts`). A file named `<key>-<anything>` takes the rank of
 * the longest matching key (`outbox-file` → outbox, `breaker-state` → breaker). Any other file is
 * rank 5. Add new concepts here.
 */
const RANKS: Readonly<Record<string, number>> = {
  // rank 0: pure, no time, no I/O
  duration: 0,
  errors: 0,
  backoff: 0,
  classify: 0,
  'http-date': 0,
  window: 0,
  events: 0,
  random: 0,
  // rank 1: the only real clock, and what is built on the Clock interface alone
  clock: 1,
  abort: 1,
  'fake-clock': 1,
  // rank 2: state; time only through a given Clock
  breaker: 2,
  budget: 2,
  registry: 2,
  // rank 3: effects through Clock and injected fetch/streams; fleet = pure simulation helpers for the CLI
  retry: 3,
  health: 3,
  poll: 3,
  log: 3,
  fleet: 3,
  // rank 4: composition around fetch
  client: 4,
  // rank 5: entries and Node-only code
  index: 5,
  testing: 5,
  node: 5,
  outbox: 5,
  cli: 5,
};
const DEFAULT_RANK = 5;
/** Modules allowed to import `node:*` (and bare Node built-ins), by the same prefix rule. */
const NODE_ALLOWED = ['outbox', 'node', 'cli'];
/** The only module allowed to name the real clock, timers and Math.random. */
const CLOCK_MODULE = 'clock';
/** Entry files: explicit export lists, no logic (STYLE habit 8). */
const ENTRIES = ['index', 'testing', 'node'];

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** The key in `table` that governs `module`: exact name, else the longest `<key>-` prefix. */
function governingKey(module: string, keys: readonly string[]): string | undefined {
  const base = module.split('/')[0] as string;
  if (keys.includes(base)) return base;
  return keys.filter((k) => base.startsWith(`${k}-`)).sort((a, b) => b.length - a.length)[0];
}

function rankOf(module: string): number {
  const key = governingKey(module, Object.keys(RANKS));
  return key === undefined ? DEFAULT_RANK : (RANKS[key] as number);
}

interface ImportRef {
  specifier: string;
  line: number;
}

interface SourceInfo {
  module: string; // path under src without `.ts`, e.g. "retry" or "outbox/file"
  file: string; // "src/retry.ts"
  ast: ts.SourceFile;
  imports: ImportRef[];
}

function listTs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return listTs(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

function lineOf(ast: ts.SourceFile, node: ts.Node): number {
  return ast.getLineAndCharacterOfPosition(node.getStart(ast)).line + 1;
}

/** Every module specifier: static imports, re-exports, import type, dynamic import(), require(). */
function importsOf(ast: ts.SourceFile): ImportRef[] {
  const found: ImportRef[] = [];
  const visit = (node: ts.Node): void => {
    let spec: ts.Expression | undefined;
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) spec = node.moduleSpecifier;
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) spec = node.moduleReference.expression;
    else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      spec = node.arguments[0];
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      spec = node.argument.literal;
    }
    if (spec !== undefined && ts.isStringLiteralLike(spec)) found.push({ specifier: spec.text, line: lineOf(ast, node) });
    ts.forEachChild(node, visit);
  };
  visit(ast);
  return found;
}

function load(): SourceInfo[] {
  return listTs(SRC).map((full) => {
    const text = readFileSync(full, 'utf8');
    const ast = ts.createSourceFile(full, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const module = relative(SRC, full).split('\\').join('/').replace(/\.ts$/, '');
    return { module, file: `src/${module}.ts`, ast, imports: importsOf(ast) };
  });
}

/** Resolves a relative specifier from `from` to a module name under src, or undefined if outside. */
function resolve(from: string, specifier: string, known: ReadonlySet<string>): string {
  const joined = posix.normalize(posix.join(posix.dirname(from), specifier));
  const bare = joined.replace(/\.(js|ts|mjs|mts)$/, '');
  if (known.has(bare)) return bare;
  if (known.has(`${bare}/index`)) return `${bare}/index`;
  return bare;
}

const isRelative = (s: string): boolean => s.startsWith('./') || s.startsWith('../');
const NODE_BUILTINS = new Set(builtinModules);
const isNodeBuiltin = (s: string): boolean => s.startsWith('node:') || NODE_BUILTINS.has(s.split('/')[0] as string);

/** Real-time and randomness globals: member accesses and bare calls. */
const FORBIDDEN_MEMBERS = new Set(['Date.now', 'Math.random', 'performance.now']);
const FORBIDDEN_CALLS = new Set(['setTimeout', 'setInterval', 'setImmediate']);

function clockUses(ast: ts.SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node)) {
      const owner = node.expression;
      const name = node.name.text;
      const ownerText = ts.isIdentifier(owner) ? owner.text : ts.isPropertyAccessExpression(owner) ? owner.name.text : '';
      if (FORBIDDEN_MEMBERS.has(`${ownerText}.${name}`)) found.push(`${ownerText}.${name} (line ${lineOf(ast, node)})`);
      // globalThis.setTimeout and friends.
      if (FORBIDDEN_CALLS.has(name) && ownerText !== '') found.push(`${ownerText}.${name} (line ${lineOf(ast, node)})`);
    } else if (ts.isIdentifier(node) && FORBIDDEN_CALLS.has(node.text)) {
      const parent = node.parent;
      const isMemberName = ts.isPropertyAccessExpression(parent) && parent.name === node;
      const isDeclaredName = (ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent) || ts.isPropertySignature(parent)) && parent.name === node;
      if (!isMemberName && !isDeclaredName) found.push(`${node.text} (line ${lineOf(ast, node)})`);
    } else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Date' && (node.arguments?.length ?? 0) === 0) {
      found.push(`new Date() (line ${lineOf(ast, node)})`);
    }
    ts.forEachChild(node, visit);
  };
  visit(ast);
  return found;
}

/** Every cycle in the graph, each as a closed path `a -> b -> a` (one per strongly connected component). */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[] = [];
  const strongConnect = (v: string): void => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!indices.has(w)) {
        strongConnect(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, indices.get(w) as number));
    }
    if (low.get(v) !== indices.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop() as string;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    const selfLoop = (graph.get(v) ?? []).includes(v);
    if (component.length > 1 || selfLoop) cycles.push(pathWithin(new Set(component), v, graph));
  };
  for (const v of [...graph.keys()].sort()) if (!indices.has(v)) strongConnect(v);
  return cycles;
}

/** A concrete cycle through `start` inside one strongly connected component (BFS back to start). */
function pathWithin(component: ReadonlySet<string>, start: string, graph: ReadonlyMap<string, readonly string[]>): string {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift() as string;
    for (const w of graph.get(v) ?? []) {
      if (!component.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let at: string | undefined = v; at !== undefined && at !== start; at = previous.get(at)) path.unshift(at);
        path.unshift(start);
        return path.map((m) => `src/${m}.ts`).join(' -> ');
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return `src/${start}.ts (cycle)`;
}

const sources = load();
const known = new Set(sources.map((s) => s.module));

describe('architecture (STYLE.md): the picture stays true', () => {
  it('finds the source files', () => {
    for (const module of ['duration', 'backoff', 'classify', 'errors', 'events', 'clock', 'index']) expect(known).toContain(module);
  });

  it('ranks files by name, including prefixes and unlisted files', () => {
    expect([rankOf('backoff'), rankOf('clock'), rankOf('fake-clock'), rankOf('breaker-state'), rankOf('fleet')]).toEqual([0, 1, 1, 2, 3]);
    expect([rankOf('client-body'), rankOf('outbox-file'), rankOf('cli-args'), rankOf('scripted-fetch'), rankOf('cliche')]).toEqual([4, 5, 5, 5, 5]);
  });

  it('a file imports only files of its own rank or lower', () => {
    const violations: string[] = [];
    for (const s of sources) {
      for (const ref of s.imports.filter((r) => isRelative(r.specifier))) {
        const target = resolve(s.module, ref.specifier, known);
        if (rankOf(target) > rankOf(s.module)) {
          violations.push(`${s.file}:${ref.line} (rank ${rankOf(s.module)}) imports '${ref.specifier}' = src/${target}.ts (rank ${rankOf(target)})`);
        }
      }
    }
    expect(violations, violations.join('\n')).toEqual([]);
  });

  it('every relative import points at a file in src', () => {
    const missing: string[] = [];
    for (const s of sources) {
      for (const ref of s.imports.filter((r) => isRelative(r.specifier))) {
        const target = resolve(s.module, ref.specifier, known);
        if (!known.has(target)) missing.push(`${s.file}:${ref.line} imports '${ref.specifier}', which is not a file under src/`);
      }
    }
    expect(missing, missing.join('\n')).toEqual([]);
  });

  it('has no import cycles', () => {
    const graph = new Map<string, string[]>();
    for (const s of sources) {
      graph.set(
        s.module,
        s.imports.filter((r) => isRelative(r.specifier)).map((r) => resolve(s.module, r.specifier, known)),
      );
    }
    const cycles = findCycles(graph);
    expect(cycles, `import cycles:\n${cycles.join('\n')}`).toEqual([]);
  });

  it('the cycle finder reports a cycle as a path of files', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['d']],
      ['e', ['a']],
    ]);
    expect(findCycles(graph).sort()).toEqual(['src/a.ts -> src/b.ts -> src/c.ts -> src/a.ts', 'src/d.ts -> src/d.ts']);
  });

  it('only outbox*, node and cli* import node:* modules, and no src file imports a package (zero runtime dependencies)', () => {
    const violations: string[] = [];
    for (const s of sources) {
      const nodeAllowed = governingKey(s.module, NODE_ALLOWED) !== undefined;
      for (const ref of s.imports.filter((r) => !isRelative(r.specifier))) {
        if (isNodeBuiltin(ref.specifier)) {
          if (!nodeAllowed) violations.push(`${s.file}:${ref.line} imports '${ref.specifier}', but only outbox*, node and cli* may use Node built-ins`);
        } else {
          violations.push(`${s.file}:${ref.line} imports the package '${ref.specifier}'; steadfast has zero runtime dependencies`);
        }
      }
    }
    expect(violations, violations.join('\n')).toEqual([]);
  });

  it(`only ${CLOCK_MODULE}.ts names Date.now, new Date(), performance.now, setTimeout, setInterval, setImmediate or Math.random`, () => {
    const violations: string[] = [];
    for (const s of sources.filter((x) => x.module !== CLOCK_MODULE)) {
      for (const use of clockUses(s.ast)) violations.push(`${s.file} uses ${use}; take a Clock instead`);
    }
    expect(violations, violations.join('\n')).toEqual([]);
  });

  it('the clock check ignores comments and strings but sees globalThis access', () => {
    const probe = (code: string): string[] => clockUses(ts.createSourceFile('x.ts', code, ts.ScriptTarget.Latest, true));
    expect(probe('// Date.now() setTimeout\n/* Math.random() */ const s = "setTimeout(Date.now)"; const t = { setTimeout: 1 };')).toEqual([]);
    expect(probe('const a = Date.now();')).toEqual(['Date.now (line 1)']);
    expect(probe('\nglobalThis.setTimeout(f, 1);')).toEqual(['globalThis.setTimeout (line 2)']);
    expect(probe('setInterval(f, 5); const d = new Date(); const e = new Date(0);')).toEqual(['setInterval (line 1)', 'new Date() (line 1)']);
  });

  it('entry files are explicit export lists with no logic', () => {
    const violations: string[] = [];
    for (const s of sources.filter((x) => ENTRIES.includes(x.module))) {
      for (const statement of s.ast.statements) {
        const line = lineOf(s.ast, statement);
        if (ts.isExportDeclaration(statement)) {
          if (statement.exportClause === undefined) violations.push(`${s.file}:${line} uses 'export *'; list the exports explicitly`);
        } else if (!ts.isImportDeclaration(statement)) {
          violations.push(`${s.file}:${line} has a ${ts.SyntaxKind[statement.kind]}; entry files only re-export`);
        }
      }
    }
    expect(violations, violations.join('\n')).toEqual([]);
  });
});
