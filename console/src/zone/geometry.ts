/**
 * Polygon helpers for the zone editor, in fractions of the frame (0..1). The server validates
 * zones again (rules/schema.ts); these only let the editor say what is wrong before saving.
 */
import { polygonDefect, type PolygonDefect } from '../../../core/geometry.js';

export type Pt = [number, number];

export const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/** Rounds to 4 decimals (a tenth of a pixel on a 1080p frame) so saved zones stay readable. */
export const round = (p: Pt): Pt => [Math.round(p[0] * 1e4) / 1e4, Math.round(p[1] * 1e4) / 1e4];

export function centroid(poly: Pt[]): Pt {
  const n = poly.length || 1;
  return [poly.reduce((s, p) => s + p[0], 0) / n, poly.reduce((s, p) => s + p[1], 0) / n];
}

export type PolygonProblem = 'tooFew' | 'crossing' | 'empty';

const PROBLEM: Record<PolygonDefect['kind'], PolygonProblem> = { too_few: 'tooFew', crossing: 'crossing', empty: 'empty' };

/**
 * What keeps this polygon from being a zone, if anything (an i18n key). Judged by the server's own
 * geometry (pure, no IO), so what the editor warns about is exactly what the API refuses.
 */
export function polygonProblem(poly: Pt[]): PolygonProblem | null {
  const d = polygonDefect(poly);
  return d ? PROBLEM[d.kind] : null;
}
