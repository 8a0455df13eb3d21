import { WeisuError } from '../core/errors.js';
import type { Mask } from '../rules/schema.js';
import { audit } from './audit.js';
import type { Db } from './db.js';

/** Operators' "not a vehicle" masks per zone (migrations/302_zone_masks.ts). */

export interface StoredMask {
  id: string;
  cameraId: string;
  zoneId: string;
  box: [number, number, number, number];
  note: string | null;
  incidentId: string | null;
  actor: string;
  createdAt: string;
}

interface MaskRow {
  id: string | number;
  camera_id: string;
  zone_id: string;
  box: [number, number, number, number] | string;
  note: string | null;
  incident_id: string | null;
  actor: string;
  created_at: Date | string;
}

const toMask = (r: MaskRow): StoredMask => ({
  id: String(r.id),
  cameraId: r.camera_id,
  zoneId: r.zone_id,
  box: typeof r.box === 'string' ? (JSON.parse(r.box) as StoredMask['box']) : r.box,
  note: r.note,
  incidentId: r.incident_id,
  actor: r.actor,
  createdAt: (r.created_at instanceof Date ? r.created_at : new Date(r.created_at)).toISOString(),
});

/** Adds a mask; one per incident (a second verdict on the same incident is a conflict). */
export async function addMask(db: Db, m: Omit<StoredMask, 'id' | 'createdAt'>): Promise<StoredMask> {
  const rows = await db.query<MaskRow>(
    `INSERT INTO zone_masks (camera_id, zone_id, box, note, incident_id, actor) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (incident_id) WHERE incident_id IS NOT NULL DO NOTHING RETURNING *`,
    [m.cameraId, m.zoneId, JSON.stringify(m.box), m.note, m.incidentId, m.actor],
  );
  if (!rows[0]) throw new WeisuError('conflict', `incident ${m.incidentId} already masks its place`, { field: 'id', fix: 'remove that mask first to undo it' });
  const mask = toMask(rows[0]);
  await audit(db, { actor: m.actor, entity: 'zone', entityId: `${m.cameraId}/${m.zoneId}`, action: 'mask_added', data: { mask: mask.id, box: mask.box, incidentId: m.incidentId } });
  return mask;
}

/** Removes one mask of a zone (undoing a verdict's mask); not found when it is not that zone's. */
export async function removeMask(db: Db, cameraId: string, zoneId: string, id: string, actor: string): Promise<void> {
  const rows = await db.query<MaskRow>('DELETE FROM zone_masks WHERE id = $1 AND camera_id = $2 AND zone_id = $3 RETURNING *', [Number(id), cameraId, zoneId]);
  if (!rows[0]) throw new WeisuError('not_found', `zone ${cameraId}/${zoneId} has no mask ${id}`, { field: 'maskId', fix: 'GET the zone\'s masks to see their ids' });
  await audit(db, { actor, entity: 'zone', entityId: `${cameraId}/${zoneId}`, action: 'mask_removed', data: { mask: id, box: toMask(rows[0]).box } });
}

/** The masks of these cameras' zones, oldest first. */
export async function masksOf(db: Db, cameraIds: string[]): Promise<StoredMask[]> {
  if (!cameraIds.length) return [];
  return (await db.query<MaskRow>('SELECT * FROM zone_masks WHERE camera_id = ANY($1) ORDER BY id', [cameraIds])).map(toMask);
}

/** The mask a verdict on this incident put in place, if any. */
export async function maskOfIncident(db: Db, incidentId: string): Promise<StoredMask | undefined> {
  const rows = await db.query<MaskRow>('SELECT * FROM zone_masks WHERE incident_id = $1', [incidentId]);
  return rows[0] ? toMask(rows[0]) : undefined;
}

/** The mask as a zone carries it (rules/schema.ts). */
export function asZoneMask(m: StoredMask): Mask {
  return { id: m.id, box: m.box, ...(m.note ? { note: m.note } : {}), ...(m.incidentId ? { incident_id: m.incidentId } : {}) };
}
