import { cropSites, judgeGeneric } from '../detector/bin_observer.js';
import type { Classifier } from '../detector/classifier.js';
import { judgeByCalibration, type CalibrationSet } from '../rules/calibration.js';
import { binFrame, labelledBins, type LabelledBin } from '../test/support/bin_frames.js';
import { prng } from '../sample/compose.js';

/**
 * Bin-state accuracy on the labelled bin pictures: the generic classifier alone, then per-site calibration
 * with k labelled examples per class drawn from the other pictures (never the one judged), averaged over
 * many draws. Reported over all pictures and over those the generic model never saw in training.
 */
export interface BinEval {
  rows: (string | number)[][];
}

const DRAWS = 50;

/** Deterministic shuffle (seeded Fisher–Yates) so the eval prints the same numbers each run. */
function shuffled<T>(items: T[], seed: number): T[] {
  const rand = prng(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

interface Judged {
  bin: LabelledBin;
  generic: 'overflowing' | 'normal';
  embedding: Float32Array;
}

export async function evalBins(classifier: Classifier): Promise<BinEval> {
  const bins = await labelledBins();
  const judged: Judged[] = [];
  for (const bin of bins) {
    const [crop] = await cropSites(await binFrame(bin, 0), [bin.zone]);
    const [c] = await classifier.classify([crop!]);
    judged.push({ bin, generic: judgeGeneric(c!, bin.zone).state, embedding: c!.embedding! });
  }
  const subsets: [string, (j: Judged) => boolean][] = [
    ['all', () => true],
    ['unseen by the model', (j) => !j.bin.seenByModel],
  ];
  const rows: (string | number)[][] = [];
  for (const [name, keep] of subsets) {
    const test = judged.filter(keep);
    const acc = (right: number, n: number) => `${((100 * right) / n).toFixed(1)} %`;
    rows.push([name, test.length, 'generic', '-', acc(test.filter((j) => j.generic === j.bin.truth).length, test.length)]);
    for (const k of [1, 3, 5]) {
      let right = 0;
      let n = 0;
      test.forEach((j, ti) => {
        // Examples come from other pictures only (the mixed picture's two bins are one picture).
        const pool = judged.filter((o) => o.bin.image !== j.bin.image);
        for (let d = 0; d < DRAWS; d++) {
          const pick = (label: 'normal' | 'overflowing') => shuffled(pool.filter((o) => o.bin.truth === label), d * 1000 + ti).slice(0, k).map((o) => o.embedding);
          const set: CalibrationSet = { normal: pick('normal'), overflowing: pick('overflowing') };
          const verdict = judgeByCalibration(j.embedding, set, k);
          if (!verdict) continue; // fewer than k examples of a class exist
          n++;
          if (verdict.state === j.bin.truth) right++;
        }
      });
      rows.push([name, test.length, 'calibrated', k, n ? acc(right, n) : 'n/a']);
    }
  }
  return { rows };
}
