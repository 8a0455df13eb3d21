import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createDetector } from '../../detector/detector.js';
import { frameFromImage } from '../../detector/image.js';
import { buildOnnx, ELEM } from '../support/onnx_builder.js';
import { WeisuError } from '../../core/errors.js';

/**
 * Ultralytics YOLOv5 and YOLOv8 output layouts end to end: tiny ONNX graphs whose output is a known set of
 * boxes, shifted per picture by the picture's mean input value (so each picture of a batch has its own
 * answer), loaded through a user manifest like any bring-your-own model. Checks IO validation, the centred
 * letterbox mapping back to frame pixels, decoding, and one session.run for a whole batch.
 */
const NC = 3; // labels: car, person, bus
// Two boxes in 64×64 input pixels: [cx, cy, w, h, objectness, class scores...]
const ROWS = [
  [20, 30, 10, 20, 0.9, 0.1, 0.8, 0.2], // person, 0.72
  [40, 30, 8, 8, 0.9, 0.9, 0, 0], // car, 0.81; cx moves by SHIFT × the picture's mean input value
];
const SHIFT = 10;

/** [B, N, 5+nc] (v5) or [B, 4+nc, N] (v8) output = BASE + SHIFT·mean(images)·MASK. */
function fakeDetector(layout: 'yolov5' | 'yolov8', batch: number | string): Buffer {
  const rows = layout === 'yolov5' ? ROWS : ROWS.map((r) => [...r.slice(0, 4), ...r.slice(5)]);
  const n = rows.length;
  const k = rows[0]!.length;
  const base = layout === 'yolov5' ? rows.flat() : Array.from({ length: k * n }, (_, i) => rows[i % n]![Math.floor(i / n)]!);
  const mask = base.map((_, i) => (i === (layout === 'yolov5' ? k : 1) ? SHIFT : 0)); // cx of box 1
  const dims = layout === 'yolov5' ? [1, n, k] : [1, k, n];
  return buildOnnx({
    inputs: [{ name: 'images', shape: [batch, 3, 64, 64] }],
    outputs: [{ name: 'output0', shape: [batch, dims[1]!, dims[2]!] }],
    initializers: [
      { name: 'base', dims, data: new Float32Array(base) },
      { name: 'mask', dims, data: new Float32Array(mask) },
      { name: 'shape', dims: [3], data: [-1, 1, 1], int64: true },
    ],
    nodes: [
      { op: 'ReduceMean', inputs: ['images'], outputs: ['mean'], attrs: { axes: [1, 2, 3], keepdims: 1 } },
      { op: 'Reshape', inputs: ['mean', 'shape'], outputs: ['mean3'] },
      { op: 'Mul', inputs: ['mean3', 'mask'], outputs: ['shift'] },
      { op: 'Add', inputs: ['shift', 'base'], outputs: ['output0'] },
    ],
  });
}

function modelsDir(layout: 'yolov5' | 'yolov8', batch: number | string, model = fakeDetector(layout, batch)): string {
  const dir = mkdtempSync(join(tmpdir(), 'weisu-layout-'));
  writeFileSync(join(dir, 'fake.onnx'), model);
  writeFileSync(join(dir, 'fake.manifest.yaml'), [
    'id: fake', 'task: detect', 'file: fake.onnx', `sha256: ${'ab'.repeat(32)}`, 'licence: test',
    'input: { width: 64, height: 64, channel_order: rgb, scale: 0.00392156862745098, resize: letterbox, anchor: center }',
    `decoder: { kind: ${layout} }`, 'labels: [car, person, bus]', 'categories: { vehicle: [car, bus], person: [person] }', 'score_threshold: 0.3', '',
  ].join('\n'));
  return dir;
}

/** A solid 128×64 picture: letterboxed into 64×64 at scale 0.5, 16 px of pad above and below. */
const solid = async (v: number, cameraId: string) =>
  frameFromImage(await sharp({ create: { width: 128, height: 64, channels: 3, background: { r: v, g: v, b: v } } }).jpeg({ quality: 100 }).toBuffer(), cameraId, 0, { pixelsLongSide: 64 });

/** Mean of the input tensor for a solid picture of value v: half picture, half pad (114). */
const meanInput = (v: number) => (0.5 * v + 0.5 * 114) / 255;

