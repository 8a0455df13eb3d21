import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, MissingDependencyError, WeisuError } from '../../core/errors.js';
import { categoryTable, resolveLabels } from '../../models/manifest.js';
import { loadRegistry, parseManifest, requireModelFile } from '../../models/registry.js';
import { MODELS_DIR } from '../support/paths.js';

const USER_MANIFEST = `
id: my-yolov8
task: detect
file: mine.onnx
sha256: ${'a'.repeat(64)}
licence: mine
input: { width: 640, height: 640, channel_order: rgb, scale: 0.00392156862745098, resize: letterbox }
decoder: { kind: yolov8 }
labels: [car, van, person]
categories: { vehicle: [car, van], person: [person] }
`;

describe('model registry', () => {
  it('ships the three documented models with pinned checksums and category maps', () => {
    const reg = loadRegistry(MODELS_DIR);
    expect(reg.list().map((m) => m.id).sort()).toEqual(['bin-fullness-yolov8n-cls-256', 'yolov8n-coco-640-int8', 'yolox-nano-coco-416']);
    const yolox = reg.get('yolox-nano-coco-416');
    expect(yolox).toMatchObject({ task: 'detect', file: 'yolox_nano_coco_416.onnx', input: { channel_order: 'bgr', anchor: 'top_left', scale: 1 } });
    expect(yolox.url).toMatch(/^https:\/\/raw\.githubusercontent\.com\/hamacom2004jp\/iinfer\/c7f9a3c5[0-9a-f]{32}\//);
    const cats = categoryTable(yolox);
    const labels = resolveLabels(yolox.labels);
    expect(labels).toHaveLength(80);
    expect(['car', 'truck', 'bus', 'motorcycle'].map((l) => cats[labels.indexOf(l)])).toEqual(['vehicle', 'vehicle', 'vehicle', 'vehicle']);
    expect(cats[labels.indexOf('person')]).toBe('person');
    expect(cats[labels.indexOf('bicycle')]).toBe('other');
    expect(requireModelFile(reg, yolox)).toBe(join(MODELS_DIR, 'yolox_nano_coco_416.onnx'));
  });

  it('adds a user manifest dropped beside its model, and says how to get a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'weisu-reg-'));
    writeFileSync(join(dir, 'mine.manifest.yaml'), USER_MANIFEST);
    writeFileSync(join(dir, 'notes.yaml'), 'not: a manifest'); // other files are left alone
    const reg = loadRegistry(dir);
    const mine = reg.get('my-yolov8');
    expect(categoryTable(mine)).toEqual(['vehicle', 'vehicle', 'person']);
    expect(() => requireModelFile(reg, mine)).toThrow(MissingDependencyError);
    const missing = (() => { try { requireModelFile(reg, reg.get('yolox-nano-coco-416')); } catch (e) { return e as WeisuError; } })();
    expect(missing?.fix).toMatch(/weisu models pull yolox-nano-coco-416/);
  });

  it('names the known ids for an unknown one', () => {
    expect(() => loadRegistry(MODELS_DIR).get('yolov9')).toThrow(/no model "yolov9"/);
    try {
      loadRegistry(MODELS_DIR).get('yolov9');
    } catch (e) {
      expect((e as WeisuError).fix).toMatch(/yolox-nano-coco-416/);
    }
  });

  it('rejects a bad manifest naming each field at fault', () => {
    const bad = USER_MANIFEST.replace('kind: yolov8', 'kind: yolov7').replace(`${'a'.repeat(64)}`, 'abc').replace('[car, van]', '[car, lorry]') + 'extra: 1\n';
    try {
      parseManifest(bad, 'bad.manifest.yaml');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const fields = (e as ConfigError).issues.map((i) => i.field);
      expect(fields).toEqual(expect.arrayContaining(['sha256', 'decoder.kind', 'extra']));
    }
    expect(() => parseManifest(USER_MANIFEST.replace('[car, van]', '[car, lorry]'), 'x.yaml')).toThrow(ConfigError);
    expect(() => parseManifest('{ not json', 'x.manifest.json')).toThrow(/not valid JSON/);
  });
});
