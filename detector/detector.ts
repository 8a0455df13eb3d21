import * as ort from 'onnxruntime-node';
import type { Detection, Detections, Frame } from '../core/types.js';
import { categoryTable, resolveLabels, type DetectManifest } from '../models/manifest.js';
import { decoderFor } from './decoders/index.js';
import { mergeWithinGroups, nmsPerClass } from './nms.js';
import { framePicture, tensorWriter, toFrameBox, type Placement } from './preprocess.js';
import { openModel } from './session.js';
import { createTimings, serialised, type Timings } from './timings.js';

/**
 * Frames → Detections with any detector a manifest describes. One session per model, created once.
 * Frames of several cameras go through one session.run when the model has a dynamic batch dimension;
 * otherwise one run per frame, with the next frame's preprocessing overlapping the current inference.
 * Boxes come back in pixels of the full frame, whatever size the inference copy had.
 */
export interface Detector {
  readonly modelId: string;
  readonly manifest: DetectManifest;
  /** Cumulative time spent per stage, for benchmarks and metrics. */
  readonly timings: Timings;
  run(frames: Frame[]): Promise<Detections[]>;
  close(): Promise<void>;
}

export interface DetectorOptions {
  modelsDir: string;
  model: string;
  threads?: number;
  scoreThreshold?: number;
  /** Most frames per session.run for dynamic-batch models (default 8). */
  maxBatch?: number;
}

export async function createDetector(opts: DetectorOptions): Promise<Detector> {
  const { manifest: m, session, dynamicBatch } = await openModel({ ...opts, task: ['detect'] });
  const manifest = m as DetectManifest;
  const { input } = manifest;
  const labels = resolveLabels(manifest.labels);
  const categories = categoryTable(manifest);
  const decode = decoderFor(manifest.decoder);
  // Only vehicles/persons/bins merge across classes; each `other` class stays its own group.
  const groupOf = (classId: number) => (categories[classId] === 'other' ? `other:${classId}` : categories[classId]!);
  const writer = tensorWriter(input);
  const threshold = opts.scoreThreshold ?? manifest.score_threshold;
  const maxBatch = dynamicBatch ? Math.max(1, opts.maxBatch ?? 8) : 1;
  const timings = createTimings();
  // Two tensors' worth of buffers, so one can be filled while the other is being inferred.
  const buffers = [new Float32Array(writer.size * maxBatch), new Float32Array(writer.size * maxBatch)];

  function toDetections(frame: Frame, place: Placement, data: Float32Array, dims: readonly number[], batchIndex: number): Detections {
    const cands = decode(data, dims, { batchIndex, inputWidth: input.width, inputHeight: input.height, scoreThreshold: threshold, numClasses: labels.length });
    const kept = mergeWithinGroups(nmsPerClass(cands, manifest.nms_iou), groupOf, manifest.category_merge_iou);
    const items: Detection[] = kept.map((c) => ({
      box: toFrameBox(c.x1, c.y1, c.x2, c.y2, place, frame.width, frame.height),
      score: c.score,
      classId: c.classId,
      label: labels[c.classId]!,
      category: categories[c.classId]!,
    }));
    return { cameraId: frame.cameraId, ts: frame.ts, width: frame.width, height: frame.height, items: items.filter((d) => d.box[2] > d.box[0] && d.box[3] > d.box[1]) };
  }

  /** Preprocess a chunk of frames into buffer `slot`; resolves with their placements. */
  async function prepare(chunk: Frame[], slot: number): Promise<{ places: Placement[]; tensor: ort.Tensor }> {
    const t0 = performance.now();
    const pics = await Promise.all(chunk.map((f) => framePicture(f, input)));
    const buf = buffers[slot]!;
    pics.forEach((p, i) => writer.write(buf, i * writer.size, p.img, p.place));
    const tensor = new ort.Tensor('float32', buf.subarray(0, chunk.length * writer.size), [chunk.length, 3, input.height, input.width]);
    timings.preprocessMs += performance.now() - t0;
    return { places: pics.map((p) => p.place), tensor };
  }

  async function infer(chunk: Frame[], prepared: { places: Placement[]; tensor: ort.Tensor }): Promise<Detections[]> {
    const t0 = performance.now();
    const out = await session.run({ [input.name]: prepared.tensor });
    const t1 = performance.now();
    const res = out[manifest.decoder.output]!;
    const data = res.data as Float32Array;
    const dets = chunk.map((f, i) => toDetections(f, prepared.places[i]!, data, res.dims, i));
    for (const t of Object.values(out)) t.dispose();
    timings.inferenceMs += t1 - t0;
    timings.postprocessMs += performance.now() - t1;
    timings.runs += 1;
    timings.frames += chunk.length;
    return dets;
  }

  const run = serialised(async (frames: Frame[]): Promise<Detections[]> => {
    const chunks: Frame[][] = [];
    for (let i = 0; i < frames.length; i += maxBatch) chunks.push(frames.slice(i, i + maxBatch));
    const results: Detections[] = [];
    let next = chunks.length ? prepare(chunks[0]!, 0) : undefined;
    for (let i = 0; i < chunks.length; i++) {
      const prepared = await next!;
      // Start preprocessing the next chunk (other buffer) while this one is inferred.
      next = i + 1 < chunks.length ? prepare(chunks[i + 1]!, (i + 1) % 2) : undefined;
      // Keep a failed prefetch from becoming an unhandled rejection; it is awaited (and thrown) next turn.
      next?.catch(() => undefined);
      results.push(...(await infer(chunks[i]!, prepared)));
    }
    return results;
  });

  return {
    modelId: manifest.id,
    manifest,
    timings,
    run,
    close: () => session.release(),
  };
}
