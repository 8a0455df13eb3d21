import { WeisuError } from '../core/errors.js';
import type { BinLabel, CalibrationSet } from '../rules/calibration.js';
import { audit } from './audit.js';
import type { Db } from './db.js';

/**
 * Calibration examples of bin sites (table `calibration_examples`): what operators labelled, with the
 * embedding the judging model gives the crop. The rules read them as one `CalibrationSet` per site.
 */
export interface CalibrationExample {
  id: number;
  cameraId: string;
  zoneId: string;
  label: BinLabel;
  model: string;
  source?: string;
  createdBy: string;
  createdAt: string;
}

export interface NewExample {
  cameraId: string;
  zoneId: string;
  label: BinLabel;
  model: string;
  embedding: Float32Array;
  /** JPEG of the crop. */
  crop: Buffer;
  source?: string;
  actor: string;
}

interface Row {
  id: string | number;
  camera_id: string;
  zone_id: string;
  label: BinLabel;
  model: string;
  source: string | null;
  created_by: string;
  created_at: Date | string;
}

const toExample = (r: Row): CalibrationExample => ({
  id: Number(r.id),
  cameraId: r.camera_id,
  zoneId: r.zone_id,
  label: r.label,
  model: r.model,
  ...(r.source ? { source: r.source } : {}),
  createdBy: r.created_by,
  createdAt: (r.created_at instanceof Date ? r.created_at : new Date(r.created_at)).toISOString(),
});

const LABELS: readonly string[] = ['normal', 'overflowing'];

export async function addExample(db: Db, e: NewExample): Promise<CalibrationExample> {
  if (!LABELS.includes(e.label)) throw new WeisuError('bad_label', `label "${e.label}" is not normal or overflowing`, { field: 'label', fix: 'label a crop normal or overflowing' });
  if (!e.embedding.length) throw new WeisuError('no_embedding', `model ${e.model} gives no embedding: it cannot calibrate a site`, { field: 'model', fix: 'use a classifier whose manifest has an embedding output' });
  const bytes = Buffer.from(e.embedding.buffer, e.embedding.byteOffset, e.embedding.byteLength);
  return db.tx(async (t) => {
    const [row] = await t.query<Row>(
      `INSERT INTO calibration_examples (camera_id, zone_id, label, model, embedding, crop, source, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       RETURNING id, camera_id, zone_id, label, model, source, created_by, created_at`,
      [e.cameraId, e.zoneId, e.label, e.model, bytes, e.crop, e.source ?? null, e.actor],
    );
    const ex = toExample(row!);
    await audit(t, { actor: e.actor, entity: 'calibration_example', entityId: String(ex.id), action: 'labelled', data: { cameraId: e.cameraId, zoneId: e.zoneId, label: e.label, model: e.model } });
    return ex;
  });
}

export async function listExamples(db: Db, cameraId: string, zoneId?: string): Promise<CalibrationExample[]> {
  const rows = await db.query<Row>(
    `SELECT id, camera_id, zone_id, label, model, source, created_by, created_at FROM calibration_examples
     WHERE camera_id = $1 AND ($2::text IS NULL OR zone_id = $2) ORDER BY zone_id, id`,
    [cameraId, zoneId ?? null],
  );
  return rows.map(toExample);
}

/** The JPEG an example was made from, or undefined if there is no such example. */
export async function exampleCrop(db: Db, id: number): Promise<Buffer | undefined> {
  const [row] = await db.query<{ crop: Uint8Array }>('SELECT crop FROM calibration_examples WHERE id = $1', [id]);
  return row ? Buffer.from(row.crop) : undefined;
}

export async function removeExample(db: Db, id: number, actor: string): Promise<boolean> {
  return db.tx(async (t) => {
    const gone = await t.query<Row>('DELETE FROM calibration_examples WHERE id = $1 RETURNING id, camera_id, zone_id, label, model, source, created_by, created_at', [id]);
    if (gone[0]) await audit(t, { actor, entity: 'calibration_example', entityId: String(id), action: 'removed', data: { cameraId: gone[0].camera_id, zoneId: gone[0].zone_id, label: gone[0].label } });
    return gone.length > 0;
  });
}

function floats(bytes: Uint8Array): Float32Array {
  // Copy: the driver's buffer may not be 4-byte aligned.
  const copy = new Uint8Array(bytes);
  return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
}

/** The camera's labelled embeddings by zone, for the model that judges them (examples of other models are ignored). */
export async function calibrationSets(db: Db, cameraId: string, model: string): Promise<Record<string, CalibrationSet>> {
  const rows = await db.query<{ zone_id: string; label: BinLabel; embedding: Uint8Array }>(
    'SELECT zone_id, label, embedding FROM calibration_examples WHERE camera_id = $1 AND model = $2 ORDER BY id',
    [cameraId, model],
  );
  const sets: Record<string, CalibrationSet> = {};
  for (const r of rows) {
    const set = (sets[r.zone_id] ??= { normal: [], overflowing: [] });
    set[r.label].push(floats(r.embedding));
  }
  return sets;
}
