import { plateKey } from './formats.js';

/**
 * Voting across the frames of one incident (its dwell gives several). Reads of the same plate (same
 * letters and digits, whatever the separators) pool their evidence; reads of another plate count
 * against it. Pure.
 */
export interface FrameRead {
  text: string;
  format: string;
  confidence: number;
}

export interface Vote<R extends FrameRead> {
  /** The winning read with the highest confidence (its text, format and box stand for the plate). */
  best: R;
  votes: number;
  /** Frames that read some plate. */
  reads: number;
  /**
   * Combined confidence: the agreeing reads' mean confidence, scaled by the winner's share of all
   * confidence, so dissenting frames pull it down. Agreement is not treated as independent evidence
   * (no 1 − Π(1 − cᵢ)): the frames of one dwell show the same car from the same camera, and a misread
   * repeats as readily as a read.
   */
  confidence: number;
}

export function vote<R extends FrameRead>(reads: readonly R[]): Vote<R> | null {
  if (reads.length === 0) return null;
  const groups = new Map<string, R[]>();
  for (const r of reads) {
    const k = plateKey(r.text);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const weight = (g: R[]) => g.reduce((s, r) => s + r.confidence, 0);
  const total = weight([...reads]);
  const winner = [...groups.values()].sort((a, b) => weight(b) - weight(a) || b.length - a.length)[0]!;
  const mean = weight(winner) / winner.length;
  const share = total > 0 ? weight(winner) / total : 0;
  const best = winner.reduce((a, b) => (b.confidence > a.confidence ? b : a));
  return { best, votes: winner.length, reads: reads.length, confidence: mean * share };
}
