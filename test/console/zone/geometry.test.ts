import { describe, expect, it } from 'vitest';
import { polygonProblem, type Pt } from '../../../console/src/zone/geometry.js';
import { polygonArea, polygonDefect, polygonProblem as serverProblem } from '../../../core/geometry.js';

/** The zone editor warns before saving; what it calls wrong must be what the server refuses. */
describe('console zone geometry', () => {
  const square: Pt[] = [
    [0.1, 0.1],
    [0.6, 0.1],
    [0.6, 0.6],
    [0.1, 0.6],
  ];
  const bowTie: Pt[] = [
    [0.1, 0.1],
    [0.6, 0.6],
    [0.6, 0.1],
    [0.1, 0.6],
  ];
  const flat: Pt[] = [
    [0.1, 0.1],
    [0.3, 0.1],
    [0.5, 0.1],
  ];

  it('accepts a simple polygon and measures it', () => {
    expect(polygonProblem(square)).toBeNull();
    expect(polygonArea(square)).toBeCloseTo(0.25, 6);
  });

  it('flags a crossing outline, too few points and a shape without area', () => {
    expect(polygonDefect(bowTie)?.kind).toBe('crossing');
    expect(polygonProblem(bowTie)).toBe('crossing');
    expect(polygonProblem(square.slice(0, 2))).toBe('tooFew');
    expect(polygonProblem(flat)).not.toBeNull();
  });

  it('agrees with the server on every shape it warns about', () => {
    for (const poly of [square, bowTie, flat]) expect(polygonProblem(poly) === null).toBe(serverProblem(poly) === null);
  });
});
