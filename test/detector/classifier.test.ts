import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawImage } from '../../core/types.js';
import { createClassifier, softmax, type Classifier } from '../../detector/classifier.js';
import { decodeImage } from '../../detector/image.js';
import { media, MODELS_DIR } from '../support/paths.js';

describe('bin fill-state classifier (softmax + embedding)', () => {
  let cls: Classifier;
  const crops: { name: string; img: RawImage }[] = [];
  beforeAll(async () => {
    cls = await createClassifier({ modelsDir: MODELS_DIR, model: 'bin-fullness-yolov8n-cls-256', threads: 1 });
    // Crops from the model's own training frames: it must get these right (held-out ones it often does not).
    for (const name of readdirSync(media('bins/crops')).filter((f) => f.startsWith('ds_')).sort()) {
      crops.push({ name, img: await decodeImage(readFileSync(media(`bins/crops/${name}`))) });
    }
  });
  afterAll(() => cls.close());

  it('labels crops of its training set correctly, with probabilities summing to 1', async () => {
    expect(crops.length).toBeGreaterThanOrEqual(4);
    const out = await cls.classify(crops.map((c) => c.img));
    out.forEach((c, i) => {
      expect(c.labels).toEqual(['Full', 'Not_Full']);
      expect(c.probs[0]! + c.probs[1]!).toBeCloseTo(1, 4);
      expect(c.top, crops[i]!.name).toBe(crops[i]!.name.startsWith('ds_Full') ? 'Full' : 'Not_Full');
    });
  });

  it('returns an L2-normalised 1280-d embedding that tells full from not-full crops', async () => {
    const out = await cls.classify(crops.map((c) => c.img));
    const emb = out.map((c) => c.embedding!);
    for (const e of emb) {
      expect(e).toHaveLength(1280);
      expect(Math.hypot(...e)).toBeCloseTo(1, 2);
    }
    const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);
    const full = crops.map((c, i) => (c.name.startsWith('ds_Full') ? i : -1)).filter((i) => i >= 0);
    const notFull = crops.map((c, i) => (c.name.startsWith('ds_Not_Full') ? i : -1)).filter((i) => i >= 0);
    const within = cos(emb[full[0]!]!, emb[full[1]!]!);
    const across = cos(emb[full[0]!]!, emb[notFull[0]!]!);
    expect(within).toBeGreaterThan(across);
  });

  it('gives the same answer for a crop alone as inside a batch', async () => {
    const batch = await cls.classify(crops.map((c) => c.img));
    const [alone] = await cls.classify([crops[1]!.img]);
    alone!.probs.forEach((p, i) => expect(p).toBeCloseTo(batch[1]!.probs[i]!, 4));
    expect(await cls.classify([])).toEqual([]);
  });

  it('refuses an empty or malformed crop by name, and goes on', async () => {
    await expect(cls.classify([crops[0]!.img, { data: Buffer.alloc(0), width: 0, height: 5, channels: 3 }])).rejects.toThrow(/crop 1 is 0×5/);
    expect(await cls.classify([crops[0]!.img])).toHaveLength(1);
  });
});

describe('softmax', () => {
  it('is stable for large logits', () => {
    const p = softmax([1000, 1001]);
    expect(p[1]).toBeCloseTo(1 / (1 + Math.exp(-1)));
    expect(p[0]! + p[1]!).toBeCloseTo(1);
  });
});
