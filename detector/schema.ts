import { z } from 'zod';

export const detectorSchema = z.strictObject({
  /** Model id from the registry (a manifest in WEISU_MODELS_DIR or models/manifests). */
  model: z.string().default('yolox-nano-coco-416'),
  /** Minimum score for a detection to count. */
  score_threshold: z.number().min(0).max(1).default(0.35),
  /** ONNX Runtime intra-op threads per session. */
  threads: z.number().int().min(1).max(64).default(2),
});

export type DetectorConfig = z.output<typeof detectorSchema>;
