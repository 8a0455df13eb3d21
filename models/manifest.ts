import { z } from 'zod';
import type { Category } from '../core/types.js';
import { LABEL_SETS } from './labels.js';

/**
 * One model = one manifest file (YAML or JSON). It says everything weisu needs to run the model without
 * guessing: where the file comes from and its checksum, how to turn a picture into the input tensor, how to
 * read the outputs, and how the model's labels map onto weisu's categories. The ONNX file itself is looked
 * up by `file` in WEISU_MODELS_DIR. The loader checks the model's real inputs/outputs against this.
 */

const tensorName = z.string().min(1).max(200);

export const inputSchema = z.strictObject({
  /** Name of the image input tensor. */
  name: tensorName.default('images'),
  width: z.number().int().min(1).max(8192),
  height: z.number().int().min(1).max(8192),
  /** Channel order the model was trained with. */
  channel_order: z.enum(['rgb', 'bgr']),
  /** value = (pixel * scale - mean[c]) / std[c], pixel in 0..255, mean/std in the scaled range. */
  scale: z.number().positive().default(1),
  mean: z.tuple([z.number(), z.number(), z.number()]).default([0, 0, 0]),
  std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]).default([1, 1, 1]),
  /** letterbox keeps the aspect ratio and pads; stretch resizes to the input size. */
  resize: z.enum(['letterbox', 'stretch']),
  /** Where a letterboxed picture sits in the input: YOLOX pads right/bottom, Ultralytics centres. */
  anchor: z.enum(['top_left', 'center']).default('center'),
  /** Padding value (0..255, before normalisation). */
  pad_value: z.number().min(0).max(255).default(114),
});

const detectDecoderSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    /** YOLOX export without the decode head: [B, N, 5+nc] raw grid offsets, obj and class scores sigmoided. */
    kind: z.literal('yolox'),
    output: tensorName.default('output'),
    strides: z.array(z.number().int().positive()).min(1).default([8, 16, 32]),
  }),
  z.strictObject({
    /** Ultralytics YOLOv5 export: [B, N, 5+nc], cx cy w h in input pixels, objectness, class scores. */
    kind: z.literal('yolov5'),
    output: tensorName.default('output0'),
  }),
  z.strictObject({
    /** Ultralytics YOLOv8/YOLO11 export: [B, 4+nc, N], cx cy w h in input pixels, class scores, no objectness. */
    kind: z.literal('yolov8'),
    output: tensorName.default('output0'),
  }),
]);

const classifyDecoderSchema = z.strictObject({
  kind: z.literal('softmax'),
  /** [B, nc] class output. */
  output: tensorName.default('probs'),
  /** Whether `output` is already a probability (softmax inside the graph) or raw logits to softmax here. */
  applies_softmax: z.boolean().default(false),
  /** Optional [B, D] embedding output (features for per-site calibration). */
  embedding_output: tensorName.optional(),
});

const categoryNames = ['vehicle', 'person', 'bin'] as const satisfies readonly Exclude<Category, 'other'>[];

const labelsField = z.union([
  z.array(z.string().min(1)).min(1),
  z.enum(Object.keys(LABEL_SETS) as [string, ...string[]]),
]);

const common = {
  /** Stable id used in config (`detector.model`) and on the command line. */
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'model id must use only a-z, 0-9, ".", "_" and "-"').max(100),
  description: z.string().max(2000).optional(),
  /** File name of the ONNX model inside WEISU_MODELS_DIR. */
  file: z.string().regex(/^[^/\\]+\.onnx$/, 'file must be a bare file name ending in .onnx (it is looked up in WEISU_MODELS_DIR)'),
  /** Where `weisu models pull` downloads it from (pinned: a commit, never a moving branch). */
  url: z.url({ protocol: /^https?$/ }).optional(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits'),
  size: z.number().int().positive().optional(),
  licence: z.string().min(1).max(500),
  source: z.string().max(1000).optional(),
  input: inputSchema,
  labels: labelsField,
  /** Which labels count as which weisu category; everything else is `other`. */
  categories: z.partialRecord(z.enum(categoryNames), z.array(z.string())).default({}),
  /** Threshold used when the config does not set one. */
  score_threshold: z.number().min(0).max(1).default(0.35),
};

export const detectManifestSchema = z.strictObject({
  ...common,
  task: z.literal('detect'),
  decoder: detectDecoderSchema,
  /** IoU above which a lower-scored box of the same class is suppressed. */
  nms_iou: z.number().min(0).max(1).default(0.45),
  /** Boxes of different classes in one weisu category (car and truck) overlapping more than this are one object: the better score stays. 1 disables. */
  category_merge_iou: z.number().min(0).max(1).default(0.7),
});

export const classifyManifestSchema = z.strictObject({
  ...common,
  task: z.enum(['classify', 'embed']),
  decoder: classifyDecoderSchema,
});

export const manifestSchema = z
  .discriminatedUnion('task', [detectManifestSchema, classifyManifestSchema])
  .superRefine((m, ctx) => {
    const labels = resolveLabels(m.labels);
    for (const [cat, names] of Object.entries(m.categories)) {
      names?.forEach((n, i) => {
        if (!labels.includes(n)) ctx.addIssue({ code: 'custom', path: ['categories', cat, i], message: `"${n}" is not one of this model's labels` });
      });
    }
  });

export type Manifest = z.output<typeof manifestSchema>;
export type DetectManifest = z.output<typeof detectManifestSchema>;
export type ClassifyManifest = z.output<typeof classifyManifestSchema>;
export type ModelInput = z.output<typeof inputSchema>;

export function resolveLabels(labels: string[] | string): readonly string[] {
  return typeof labels === 'string' ? LABEL_SETS[labels]! : labels;
}

/** Label index → weisu category, from the manifest's `categories`. */
export function categoryTable(m: Manifest): Category[] {
  const labels = resolveLabels(m.labels);
  const out: Category[] = labels.map(() => 'other');
  for (const cat of categoryNames) for (const name of m.categories[cat] ?? []) out[labels.indexOf(name)] = cat;
  return out;
}
