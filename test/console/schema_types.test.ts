import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { consoleTypes, SCHEMA_TYPES } from '../../scripts/console_types.js';

/** The console's API types are generated from /openapi.json; a changed API without regenerated types fails here. */
describe('console API types', () => {
  it('console/src/api/schema.d.ts is what npm run console:types generates from the API now', async () => {
    expect(readFileSync(SCHEMA_TYPES, 'utf8'), 'stale: run npm run console:types').toBe(await consoleTypes());
  }, 120_000);
});
