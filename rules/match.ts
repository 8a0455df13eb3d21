/**
 * Greedy one-to-one matching, best candidate first: each side is used at most once. The tracker (tracks ↔
 * detections by IoU) and the parking rule (stays ↔ vehicles where they stand) both pair things this way;
 * one helper keeps their tie-breaking identical. Ties left by `better` fall back to the indexes, so the
 * result never depends on the order candidates were listed in (replay equals live).
 */
export interface Candidate {
  a: number;
  b: number;
}

/** The chosen pairs as a map from `a` to `b`. `better(x, y) < 0` when x should be taken before y. */
export function greedyMatch<P extends Candidate>(candidates: readonly P[], better: (x: P, y: P) => number): Map<number, number> {
  const sorted = [...candidates].sort((x, y) => better(x, y) || x.a - y.a || x.b - y.b);
  const chosen = new Map<number, number>();
  const usedB = new Set<number>();
  for (const p of sorted) {
    if (chosen.has(p.a) || usedB.has(p.b)) continue;
    chosen.set(p.a, p.b);
    usedB.add(p.b);
  }
  return chosen;
}
