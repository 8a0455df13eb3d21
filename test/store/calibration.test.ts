import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addExample, calibrationSets, exampleCrop, listExamples, removeExample } from '../../store/calibration.js';
import { openDb, type Db } from '../../store/db.js';

let db: Db;
beforeAll(async () => {
  db = await openDb({});
});
afterAll(() => db?.close());

const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xd9]);
const emb = (...v: number[]) => Float32Array.from(v);

describe('calibration examples store', () => {
  it('keeps labelled embeddings per site and model, exactly, and returns them as calibration sets', async () => {
    const base = { cameraId: 'cam-a', zoneId: 'bin-1', model: 'm1', crop: jpeg, actor: 'op' };
    await addExample(db, { ...base, label: 'normal', embedding: emb(1, 0, 0.5) });
    await addExample(db, { ...base, label: 'overflowing', embedding: emb(0, 1, 0.25) });
    await addExample(db, { ...base, label: 'overflowing', embedding: emb(0.1, 0.9, 0) });
    await addExample(db, { ...base, zoneId: 'bin-2', label: 'normal', embedding: emb(1, 1, 1) });
    await addExample(db, { ...base, model: 'm2', label: 'normal', embedding: emb(9, 9, 9) });
    const sets = await calibrationSets(db, 'cam-a', 'm1');
    expect(Object.keys(sets).sort()).toEqual(['bin-1', 'bin-2']);
    expect(sets['bin-1']!.normal.map((e) => Array.from(e))).toEqual([[1, 0, 0.5]]);
    expect(sets['bin-1']!.overflowing.map((e) => Array.from(e))).toEqual([[0, 1, 0.25], [Math.fround(0.1), Math.fround(0.9), 0]]);
    expect(await calibrationSets(db, 'cam-b', 'm1')).toEqual({});
  });

  it('lists examples without embeddings, serves the crop, removes and audits', async () => {
    const list = await listExamples(db, 'cam-a', 'bin-1');
    expect(list.map((e) => e.label)).toEqual(['normal', 'overflowing', 'overflowing', 'normal']);
    expect(list[0]).toMatchObject({ cameraId: 'cam-a', zoneId: 'bin-1', createdBy: 'op' });
    expect(await exampleCrop(db, list[0]!.id)).toEqual(jpeg);
    expect(await removeExample(db, list[0]!.id, 'op')).toBe(true);
    expect(await removeExample(db, list[0]!.id, 'op')).toBe(false);
    expect((await listExamples(db, 'cam-a', 'bin-1')).length).toBe(3);
    const trail = await db.query<{ action: string }>("SELECT action FROM audit WHERE entity = 'calibration_example' ORDER BY id");
    expect(trail.map((r) => r.action)).toEqual(['labelled', 'labelled', 'labelled', 'labelled', 'labelled', 'removed']);
  });

  it('refuses a label other than normal or overflowing, and an empty embedding', async () => {
    const base = { cameraId: 'cam-a', zoneId: 'bin-1', model: 'm1', crop: jpeg, actor: 'op' };
    await expect(addExample(db, { ...base, label: 'full' as never, embedding: emb(1) })).rejects.toMatchObject({ field: 'label' });
    await expect(addExample(db, { ...base, label: 'normal', embedding: emb() })).rejects.toMatchObject({ field: 'model' });
  });
});
