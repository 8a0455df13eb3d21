import ort from 'onnxruntime-node';
import type { RawImage } from '../core/types.js';
import { resizeForDetection } from './crop.js';
import { openPlateModel } from './model_files.js';
import { DB_DEFAULTS, dbBoxes, type TextBox } from './text_boxes.js';

/** ImageNet statistics PaddleOCR's detector was trained with, in its BGR channel order. */
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

export interface TextDetector {
  /** Text boxes in `img` px, after resizing it so its long side is `longSide`. */
  detect(img: RawImage, longSide: number): Promise<TextBox[]>;
  close(): Promise<void>;
}

/** PaddleOCR DB text detection on ONNX Runtime. */
export async function createTextDetector(modelPath: string, threads: number): Promise<TextDetector> {
  const session = await openPlateModel(modelPath, 'detection', threads, { input: [null, 3, null, null], output: [null, 1, null, null] });
  const input = session.inputNames[0]!;
  const output = session.outputNames[0]!;
  return {
    async detect(img, longSide) {
      const { image, scale } = await resizeForDetection(img, longSide);
      const { width: w, height: h, data } = image;
      const plane = w * h;
      const tensor = new Float32Array(3 * plane);
      for (let i = 0; i < plane; i++) {
        // RGB pixels into the model's BGR planes.
        for (let c = 0; c < 3; c++) tensor[c * plane + i] = (data[i * 3 + (2 - c)]! / 255 - MEAN[c]!) / STD[c]!;
      }
      const result = await session.run({ [input]: new ort.Tensor('float32', tensor, [1, 3, h, w]) });
      const map = result[output]!;
      const [, , mh, mw] = map.dims as number[];
      const boxes = dbBoxes(map.data as Float32Array, mw!, mh!, DB_DEFAULTS);
      const k = (w / mw!) / scale;
      return boxes.map((b) => ({ score: b.score, rect: { cx: b.rect.cx * k, cy: b.rect.cy * k, w: b.rect.w * k, h: b.rect.h * k, angle: b.rect.angle } }));
    },
    close: () => session.release(),
  };
}
