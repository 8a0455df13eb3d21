import { z } from 'zod';

/**
 * Inference regions: besides the whole frame, parts of it run through the model again at full resolution,
 * so small far vehicles are not lost to downscaling. Each region costs one more inference per sample.
 * The default (3×2 tiles) is what reaches the detector-quality target of `npm run eval` on the labelled
 * street photographs (README, measurements); `full` is cheaper and misses far and small vehicles.
 */
export const regionsSchema = z.strictObject({
  mode: z.enum(['full', 'zones', 'tiles']).default('tiles').describe('full: the whole frame only. zones: also the area around each of the camera\'s zones (its bounding box plus `margin`). tiles: also a `tiles` grid over the whole frame.'),
  margin: z.number().min(0).max(2).default(0.25).describe('zones: margin around a zone\'s bounding box, as a fraction of its size (twice that upwards).'),
  tiles: z.tuple([z.number().int().min(1).max(8), z.number().int().min(1).max(8)]).default([3, 2]).describe('tiles: columns and rows of the grid; neighbours overlap by 20 %.'),
  min_gain: z.number().min(1).max(20).default(1.3).describe('A region is run only if the model sees it at least this many times larger than in the whole frame.'),
});

export const detectorSchema = z.strictObject({
  model: z.string().default('yolox-nano-coco-416').describe('Model id from the registry (a manifest in models/manifests or a *.manifest.yaml in WEISU_MODELS_DIR).'),
  score_threshold: z.number().min(0).max(1).default(0.35).describe('Minimum score for a detection to count (chosen by measurement on the labelled street photographs: `npm run eval -- --only detector`).'),
  threads: z.number().int().min(1).max(64).default(2).describe('ONNX Runtime intra-op threads per session.'),
  regions: regionsSchema.prefault({}).describe('Parts of frames to run again at full resolution beside the whole frame (default: a 3×2 grid of tiles; `mode: full` for the whole frame only).'),
});

export type DetectorConfig = z.output<typeof detectorSchema>;
export type RegionsConfig = z.output<typeof regionsSchema>;