describe.each(['yolov5', 'yolov8'] as const)('%s output layout through a tiny ONNX model', (layout) => {
  it('decodes known boxes for each picture of one batched run, in frame pixels', async () => {
    const det = await createDetector({ modelsDir: modelsDir(layout, 'batch'), model: 'fake', threads: 1 });
    try {
      const out = await det.run([await solid(0, 'black'), await solid(255, 'white')]);
      expect(det.timings.runs).toBe(1); // dynamic batch: both pictures in one session.run
      out.forEach((d, i) => {
        const cx = 40 + SHIFT * meanInput(i === 0 ? 0 : 255);
        const byLabel = Object.fromEntries(d.items.map((it) => [it.label, it]));
        expect(Object.keys(byLabel).sort()).toEqual(['car', 'person']);
        // input [x, y] → frame [x / 0.5, (y − 16) / 0.5]
        expect(byLabel.person!.box.map((v) => +v.toFixed(2))).toEqual([30, 8, 50, 48]);
        expect(byLabel.person!.score).toBeCloseTo(layout === 'yolov5' ? 0.72 : 0.8, 5);
        expect(byLabel.person!.category).toBe('person');
        expect(byLabel.car!.score).toBeCloseTo(layout === 'yolov5' ? 0.81 : 0.9, 5);
        byLabel.car!.box.forEach((v, j) => expect(v).toBeCloseTo([(cx - 4) * 2, 20, (cx + 4) * 2, 36][j]!, 1));
        expect(byLabel.car!.category).toBe('vehicle');
      });
      expect(out[1]!.items.find((i) => i.label === 'car')!.box[0] - out[0]!.items.find((i) => i.label === 'car')!.box[0]).toBeCloseTo(2 * SHIFT * (255 / 2 / 255), 1);
    } finally {
      await det.close();
    }
  });

  it('runs a fixed-batch export one picture at a time with the same answers', async () => {
    const det = await createDetector({ modelsDir: modelsDir(layout, 1), model: 'fake', threads: 1 });
    try {
      const out = await det.run([await solid(0, 'a'), await solid(255, 'b')]);
      expect(det.timings.runs).toBe(2);
      expect(out.map((d) => d.items.length)).toEqual([2, 2]);
      expect(out[1]!.items.find((i) => i.label === 'car')!.box[0]).toBeCloseTo((40 + SHIFT * meanInput(255) - 4) * 2, 1);
    } finally {
      await det.close();
    }
  });
});

describe('exports weisu cannot feed are refused at load, by name', () => {
  /** images → Cast → Identity-like graph with the given input element type and an extra input when asked. */
  const oddModel = (elem: number, extraInput: boolean) =>
    buildOnnx({
      inputs: [{ name: 'images', shape: [1, 3, 64, 64], elem }, ...(extraInput ? [{ name: 'scale_factor', shape: [1, 2] }] : [])],
      outputs: [{ name: 'output0', shape: [1, 7, 2] }],
      initializers: [{ name: 'base', dims: [1, 7, 2], data: new Float32Array(14) }, { name: 'shape', dims: [3], data: [-1, 1, 1], int64: true }],
      nodes: [
        { op: 'Cast', inputs: ['images'], outputs: ['f'], attrs: { to: ELEM.float } },
        { op: 'ReduceMean', inputs: ['f'], outputs: ['mean'], attrs: { axes: [1, 2, 3], keepdims: 1 } },
        { op: 'Reshape', inputs: ['mean', 'shape'], outputs: ['mean3'] },
        { op: 'Add', inputs: ['mean3', 'base'], outputs: ['output0'] },
      ],
    });

  it('an fp16 input', async () => {
    const load = createDetector({ modelsDir: modelsDir('yolov8', 1, oddModel(ELEM.float16, false)), model: 'fake' });
    await expect(load).rejects.toThrow(WeisuError);
    await expect(load).rejects.toThrow('input "images" is float16, weisu needs float32');
  });

  it('an extra input such as scale_factor (PaddleDetection style)', async () => {
    await expect(createDetector({ modelsDir: modelsDir('yolov8', 1, oddModel(ELEM.float, true)), model: 'fake' })).rejects.toThrow('found "images", "scale_factor"');
  });
});
