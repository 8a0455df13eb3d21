import ort from 'onnxruntime-node';
import { WeisuError } from '../core/errors.js';
import type { RawImage } from '../core/types.js';
import { buildVocabulary, ctcDecode, type CtcRead } from './ctc.js';
import { warpRect } from './crop.js';
import { openPlateModel } from './model_files.js';
import type { RotatedRect } from './text_boxes.js';

/** PP-OCR recognizers take 48 px tall lines, at least 320 px wide (PaddleOCR's rec_image_shape 3,48,320). */
const LINE_H = 48;
const MIN_W = 320;
/** A line wider than 16:1 is no plate; cap the tensor so a stray long text cannot blow up the batch. */
const MAX_RATIO = 16;
/**
 * Each line is read three times, with extra height (and as much width) around the detector's box of
 * these fractions of its height. DB boxes of small text are tight, and at 12 px a German plate's seal
 * reads as a letter in one framing (RAHHN2112) and as the gap it is in another (RA HN 2112); the reads
 * are voted (see read_plate.ts). Large plates read the same in all three.
 */
export const MARGINS = [0.15, 0.3, 0.45] as const;

export interface TextRecognizer {
  /** Reads each rotated rectangle of `img` (px of `img`) once per margin in MARGINS, restricted to plate characters. */
  read(img: RawImage, rects: RotatedRect[]): Promise<CtcRead[][]>;
  close(): Promise<void>;
}

/** PaddleOCR CTC text recognition on ONNX Runtime, decoding only the given characters. */
export async function createTextRecognizer(modelPath: string, classNames: string[], plateChars: ReadonlySet<string>, threads: number): Promise<TextRecognizer> {
  const session = await openPlateModel(modelPath, 'recognition', threads, { input: [null, 3, LINE_H, null], output: [null, null, null] });
  // A dictionary that does not belong to the model would decode every plate wrong: refuse it at start-up.
  const meta = session.outputMetadata[0];
  const classes = meta?.isTensor ? meta.shape[2] : undefined;
  if (typeof classes === 'number' && classes !== classNames.length) {
    await session.release();
    throw new WeisuError('model_invalid', `plate recognition model has ${classes} classes but the dictionary gives ${classNames.length} (blank + ${classNames.length - 2} lines + space)`, {
      field: 'plates.models.dictionary',
      fix: 'use the character list that was shipped with the recognition model',
    });
  }
  const input = session.inputNames[0]!;
  const output = session.outputNames[0]!;
  const vocab = buildVocabulary(classNames, plateChars);
  return {
    async read(img, rects) {
      if (rects.length === 0) return [];
      const lines = rects.flatMap((box) =>
        MARGINS.map((m) => {
          const r = { ...box, w: box.w + m * box.h, h: box.h * (1 + m) };
          return warpRect(img, r, Math.max(8, Math.round(LINE_H * Math.min(MAX_RATIO, r.w / Math.max(1, r.h)))), LINE_H);
        }),
      );
      const width = Math.max(MIN_W, ...lines.map((l) => l.width));
      const plane = LINE_H * width;
      // Normalised to [-1, 1]; padding stays 0 (mid grey), as PaddleOCR pads.
      const tensor = new Float32Array(lines.length * 3 * plane);
      lines.forEach((line, n) => {
        for (let y = 0; y < LINE_H; y++) {
          for (let x = 0; x < line.width; x++) {
            const s = (y * line.width + x) * 3;
            for (let c = 0; c < 3; c++) tensor[n * 3 * plane + c * plane + y * width + x] = line.data[s + (2 - c)]! / 127.5 - 1;
          }
        }
      });
      const result = await session.run({ [input]: new ort.Tensor('float32', tensor, [lines.length, 3, LINE_H, width]) });
      const out = result[output]!;
      const [, steps, numClasses] = out.dims as [number, number, number];
      const decoded = lines.map((_, n) => ctcDecode(out.data as Float32Array, n * steps * numClasses, steps, numClasses, vocab));
      return rects.map((_, i) => decoded.slice(i * MARGINS.length, (i + 1) * MARGINS.length));
    },
    close: () => session.release(),
  };
}
