import * as ort from 'onnxruntime-node';
import { WeisuError } from '../core/errors.js';
import type { RawImage } from '../core/types.js';
import { resolveLabels, type ClassifyManifest } from '../models/manifest.js';
import { cropPicture, tensorWriter } from './preprocess.js';
import { openModel, type ModelRunner } from './session.js';
import { createTimings, serialised } from './timings.js';

/**
 * Crops → class probabilities (softmax) and, when the model has one, an embedding for per-site
 * calibration. Crops go through one session.run per `maxBatch` when the batch dimension is dynamic.
 */
export interface Classification {
  labels: string[];
  probs: number[];
  top: string;
  embedding?: Float32Array;
}

export interface Classifier extends ModelRunner<ClassifyManifest> {
  classify(crops: RawImage[]): Promise<Classification[]>;
}

export function softmax(logits: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const e = Array.from({ length: logits.length }, (_, i) => Math.exp(logits[i]! - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

export async function createClassifier(opts: { modelsDir: string; model: string; threads?: number; maxBatch?: number }): Promise<Classifier> {
  const { manifest: m, session, dynamicBatch } = await openModel({ ...opts, task: ['classify', 'embed'] });
  const manifest = m as ClassifyManifest;
  const { input, decoder } = manifest;
  const labels = [...resolveLabels(manifest.labels)];
  const writer = tensorWriter(input);
  const maxBatch = dynamicBatch ? Math.max(1, opts.maxBatch ?? 16) : 1;
  const timings = createTimings();
  const buffer = new Float32Array(writer.size * maxBatch);

  async function runChunk(crops: RawImage[]): Promise<Classification[]> {
    const t0 = performance.now();
    const pics = await Promise.all(crops.map((c) => cropPicture(c, input)));
    pics.forEach((p, i) => writer.write(buffer, i * writer.size, p.img, p.place));
    const tensor = new ort.Tensor('float32', buffer.subarray(0, crops.length * writer.size), [crops.length, 3, input.height, input.width]);
    const t1 = performance.now();
    const out = await session.run({ [input.name]: tensor });
    const t2 = performance.now();
    const probsT = out[decoder.output]!;
    const nc = labels.length;
    const embT = decoder.embedding_output ? out[decoder.embedding_output] : undefined;
    const res = crops.map((_, i) => {
      const raw = (probsT.data as Float32Array).subarray(i * nc, (i + 1) * nc);
      const probs = decoder.applies_softmax ? Array.from(raw) : softmax(raw);
      const best = probs.indexOf(Math.max(...probs));
      const c: Classification = { labels, probs, top: labels[best]! };
      if (embT) {
        const d = embT.dims[1]!;
        c.embedding = (embT.data as Float32Array).slice(i * d, (i + 1) * d);
      }
      return c;
    });
    for (const t of Object.values(out)) t.dispose();
    timings.preprocessMs += t1 - t0;
    timings.inferenceMs += t2 - t1;
    timings.postprocessMs += performance.now() - t2;
    timings.runs += 1;
    timings.frames += crops.length;
    return res;
  }

  const classify = serialised(async (crops: RawImage[]) => {
    crops.forEach((c, i) => {
      if (!(c.width >= 1 && c.height >= 1 && c.data.length === c.width * c.height * 3)) {
        throw new WeisuError('crop_invalid', `crop ${i} is ${c.width}×${c.height} with ${c.data.length} bytes: not packed 8-bit RGB of that size`, { field: `crops[${i}]`, fix: 'cut crops inside the frame with a positive width and height' });
      }
    });
    const out: Classification[] = [];
    for (let i = 0; i < crops.length; i += maxBatch) out.push(...(await runChunk(crops.slice(i, i + maxBatch))));
    return out;
  });

  return { modelId: manifest.id, manifest, timings, classify, close: () => session.release() };
}
