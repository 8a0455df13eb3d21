import * as ort from 'onnxruntime-node';
import { fullJpeg } from '../core/frames.js';
import { WeisuError } from '../core/errors.js';
import type { Detection, Detections, SampledFrame, RawImage } from '../core/types.js';
import { categoryTable, resolveLabels, type DetectManifest } from '../models/manifest.js';
import { decoderFor } from './decoders/index.js';
import { decodeImage } from './image.js';
import { dropParts, mergeWithinGroups, nmsPerClass, type Candidate } from './nms.js';
import { framePicture, regionPicture, tensorWriter, toFrameBox, type PixelRect, type Placement } from './preprocess.js';
import { regionGain, type Region } from './regions.js';
import { openModel, type ModelRunner } from './session.js';
import { createTimings, serialised } from './timings.js';

/**
 * Frames → Detections with any detector a manifest describes. One session per model, created once.
 * Frames of several cameras go through one session.run when the model has a dynamic batch dimension;
 * otherwise one run per frame. The next chunk's sharp work (decode, resize) is started before the current
 * run, so it proceeds in libuv's threads while onnxruntime-node computes on this one (its run() holds the
 * event loop until the result is ready).
 * Boxes come back in pixels of the full frame, whatever size the inference copy had.
 * Optional inference regions (zones, tiles) are run again from the full-resolution picture and merged in.
 */
export interface Detector extends ModelRunner<DetectManifest> {
  /** Detections per frame; rejects if any frame cannot be prepared. */
  run(frames: SampledFrame[]): Promise<Detections[]>;
  /**
   * The same, but a frame that cannot be prepared (corrupt JPEG, no pixels) gets its own WeisuError in its
   * place while the other frames of the batch are answered: one bad camera never fails the others.
   */
  runSettled(frames: SampledFrame[]): Promise<(Detections | WeisuError)[]>;
}

export interface DetectorOptions {
  modelsDir: string;
  model: string;
  threads?: number;
  scoreThreshold?: number;
  /** Most pictures per session.run for dynamic-batch models (default 8). */
  maxBatch?: number;
  /** Parts of a frame (fractions) to run again at full resolution, e.g. its camera's zones (see regions.ts). */
  regionsFor?(frame: SampledFrame): readonly Region[] | undefined;
  /** A region is run only if the model sees it at least this many times larger than in the whole frame (default 1.3). */
  minRegionGain?: number;
}

/** One picture to infer: a whole frame, or a region of it. */
interface Item {
  frame: number;
  crop?: PixelRect;
}

/** Candidates of one frame in full-frame pixels: from the whole frame, and from its regions. */
interface Found {
  whole: Candidate[];
  regions: Candidate[];
  /** Why the whole frame could not be prepared. */
  error?: unknown;
}

/** Boxes cut by a region's inner edge are halves of something the whole-frame pass sees whole. */
const EDGE_PX = 3;

function regionCrops(frame: SampledFrame, regions: readonly Region[], input: { width: number; height: number }, minGain: number): PixelRect[] {
  return regions
    .filter((r) => regionGain(r, frame.width, frame.height, input.width, input.height) >= minGain)
    .map((r) => {
      const left = Math.max(0, Math.floor(r.x1 * frame.width));
      const top = Math.max(0, Math.floor(r.y1 * frame.height));
      return { left, top, width: Math.min(frame.width, Math.ceil(r.x2 * frame.width)) - left, height: Math.min(frame.height, Math.ceil(r.y2 * frame.height)) - top };
    })
    .filter((c) => c.width >= 16 && c.height >= 16);
}

