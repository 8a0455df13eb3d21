import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * `npm run bench [-- NAME... [--profile]]`: runs every bench/*.bench.ts (or the named ones) and prints one table each.
 * A bench module exports `title` and `run()` returning a table; speed targets live here, not in tests.
 */
export interface BenchTable {
  columns: string[];
  rows: (string | number)[][];
  notes?: string[];
}

function printTable(title: string, t: BenchTable): void {
  const cells = [t.columns, ...t.rows.map((r) => r.map((c) => (typeof c === 'number' ? (Number.isInteger(c) ? String(c) : c.toFixed(2)) : c)))];
  const widths = t.columns.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: (string | number)[]) => '| ' + r.map((c, i) => String(c ?? '').padEnd(widths[i]!)).join(' | ') + ' |';
  console.log(`\n## ${title}\n`);
  console.log(line(cells[0]!));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of cells.slice(1)) console.log(line(r));
  for (const n of t.notes ?? []) console.log(`\n${n}`);
}

const dir = fileURLToPath(new URL('.', import.meta.url));
// Options (--profile) are read by the benches themselves; the other arguments name benches.
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace('.bench.ts', '')))
  .sort();
for (const f of files) {
  const mod = (await import(new URL(f, import.meta.url).href)) as { title: string; run(): Promise<BenchTable> };
  printTable(mod.title, await mod.run());
}
