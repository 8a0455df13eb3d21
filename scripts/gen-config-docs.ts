import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderConfigDocs } from '../config/docs.js';

/** Writes docs/config.md from the config schema (`npm run docs:config`); test/config/docs.test.ts checks it is current. */
const target = fileURLToPath(new URL('../docs/config.md', import.meta.url));
writeFileSync(target, renderConfigDocs());
console.log(`wrote ${target}`);