export async function createDetector(opts: DetectorOptions): Promise<Detector> {
  const { manifest: m, session, dynamicBatch } = await openModel({ ...opts, task: ['detect'] });
  const manifest = m as DetectManifest;
  const { input } = manifest;
  const labels = resolveLabels(manifest.labels);
  const categories = categoryTable(manifest);
  // Only vehicles/persons/bins merge across classes; each `other` class stays its own group.
  const groupOf = (classId: number) => (categories[classId] === 'other' ? `other:${classId}` : categories[classId]!);
  const decode = decoderFor(manifest.decoder);
  const writer = tensorWriter(input);
  const threshold = opts.scoreThreshold ?? manifest.score_threshold;
  const maxBatch = dynamicBatch ? Math.max(1, opts.maxBatch ?? 8) : 1;
  const minGain = opts.minRegionGain ?? 1.3;
  const timings = createTimings();
  // Two tensors' worth of buffers, so one can be filled while the other is being inferred.
  const buffers = [new Float32Array(writer.size * maxBatch), new Float32Array(writer.size * maxBatch)];

  /** Candidates of one picture of the batch, in full-frame pixels. */
  function frameCandidates(frame: SampledFrame, item: Item, place: Placement, data: Float32Array, dims: readonly number[], batchIndex: number): Candidate[] {
    const cands = decode(data, dims, { batchIndex, inputWidth: input.width, inputHeight: input.height, scoreThreshold: threshold, numClasses: labels.length });
    const c = item.crop ?? { left: 0, top: 0, width: frame.width, height: frame.height };
    const out: Candidate[] = [];
    for (const k of cands) {
      const [x1, y1, x2, y2] = toFrameBox(k.x1, k.y1, k.x2, k.y2, place, c.width, c.height);
      if (x2 <= x1 || y2 <= y1) continue;
      if (item.crop) {
        const cut = (x1 < EDGE_PX && c.left > 0) || (y1 < EDGE_PX && c.top > 0) || (x2 > c.width - EDGE_PX && c.left + c.width < frame.width) || (y2 > c.height - EDGE_PX && c.top + c.height < frame.height);
        if (cut) continue;
      }
      out.push({ x1: x1 + c.left, y1: y1 + c.top, x2: x2 + c.left, y2: y2 + c.top, score: k.score, classId: k.classId });
    }
    return out;
  }

  function toDetections(frame: SampledFrame, found: Found): Detections {
    const nms = (cands: Candidate[]) => mergeWithinGroups(nmsPerClass(cands, manifest.nms_iou), groupOf, manifest.category_merge_iou);
    const all = nms([...found.whole, ...found.regions]);
    const kept = dropParts(all, all, groupOf);
    const items: Detection[] = kept.map((c) => ({
      box: [c.x1, c.y1, c.x2, c.y2],
      score: c.score,
      classId: c.classId,
      label: labels[c.classId]!,
      category: categories[c.classId]!,
    }));
    return { cameraId: frame.cameraId, ts: frame.ts, width: frame.width, height: frame.height, items };
  }

  async function runItems(frames: SampledFrame[], items: Item[]): Promise<Found[]> {
    const perFrame: Found[] = frames.map(() => ({ whole: [], regions: [] }));
    const fullRes = new Map<number, Promise<RawImage>>();
    const picture = (it: Item) => {
      const frame = frames[it.frame]!;
      if (!it.crop) return framePicture(frame, input);
      if (!fullRes.has(it.frame)) fullRes.set(it.frame, fullJpeg(frame).then(decodeImage));
      return fullRes.get(it.frame)!.then((full) => regionPicture(full, it.crop!, input));
    };
    /**
     * Preprocess a chunk into buffer `slot`. A picture that cannot be prepared (a corrupt JPEG) fails its
     * own frame only; a failed region just leaves the frame with its whole-frame detections.
     */
    const prepare = async (chunk: Item[], slot: number) => {
      const t0 = performance.now();
      const settled = await Promise.allSettled(chunk.map(picture));
      const ok: { item: Item; place: Placement }[] = [];
      const buf = buffers[slot]!;
      settled.forEach((r, i) => {
        const item = chunk[i]!;
        if (r.status === 'rejected') {
          if (!item.crop) perFrame[item.frame]!.error = r.reason;
          return;
        }
        writer.write(buf, ok.length * writer.size, r.value.img, r.value.place);
        ok.push({ item, place: r.value.place });
      });
      const tensor = new ort.Tensor('float32', buf.subarray(0, ok.length * writer.size), [ok.length, 3, input.height, input.width]);
      timings.preprocessMs += performance.now() - t0;
      return { ok, tensor };
    };
    const chunks: Item[][] = [];
    for (let i = 0; i < items.length; i += maxBatch) chunks.push(items.slice(i, i + maxBatch));
    let next = chunks.length ? prepare(chunks[0]!, 0) : undefined;
    for (let i = 0; i < chunks.length; i++) {
      const prepared = await next!;
      // Start preparing the next chunk (other buffer): its sharp work runs in libuv's threads meanwhile.
      next = i + 1 < chunks.length ? prepare(chunks[i + 1]!, (i + 1) % 2) : undefined;
      // Keep a failed prefetch from becoming an unhandled rejection; it is awaited (and thrown) next turn.
      next?.catch(() => undefined);
      if (prepared.ok.length === 0) continue;
      const t0 = performance.now();
      const out = await session.run({ [input.name]: prepared.tensor });
      const t1 = performance.now();
      const res = out[manifest.decoder.output]!;
      prepared.ok.forEach(({ item, place }, b) => perFrame[item.frame]![item.crop ? 'regions' : 'whole'].push(...frameCandidates(frames[item.frame]!, item, place, res.data as Float32Array, res.dims, b)));
      for (const t of Object.values(out)) t.dispose();
      timings.inferenceMs += t1 - t0;
      timings.postprocessMs += performance.now() - t1;
      timings.runs += 1;
    }
    return perFrame;
  }

  const runSettled = serialised(async (frames: SampledFrame[]): Promise<(Detections | WeisuError)[]> => {
    const items: Item[] = frames.flatMap((f, i) => [{ frame: i }, ...regionCrops(f, opts.regionsFor?.(f) ?? [], input, minGain).map((crop) => ({ frame: i, crop }))]);
    const found = await runItems(frames, items);
    const t0 = performance.now();
    const out = frames.map((f, i) => {
      const e = found[i]!.error;
      if (e === undefined) return toDetections(f, found[i]!);
      return e instanceof WeisuError ? e : new WeisuError('frame_invalid', `frame of camera ${f.cameraId} at ${f.ts} ms could not be prepared: ${(e as Error).message}`, { field: 'frame', cause: e });
    });
    timings.postprocessMs += performance.now() - t0;
    timings.frames += frames.length;
    return out;
  });

  async function run(frames: SampledFrame[]): Promise<Detections[]> {
    const out = await runSettled(frames);
    const failed = out.find((d) => d instanceof WeisuError);
    if (failed) throw failed;
    return out as Detections[];
  }

  return {
    modelId: manifest.id,
    manifest,
    timings,
    run,
    runSettled,
    close: () => session.release(),
  };
}
