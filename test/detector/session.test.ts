import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MissingDependencyError, WeisuError } from '../../core/errors.js';
import { createClassifier } from '../../detector/classifier.js';
import { createDetector } from '../../detector/detector.js';
import { openModel } from '../../detector/session.js';
import { MODELS_DIR } from '../support/paths.js';

/** A models folder holding links to the real files plus user manifests written by the test. */
function modelsDir(manifests: Record<string, string>, files: Record<string, string | Buffer> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'weisu-models-'));
  for (const [name, text] of Object.entries(manifests)) writeFileSync(join(dir, `${name}.manifest.yaml`), text);
  for (const [name, target] of Object.entries(files)) {
    if (typeof target === 'string') symlinkSync(join(MODELS_DIR, target), join(dir, name));
    else writeFileSync(join(dir, name), target);
  }
  return dir;
}

function manifest(id: string, file: string, extra: string): string {
  return `id: ${id}\ntask: detect\nfile: ${file}\nsha256: ${'ab'.repeat(32)}\nlicence: test\nlabels: coco80\n${extra}`;
}

async function refusal(p: Promise<unknown>): Promise<WeisuError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(WeisuError);
  return e as WeisuError;
}

describe('loading a model checks it against its manifest', () => {
  it('refuses a YOLOv8 file described as YOLOX, saying what was expected and found', async () => {
    const dir = modelsDir({ wrong: manifest('wrong', 'v8.onnx', 'input: { width: 640, height: 640, channel_order: rgb, resize: letterbox }\ndecoder: { kind: yolox, output: output0 }\n') }, { 'v8.onnx': 'yolov8n_coco_640_int8dyn.onnx' });
    const e = await refusal(createDetector({ modelsDir: dir, model: 'wrong' }));
    expect(e.code).toBe('model_mismatch');
    expect(e.message).toContain('output "output0" expected [batch, 8400, 85] (yolox, 80 labels, strides 8/16/32), found [1, 84, 8400]');
  });

  it('refuses wrong input size, wrong tensor names and a wrong label count', async () => {
    const dir = modelsDir(
      {
        size: manifest('size', 'x.onnx', 'input: { width: 640, height: 640, channel_order: bgr, resize: letterbox, anchor: top_left }\ndecoder: { kind: yolox }\n'),
        names: manifest('names', 'x.onnx', 'input: { name: input, width: 416, height: 416, channel_order: bgr, resize: letterbox }\ndecoder: { kind: yolox, output: boxes }\n'),
        labels: manifest('labels', 'x.onnx', 'input: { width: 416, height: 416, channel_order: bgr, resize: letterbox }\ndecoder: { kind: yolox }\n').replace('labels: coco80', 'labels: [car, bus]'),
      },
      { 'x.onnx': 'yolox_nano_coco_416.onnx' },
    );
    expect((await refusal(createDetector({ modelsDir: dir, model: 'size' }))).message).toContain('input "images" expected [batch, 3, 640, 640], found [1, 3, 416, 416]');
    const names = (await refusal(createDetector({ modelsDir: dir, model: 'names' }))).message;
    expect(names).toContain('input "input" expected, found inputs "images"');
    expect(names).toContain('output "boxes" expected, found outputs "output"');
    expect((await refusal(createDetector({ modelsDir: dir, model: 'labels' }))).message).toContain('expected [batch, 3549, 7] (yolox, 2 labels');
  });

  it('refuses a corrupt ONNX file and a missing one with how to fix it', async () => {
    const good = readFileSync(join(MODELS_DIR, 'yolox_nano_coco_416.onnx'));
    const dir = modelsDir(
      { cut: manifest('cut', 'cut.onnx', 'input: { width: 416, height: 416, channel_order: bgr, resize: letterbox }\ndecoder: { kind: yolox }\n') },
      { 'cut.onnx': good.subarray(0, 100_000), 'yolox_nano_coco_416.onnx': Buffer.from('not a model') },
    );
    const cut = await refusal(createDetector({ modelsDir: dir, model: 'cut' }));
    expect(cut.code).toBe('model_invalid');
    expect(cut.message).toContain('cut.onnx');
    expect((await refusal(createDetector({ modelsDir: dir, model: 'yolox-nano-coco-416' }))).fix).toMatch(/weisu models pull yolox-nano-coco-416/);
    const empty = mkdtempSync(join(tmpdir(), 'weisu-models-'));
    expect(await createDetector({ modelsDir: empty, model: 'yolox-nano-coco-416' }).catch((e: unknown) => e)).toBeInstanceOf(MissingDependencyError);
  });

  it('refuses a classifier where a detector is wanted, and the reverse', async () => {
    expect((await refusal(createDetector({ modelsDir: MODELS_DIR, model: 'bin-fullness-yolov8n-cls-256' }))).code).toBe('model_wrong_task');
    expect((await refusal(createClassifier({ modelsDir: MODELS_DIR, model: 'yolox-nano-coco-416' }))).code).toBe('model_wrong_task');
  });

  it('knows which models take a batch in one run', async () => {
    const yolox = await openModel({ modelsDir: MODELS_DIR, model: 'yolox-nano-coco-416', task: ['detect'] });
    const bins = await openModel({ modelsDir: MODELS_DIR, model: 'bin-fullness-yolov8n-cls-256', task: ['classify'] });
    expect([yolox.dynamicBatch, bins.dynamicBatch]).toEqual([false, true]);
    await Promise.all([yolox.session.release(), bins.session.release()]);
  });
});
