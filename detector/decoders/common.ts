import { WeisuError } from '../../core/errors.js';

/** What every decoder needs besides the tensor: which picture of the batch, the input size, the threshold. */
export interface DecodeOptions {
  batchIndex: number;
  inputWidth: number;
  inputHeight: number;
  scoreThreshold: number;
  numClasses: number;
}

/** Highest class score among `n` values at data[start], data[start+step], ... */
export function bestClass(data: Float32Array, start: number, step: number, n: number): { classId: number; score: number } {
  let classId = 0;
  let score = -Infinity;
  for (let c = 0, i = start; c < n; c++, i += step) {
    const v = data[i]!;
    if (v > score) {
      score = v;
      classId = c;
    }
  }
  return { classId, score };
}

export function shapeError(what: string, expected: string, dims: readonly number[]): WeisuError {
  return new WeisuError('model_output_mismatch', `${what}: expected output shape ${expected}, found [${dims.join(', ')}]`, {
    field: 'decoder',
    fix: "check the manifest's decoder kind and labels against the model's export",
  });
}
