import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderBehavioursTable, TABLE_END, TABLE_START } from '../test/support/hostile_table.js';

/** Rewrites the "Behaviours tried" table of docs/security.md from test/support/hostile_behaviours.ts (`npm run docs:hostile`). */
const target = fileURLToPath(new URL('../docs/security.md', import.meta.url));
const doc = readFileSync(target, 'utf8');
const start = doc.indexOf(TABLE_START);
const end = doc.indexOf(TABLE_END);
if (start < 0 || end < start) throw new Error(`${target} has no ${TABLE_START} ... ${TABLE_END} markers`);
writeFileSync(target, doc.slice(0, start) + renderBehavioursTable() + doc.slice(end + TABLE_END.length));
console.log(`wrote the behaviours table of ${target}`);
