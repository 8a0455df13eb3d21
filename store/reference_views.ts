import type { ReferencePicture } from '../align/aligner.js';
import { audit } from './audit.js';
import type { Db } from './db.js';

/**
 * Reference views (table `reference_views`): what each camera (each PTZ preset) showed when its zones were
 * drawn. Workers get them with the camera's spec and check every sample against them (align/).
 */
export interface ReferenceViewInfo {
  id: string;
  cameraId: string;
  /** Empty for a fixed camera. */
  preset: string;
  width: number;
  height: number;
  takenBy: string;
  takenAt: string;
}

interface Row {
  id: string | number;
  camera_id: string;
  preset: string;
  width: number;
  height: number;
  taken_by: string;
  taken_at: Date | string;
}

const toInfo = (r: Row): ReferenceViewInfo => ({
  id: String(r.id),
  cameraId: r.camera_id,
  preset: r.preset,
  width: r.width,
  height: r.height,
  takenBy: r.taken_by,
  takenAt: (r.taken_at instanceof Date ? r.taken_at : new Date(r.taken_at)).toISOString(),
});

const COLUMNS = 'id, camera_id, preset, width, height, taken_by, taken_at';

/** Takes (or retakes) the reference view of a camera's preset: a new id, so every worker re-describes it. */
export async function saveReferenceView(
  db: Db,
  v: { cameraId: string; preset?: string; jpeg: Buffer; width: number; height: number; actor: string },
): Promise<ReferenceViewInfo> {
  return db.tx(async (t) => {
    await t.query('DELETE FROM reference_views WHERE camera_id = $1 AND preset = $2', [v.cameraId, v.preset ?? '']);
    const [row] = await t.query<Row>(
      `INSERT INTO reference_views (camera_id, preset, jpeg, width, height, taken_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [v.cameraId, v.preset ?? '', v.jpeg, v.width, v.height, v.actor],
    );
    const info = toInfo(row!);
    await audit(t, { actor: v.actor, entity: 'reference_view', entityId: info.id, action: 'taken', data: { cameraId: v.cameraId, preset: info.preset } });
    return info;
  });
}

export async function listReferenceViews(db: Db, cameraId: string): Promise<ReferenceViewInfo[]> {
  return (await db.query<Row>(`SELECT ${COLUMNS} FROM reference_views WHERE camera_id = $1 ORDER BY preset`, [cameraId])).map(toInfo);
}

export async function referenceViewJpeg(db: Db, cameraId: string, preset = ''): Promise<Buffer | undefined> {
  const [row] = await db.query<{ jpeg: Uint8Array }>('SELECT jpeg FROM reference_views WHERE camera_id = $1 AND preset = $2', [cameraId, preset]);
  return row ? Buffer.from(row.jpeg) : undefined;
}

/** The camera's reference views as workers take them (published with its spec). */
export async function referencePictures(db: Db, cameraId: string): Promise<ReferencePicture[]> {
  const rows = await db.query<{ id: string | number; preset: string; jpeg: Uint8Array }>('SELECT id, preset, jpeg FROM reference_views WHERE camera_id = $1 ORDER BY preset', [cameraId]);
  return rows.map((r) => ({ id: String(r.id), ...(r.preset ? { preset: r.preset } : {}), jpegBase64: Buffer.from(r.jpeg).toString('base64') }));
}
