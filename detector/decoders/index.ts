import type { DetectManifest } from '../../models/manifest.js';
import type { Candidate } from '../nms.js';
import type { DecodeOptions } from './common.js';
import { decodeYolov5, decodeYolov8 } from './ultralytics.js';
import { decodeYolox } from './yolox.js';

export type { DecodeOptions } from './common.js';

/** The decoder a manifest names, as a pure function of (output tensor, dims, options) → candidates in input pixels. */
export function decoderFor(decoder: DetectManifest['decoder']): (data: Float32Array, dims: readonly number[], o: DecodeOptions) => Candidate[] {
  switch (decoder.kind) {
    case 'yolox':
      return (data, dims, o) => decodeYolox(data, dims, { ...o, strides: decoder.strides });
    case 'yolov5':
      return decodeYolov5;
    case 'yolov8':
      return decodeYolov8;
  }
}
