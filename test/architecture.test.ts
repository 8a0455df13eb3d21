import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layout docs/architecture.md draws, checked from the imports themselves: no two folders depend on each
 * other (directly or round a loop), detector/ uses only core/ and models/, rules/ does no IO and reads no
 * clock, the console imports no server code but core/geometry.ts. Imports are read from the source text
 * (static `import`/`export … from` and `import()`), type-only ones included: a type is a dependency too.
 */
const ROOT = resolve(import.meta.dirname, '..');
/** Every source folder the compiler builds (tsconfig.json), so a new stage is checked from its first file. */
const FOLDERS = (JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { include: string[] }).include.filter((f) => !['test', 'bench', 'eval', 'scripts'].includes(f));

interface Import {
  file: string;
  /** Repository-relative path of the imported file (relative imports), or the package / node: name. */
  target: string;
  relative: boolean;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) return e === 'node_modules' ? [] : sources(p);
    return /\.(ts|tsx)$/.test(e) && !e.endsWith('.d.ts') ? [p] : [];
  });
}

function importsOf(file: string): Import[] {
  // Comments may quote code; they are not imports.
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'";]*?\sfrom\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
  const rel = relative(ROOT, file);
  return specs.map((s) => (s.startsWith('.') ? { file: rel, target: relative(ROOT, resolve(dirname(file), s)), relative: true } : { file: rel, target: s, relative: false }));
}

const folderOf = (path: string) => path.split('/')[0]!;
const all = FOLDERS.flatMap((f) => sources(join(ROOT, f))).flatMap(importsOf);

/**
 * config/schema.ts composes every stage's own `schema.ts` into the file's schema; that is the config
 * being built from its parts, not config/ depending on the stage, so it is no edge here. Those schema
 * files must then not reach back into config/ (checked below), which keeps the composition a tree.
 */
const composesStageSchema = (i: Import) => folderOf(i.file) === 'config' && /^[a-z]+\/schema\.(js|ts)$/.test(i.target);

function folderGraph(): Map<string, Map<string, string[]>> {
  const g = new Map<string, Map<string, string[]>>(FOLDERS.map((f) => [f, new Map()]));
  for (const i of all) {
    if (!i.relative || composesStageSchema(i)) continue;
    const [from, to] = [folderOf(i.file), folderOf(i.target)];
    if (from === to || !FOLDERS.includes(to)) continue;
    const edge = g.get(from)!;
    if (!edge.get(to)?.includes(i.file)) edge.set(to, [...(edge.get(to) ?? []), i.file]);
  }
  return g;
}

/** Each loop of folders once, as `a → b → … → a` from its alphabetically first folder, with the files of its first edge. */
function cycles(g: Map<string, Map<string, string[]>>): string[] {
  const found: string[] = [];
  const walk = (path: string[]) => {
    for (const next of g.get(path.at(-1)!)?.keys() ?? []) {
      if (next === path[0]) found.push(`${[...path, next].join(' → ')} (${g.get(path[0]!)!.get(path[1] ?? next)!.slice(0, 2).join(', ')})`);
      else if (!path.includes(next) && next > path[0]!) walk([...path, next]);
    }
  };
  for (const f of g.keys()) walk([f]);
  return found;
}

describe('architecture: who imports whom', () => {
  it('reads the imports it judges (the check is not vacuous)', () => {
    expect(all.filter((i) => i.file.startsWith('pipeline/') && i.target.startsWith('detector/')).length).toBeGreaterThan(0);
    expect(all.filter((i) => !i.relative && i.target === 'zod').length).toBeGreaterThan(5);
    expect(cycles(new Map([['a', new Map([['b', ['a/x.ts']]])], ['b', new Map([['a', ['b/y.ts']]])]]))).toEqual(['a → b → a (a/x.ts)']);
  });

  it('has no loop between folders', () => {
    expect(cycles(folderGraph())).toEqual([]);
  });

  it("keeps each stage's schema.ts free of config/ (config/ composes them)", () => {
    const back = all.filter((i) => /^[a-z]+\/schema\.ts$/.test(i.file) && folderOf(i.file) !== 'config' && i.relative && folderOf(i.target) === 'config');
    expect(back.map((i) => `${i.file} → ${i.target}`)).toEqual([]);
  });

  it('lets detector/ import only core/ and models/ (and packages): it knows no stream, rule, queue or case API', () => {
    const bad = all.filter((i) => folderOf(i.file) === 'detector' && i.relative && !['core', 'models', 'detector'].includes(folderOf(i.target)));
    expect(bad.map((i) => `${i.file} → ${i.target}`)).toEqual([]);
  });

  it('keeps rules/ pure: no IO module, no clock, no randomness; only zod and core/', () => {
    const files = sources(join(ROOT, 'rules'));
    const bad = files.flatMap(importsOf).filter((i) => (i.relative ? !['core', 'rules'].includes(folderOf(i.target)) : i.target !== 'zod'));
    expect(bad.map((i) => `${i.file} → ${i.target}`)).toEqual([]);
    const clocks = files.filter((f) => /\bDate\.now\(|\bMath\.random\(|\bnew Date\(\)|\bperformance\.now\(/.test(readFileSync(f, 'utf8')));
    expect(clocks.map((f) => relative(ROOT, f))).toEqual([]);
  });

  it('lets the console import no server code but core/geometry.ts', () => {
    const out = sources(join(ROOT, 'console/src'))
      .flatMap(importsOf)
      .filter((i) => i.relative && folderOf(i.target) !== 'console' && i.target !== 'core/geometry.js');
    expect(out.map((i) => `${i.file} → ${i.target}`)).toEqual([]);
  });
});
