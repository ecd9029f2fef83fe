/**
 * Holds the layout of STYLE.md: component folders import only lower folders, no import cycles,
 * only core/clock.ts touches real time, timers and Math.random, and only the Node entries import node:*.
 * Parsed with the TypeScript compiler, so comments and strings never count.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The components, lowest first (STYLE.md): a folder imports only from folders of a lower rank
 * (core ← breaker ← policies ← client ← outbox, postgres, telemetry, testing, cli ← entries),
 * never sideways. Files inside one folder import each other freely, without cycles.
 */
const FOLDER_RANKS: Readonly<Record<string, number>> = {
  core: 0, // pure, or the one clock
  breaker: 1, // state; time only through a given Clock
  policies: 2, // retry engine, budget, bulkhead, poll, health, log: effects through Clock
  client: 3, // composition around fetch
  outbox: 4, // leaves: they may build on everything below, never on each other
  postgres: 4,
  telemetry: 4,
  testing: 4,
  cli: 4,
};
/** Entry files (directly under src/): explicit export lists, no logic (STYLE habit 8). */
const ENTRIES = ['index', 'testing', 'node', 'postgres', 'otel'];
const ENTRY_RANK = 5;
/** Where Node built-ins may be imported: the file outbox, the CLI and the Node entries. */
const NODE_ALLOWED = ['outbox', 'cli', 'node', 'postgres'];
/** The only module allowed to name the real clock, timers and Math.random. */
const CLOCK_MODULE = 'core/clock';

/** The component of a module (`client/call` → client), or the entry name for top-level files. */
function folderOf(module: string): string {
  return module.split('/')[0] as string;
}

function rankOf(module: string): number {
  if (!module.includes('/')) return ENTRIES.includes(module) ? ENTRY_RANK : -1;
  return FOLDER_RANKS[folderOf(module)] ?? -1;
}

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');


interface ImportRef {
  specifier: string;
  line: number;
}

interface SourceInfo {
  module: string; // path under src without `.ts`, e.g. "retry" or "outbox/file"
  file: string; // "src/policies/retry.ts"
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
  it('finds the source files, each in a known component folder or an entry', () => {
    for (const module of ['core/duration', 'core/backoff', 'policies/retry', 'client/client', 'outbox/outbox', 'index']) expect(known).toContain(module);
    const stray = sources.filter((s) => rankOf(s.module) < 0).map((s) => s.file);
    expect(stray, `files outside the component folders (STYLE.md):\n${stray.join('\n')}`).toEqual([]);
  });

  it('ranks modules by folder', () => {
    expect(['core/x', 'breaker/x', 'policies/x', 'client/x', 'outbox/x', 'cli/x', 'index', 'misc/x', 'stray'].map(rankOf)).toEqual([0, 1, 2, 3, 4, 4, 5, -1, -1]);
  });

  it('a folder imports only from folders below it, never sideways into another component', () => {
    const violations: string[] = [];
    for (const s of sources) {
      for (const ref of s.imports.filter((r) => isRelative(r.specifier))) {
        const target = resolve(s.module, ref.specifier, known);
        const same = s.module.includes('/') && folderOf(s.module) === folderOf(target);
        if (!same && rankOf(target) >= rankOf(s.module)) {
          violations.push(`${s.file}:${ref.line} (${folderOf(s.module)}, rank ${rankOf(s.module)}) imports '${ref.specifier}' = src/${target}.ts (rank ${rankOf(target)})`);
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

  it('only outbox/, cli/ and the node entries import node:* modules, and no src file imports a package (zero runtime dependencies)', () => {
    const violations: string[] = [];
    for (const s of sources) {
      const nodeAllowed = NODE_ALLOWED.includes(folderOf(s.module));
      for (const ref of s.imports.filter((r) => !isRelative(r.specifier))) {
        if (isNodeBuiltin(ref.specifier)) {
          if (!nodeAllowed) violations.push(`${s.file}:${ref.line} imports '${ref.specifier}', but only outbox/, cli/ and the node entries may use Node built-ins`);
        } else {
          violations.push(`${s.file}:${ref.line} imports the package '${ref.specifier}'; steadfast has zero runtime dependencies`);
        }
      }
    }
    expect(violations, violations.join('\n')).toEqual([]);
  });

  it(`only src/${CLOCK_MODULE}.ts names Date.now, new Date(), performance.now, setTimeout, setInterval, setImmediate or Math.random`, () => {
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

  // STYLE.md: "one way to walk a backoff". Walking starts with Backoff.first(); only the walker calls it.
  it('only core/backoff-walk.ts walks a backoff (calls .first())', () => {
    const violations: string[] = [];
    for (const s of sources.filter((x) => x.module !== 'core/backoff-walk' && x.module !== 'core/backoff')) {
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'first') {
          violations.push(`${s.file}:${lineOf(s.ast, node)} calls .first(); use nextStep/stepAt/BackoffWalk from core/backoff-walk.ts`);
        }
        ts.forEachChild(node, visit);
      };
      visit(s.ast);
    }
    expect(violations, violations.join('\n')).toEqual([]);
  });

  // STYLE.md: "one retry engine". Its pure step is called from the loop and the outbox on PostgreSQL (rows, not sleeps) only.
  it('retryStep and retryLoop are the one retry engine: nothing else imports retry-step.ts but the loop, poll, the outboxes and the fleet model', () => {
    const allowed = new Set(['policies/retry-loop', 'policies/poll', 'policies/poll-delay', 'policies/retry', 'outbox/outbox']);
    const users = sources
      .filter((s) => s.imports.some((r) => isRelative(r.specifier) && resolve(s.module, r.specifier, known) === 'policies/retry-step'))
      .map((s) => s.module)
      .filter((m) => !allowed.has(m) && folderOf(m) !== 'postgres' && folderOf(m) !== 'cli');
    expect(users).toEqual([]);
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
