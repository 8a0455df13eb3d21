import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderBehavioursTable, TABLE_END, TABLE_START } from '../support/hostile_table.js';

/** docs/security.md "Behaviours tried" is the table the hostile suite checks; this fails when it went stale. */
describe('docs/security.md behaviours table', () => {
  it('is what `npm run docs:hostile` renders from test/support/hostile_behaviours.ts (run it after changing a behaviour)', () => {
    const doc = readFileSync(new URL('../../docs/security.md', import.meta.url), 'utf8');
    const start = doc.indexOf(TABLE_START);
    const end = doc.indexOf(TABLE_END);
    expect(start, 'the markers of the table').toBeGreaterThanOrEqual(0);
    expect(doc.slice(start, end + TABLE_END.length)).toBe(renderBehavioursTable());
  });
});
