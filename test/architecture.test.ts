// The house rules of STYLE.md that a reviewer cannot hold in their head across 150 files: no
// import cycle, the pure core importing nothing from the edge, and rooms small enough to read.
// Measured on the real sources with the TypeScript compiler, so a new long function or a new
// cycle fails here before review rather than after the next split.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const SCRIPTS = join(ROOT, 'scripts');
// A little above the ~400/~80 aim, so a finished split is not one blank line from failing.
const MAX_FILE_LINES = 420;
const MAX_FUNCTION_LINES = 90;
// Layers that may never be imported from the pure core.
const EDGE_LAYERS = ['adapters', 'commands', 'github', 'platform-server'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const FILES = sourceFiles(SCRIPTS).sort();
const PARSED = new Map(
  FILES.map((file) => [
    file,
    ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true),
  ]),
);

function rel(file: string): string {
  return relative(ROOT, file);
}

/** Every module specifier in a file: static imports, re-exports and dynamic `import()`. */
function specifiers(source: ts.SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Imports of other files under scripts/, as absolute paths (packages and node: left out). */
function localImports(file: string): string[] {
  const source = PARSED.get(file);
  if (!source) throw new Error(`not parsed: ${file}`);
  return specifiers(source)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => resolve(dirname(file), spec.replace(/\.js$/, '.ts')))
    .filter((target) => PARSED.has(target));
}

const GRAPH = new Map(FILES.map((file) => [file, localImports(file)]));

/** Each cycle once, as the chain of files that closes it (depth-first, three colours). */
function importCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const walk = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      const seen = state.get(next);
      if (seen === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (seen === undefined) walk(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) walk(file);
  return cycles;
}

/** Imports from files under scripts/<from>/ into any of scripts/<layers>/, as readable lines. */
function importsAcross(from: string, layers: readonly string[]): string[] {
  const inside = join(SCRIPTS, from) + '/';
  const targets = layers.map((layer) => join(SCRIPTS, layer) + '/');
  return [...GRAPH]
    .filter(([file]) => file.startsWith(inside))
    .flatMap(([file, imports]) =>
      imports
        .filter((target) => targets.some((layer) => target.startsWith(layer)))
        .map((target) => `${rel(file)} imports ${rel(target)}`),
    );
}

/** Lines as `wc -l` counts them. */
function lineCount(text: string): number {
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

function lineOf(source: ts.SourceFile, pos: number): number {
  return source.getLineAndCharacterOfPosition(pos).line + 1;
}

function functionName(node: ts.FunctionLikeDeclaration): string {
  if (node.name && ts.isIdentifier(node.name)) return node.name.text;
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return ts.isConstructorDeclaration(node) ? 'constructor' : '(anonymous)';
}

/** Functions of every kind with their length in lines, from the keyword to the closing brace. */
function functionLengths(source: ts.SourceFile): { name: string; line: number; lines: number }[] {
  const found: { name: string; line: number; lines: number }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = lineOf(source, node.getStart(source));
      found.push({
        name: functionName(node),
        line: first,
        lines: lineOf(source, node.end) - first + 1,
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('the measures themselves', () => {
  it('find a cycle, and only a cycle', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
    ]);
    expect(importCycles(graph)).toEqual([['a', 'b', 'c', 'a']]);
    expect(
      importCycles(
        new Map([
          ['a', ['b']],
          ['b', []],
          ['c', ['b']],
        ]),
      ),
    ).toEqual([]);
  });

  it('measure every kind of function, nested ones on their own', () => {
    const text = [
      'export function outer(): number {',
      '  const inner = (): number => {',
      '    return 1;',
      '  };',
      '  return inner();',
      '}',
      'class K {',
      '  method(): void {}',
      '}',
      '',
    ].join('\n');
    const source = ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, true);
    expect(functionLengths(source)).toEqual([
      { name: 'outer', line: 1, lines: 6 },
      { name: 'inner', line: 2, lines: 3 },
      { name: 'method', line: 8, lines: 1 },
    ]);
    expect(lineCount(text)).toBe(9);
  });
});

describe('the shape of scripts/', () => {
  it('finds the sources it measures', () => {
    expect(FILES.length).toBeGreaterThan(50);
    expect(FILES).toContain(join(SCRIPTS, 'cli.ts'));
    // The walk sees imports: cli.ts reaches into commands/.
    expect(GRAPH.get(join(SCRIPTS, 'cli.ts'))?.some((f) => f.includes('/commands/'))).toBe(true);
  });

  it('has no import cycle', () => {
    const cycles = importCycles(GRAPH).map((cycle) => cycle.map(rel).join(' -> '));
    expect(cycles).toEqual([]);
  });

  it('keeps the core pure: nothing under scripts/core/ imports an edge layer', () => {
    expect(importsAcross('core', EDGE_LAYERS)).toEqual([]);
  });

  it('keeps adapters under commands: nothing under scripts/adapters/ imports a command or entry', () => {
    expect(importsAcross('adapters', ['commands', 'github'])).toEqual([]);
  });

  it(`has no file over ${MAX_FILE_LINES} lines`, () => {
    const long = [...PARSED]
      .map(([file, source]) => ({ file, lines: lineCount(source.text) }))
      .filter(({ lines }) => lines > MAX_FILE_LINES)
      .map(({ file, lines }) => `${rel(file)}: ${lines} lines`);
    expect(long).toEqual([]);
  });

  it(`has no function over ${MAX_FUNCTION_LINES} lines`, () => {
    const long = [...PARSED].flatMap(([file, source]) =>
      functionLengths(source)
        .filter(({ lines }) => lines > MAX_FUNCTION_LINES)
        .map(({ name, line, lines }) => `${rel(file)}:${line} ${name}: ${lines} lines`),
    );
    expect(long).toEqual([]);
  });
});
