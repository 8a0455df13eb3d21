import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConfigDocs } from '../../config/docs.js';
import { configJsonSchema } from '../../config/schema.js';

/** docs/config.md is generated from the schema; these fail when the schema changed and the file was not regenerated. */
describe('docs/config.md', () => {
  it('is what `npm run docs:config` writes from the current schema (run it after changing a config field)', () => {
    const file = readFileSync(new URL('../../docs/config.md', import.meta.url), 'utf8');
    expect(file).toBe(renderConfigDocs());
  });

  it('documents every field: each one in the JSON Schema has a description', () => {
    const missing: string[] = [];
    const walk = (s: Record<string, any>, path: string) => {
      for (const v of [...(s.oneOf ?? []), ...(s.anyOf ?? [])]) walk(v, path);
      if (s.items && typeof s.items === 'object') walk(s.items, `${path}[]`);
      for (const [k, v] of Object.entries<Record<string, any>>(s.properties ?? {})) {
        if (!v.description) missing.push(`${path}${k}`);
        walk(v, `${path}${k}.`);
      }
    };
    walk(configJsonSchema() as Record<string, any>, '');
    expect(missing).toEqual([]);
  });
});
