import type { Candidate } from '../nms.js';
import { bestClass, shapeError, type DecodeOptions } from './common.js';

function box(cx: number, cy: number, w: number, h: number, score: number, classId: number): Candidate {
  return { x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2, score, classId };
}

/** Ultralytics YOLOv5 export: [B, N, 5+nc]; per row cx, cy, w, h (input pixels), objectness, class scores. */
export function decodeYolov5(data: Float32Array, dims: readonly number[], o: DecodeOptions): Candidate[] {
  const [, n, k] = dims;
  if (dims.length !== 3 || k !== 5 + o.numClasses) throw shapeError('yolov5', `[B, N, ${5 + o.numClasses}]`, dims);
  const out: Candidate[] = [];
  for (let r = 0, off = o.batchIndex * n! * k; r < n!; r++, off += k) {
    const obj = data[off + 4]!;
    if (obj < o.scoreThreshold) continue;
    const best = bestClass(data, off + 5, 1, o.numClasses);
    const score = obj * best.score;
    if (score >= o.scoreThreshold) out.push(box(data[off]!, data[off + 1]!, data[off + 2]!, data[off + 3]!, score, best.classId));
  }
  return out;
}

/** Ultralytics YOLOv8 / YOLO11 export: [B, 4+nc, N], channel-major; cx, cy, w, h then class scores; no objectness. */
export function decodeYolov8(data: Float32Array, dims: readonly number[], o: DecodeOptions): Candidate[] {
  const [, k, n] = dims;
  if (dims.length !== 3 || k !== 4 + o.numClasses) throw shapeError('yolov8', `[B, ${4 + o.numClasses}, N]`, dims);
  const out: Candidate[] = [];
  const base = o.batchIndex * k * n!;
  for (let a = 0; a < n!; a++) {
    const best = bestClass(data, base + 4 * n! + a, n!, o.numClasses);
    if (best.score < o.scoreThreshold) continue;
    out.push(box(data[base + a]!, data[base + n! + a]!, data[base + 2 * n! + a]!, data[base + 3 * n! + a]!, best.score, best.classId));
  }
  return out;
}
