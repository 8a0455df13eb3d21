import type { Candidate } from '../nms.js';
import { bestClass, shapeError, type DecodeOptions } from './common.js';

/**
 * YOLOX exported without its decode head: [B, N, 5+nc], N rows = grid cells of each stride in row-major
 * order; per row dx, dy, log w, log h (raw), objectness and class scores (sigmoided).
 * cx = (dx + gx)·stride, w = exp(log w)·stride, score = obj·cls.
 */
export function decodeYolox(data: Float32Array, dims: readonly number[], o: DecodeOptions & { strides: readonly number[] }): Candidate[] {
  const [, n, k] = dims;
  const rows = o.strides.reduce((s, st) => s + Math.floor(o.inputWidth / st) * Math.floor(o.inputHeight / st), 0);
  if (dims.length !== 3 || n !== rows || k !== 5 + o.numClasses) throw shapeError('yolox', `[B, ${rows}, ${5 + o.numClasses}]`, dims);
  const out: Candidate[] = [];
  let off = o.batchIndex * n * k;
  for (const stride of o.strides) {
    const gw = Math.floor(o.inputWidth / stride);
    const gh = Math.floor(o.inputHeight / stride);
    for (let gy = 0; gy < gh; gy++) {
      for (let gx = 0; gx < gw; gx++, off += k) {
        const obj = data[off + 4]!;
        if (obj < o.scoreThreshold) continue; // score = obj·cls ≤ obj
        const best = bestClass(data, off + 5, 1, o.numClasses);
        const score = obj * best.score;
        if (score < o.scoreThreshold) continue;
        const cx = (data[off]! + gx) * stride;
        const cy = (data[off + 1]! + gy) * stride;
        const w = Math.exp(data[off + 2]!) * stride;
        const h = Math.exp(data[off + 3]!) * stride;
        out.push({ x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2, score, classId: best.classId });
      }
    }
  }
  return out;
}
