import type { z } from 'zod';
import { toConfigError } from '../config/load.js';
import { cameraSchema, type CameraConfig } from '../config/schema.js';
import { WeisuError } from '../core/errors.js';
import { log } from '../core/log.js';
import { zoneSchema } from '../rules/schema.js';
import { audit } from './audit.js';
import type { Db } from './db.js';
import { asZoneMask, masksOf, type StoredMask } from './zone_masks.js';

/**
 * Cameras and zones. What is stored is the camera as written (the input form of config/schema.ts
 * `cameraSchema`: durations as `5m`, schedules as text), validated on the way in; reads parse it again,
 * so a camera from here is exactly what the same camera in the YAML file would be, and the API can
 * show it back in the form it was written.
 *
 * Ownership (`managed_by`): `config` rows come from the YAML file (store/config_import.ts) and the API may
 * not change them; `api` rows were created through the API or a bulk import and persist across restarts.
 * A zone has its own owner, so operators may add zones to a config-managed camera.
 */
export type ManagedBy = 'config' | 'api';
export type CameraInput = z.input<typeof cameraSchema>;
export type ZoneInput = z.input<typeof zoneSchema>;

export interface StoredCamera {
  /** As written, zones included (secrets included: never show it unfiltered). */
  input: CameraInput;
  /** Parsed: what workers and the scheduler use. */
  camera: CameraConfig;
  managedBy: ManagedBy;
  /** Owner of each zone, by zone id. */
  zoneManagedBy: Record<string, ManagedBy>;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

interface CameraRow {
  id: string;
  spec: Omit<CameraInput, 'zones'>;
  managed_by: ManagedBy;
  revision: number;
  created_at: Date | string;
  updated_at: Date | string;
}

interface ZoneRow {
  camera_id: string;
  id: string;
  spec: ZoneInput;
  managed_by: ManagedBy;
}

/** Validates a camera as written; the error names each field at fault. */
export function parseCamera(input: unknown, what = 'camera'): CameraConfig {
  const parsed = cameraSchema.safeParse(input);
  if (!parsed.success) throw toConfigError(parsed.error, what, input);
  return parsed.data;
}

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();

export function notFound(what: string, id: string, field = 'id'): WeisuError {
  return new WeisuError('not_found', `${what} "${id}" does not exist`, { field, fix: `check the ${what} id (GET the list to see the existing ones)` });
}

function managedByConfig(what: string, id: string): WeisuError {
  return new WeisuError('managed_by_config', `${what} "${id}" is defined in the configuration file and cannot be changed through the API`, {
    field: 'id',
    fix: 'edit it in the YAML configuration (it is re-imported on every start), or remove it there to manage it through the API',
  });
}

/** Rows → cameras with their zones in position order. */
async function assemble(db: Db, rows: CameraRow[]): Promise<StoredCamera[]> {
  if (!rows.length) return [];
  const zones = await db.query<ZoneRow>('SELECT camera_id, id, spec, managed_by FROM zones WHERE camera_id = ANY($1) ORDER BY camera_id, position, id', [
    rows.map((r) => r.id),
  ]);
  const masks = await masksOf(db, rows.map((r) => r.id));
  const byCamera = new Map<string, ZoneRow[]>();
  for (const z of zones) byCamera.set(z.camera_id, [...(byCamera.get(z.camera_id) ?? []), z]);
  return rows.flatMap((r) => {
    const own = byCamera.get(r.id) ?? [];
    const input = { ...r.spec, id: r.id, zones: own.map((z) => z.spec) };
    let camera: CameraConfig;
    try {
      camera = withMasks(parseCamera(input, `stored camera ${r.id}`), masks);
    } catch (e) {
      // Only after a schema change without a data migration; one bad row must not stop every camera.
      log.error({ camera: r.id, err: e instanceof WeisuError ? e.describe() : String(e) }, 'stored camera no longer valid: skipped');
      return [];
    }
    return {
      input,
      camera,
      managedBy: r.managed_by,
      zoneManagedBy: Object.fromEntries(own.map((z) => [z.id, z.managed_by])),
      revision: r.revision,
      createdAt: iso(r.created_at),
      updatedAt: iso(r.updated_at),
    };
  });
}

/**
 * The camera with operators' stored masks added to its no-parking zones (after the ones its spec writes):
 * how a "not a vehicle" verdict reaches the workers. `input` stays as written, so masks are never copied
 * into a zone's spec.
 */
function withMasks(camera: CameraConfig, masks: StoredMask[]): CameraConfig {
  const mine = masks.filter((m) => m.cameraId === camera.id);
  if (!mine.length) return camera;
  return {
    ...camera,
    zones: camera.zones.map((z) => {
      const extra = mine.filter((m) => m.zoneId === z.id).map(asZoneMask);
      return z.kind === 'no_parking' && extra.length ? { ...z, masks: [...z.masks, ...extra] } : z;
    }),
  };
}

const CAMERA_COLUMNS = 'id, spec, managed_by, revision, created_at, updated_at';

export interface CameraPage {
  /** Only cameras whose id sorts after this one (cursor pagination). */
  after?: string;
  limit: number;
  enabled?: boolean;
  /** Text the id, name or address contains (case-insensitive). */
  search?: string;
}

/** One page in id order; ask for limit + 1 to know whether there is a next page. */
export async function listCameras(db: Db, page: CameraPage): Promise<StoredCamera[]> {
  const rows = await db.query<CameraRow>(
    `SELECT ${CAMERA_COLUMNS} FROM cameras WHERE ($1::text IS NULL OR id > $1) AND ($2::boolean IS NULL OR enabled = $2)
       AND ($4::text IS NULL OR id ILIKE $4 OR spec ->> 'name' ILIKE $4 OR spec -> 'location' ->> 'address' ILIKE $4)
     ORDER BY id LIMIT $3`,
    [page.after ?? null, page.enabled ?? null, page.limit, page.search ? `%${page.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null],
  );
  return assemble(db, rows);
}

/** Every camera, as the scheduler and workers need them, with who manages it (workers judge URLs by origin). */
export async function allCameras(db: Db): Promise<(CameraConfig & { managed_by: ManagedBy })[]> {
  const rows = await db.query<CameraRow>(`SELECT ${CAMERA_COLUMNS} FROM cameras ORDER BY id`);
  return (await assemble(db, rows)).map((s) => ({ ...s.camera, managed_by: s.managedBy }));
}

export async function getCamera(db: Db, id: string): Promise<StoredCamera | undefined> {
  const rows = await db.query<CameraRow>(`SELECT ${CAMERA_COLUMNS} FROM cameras WHERE id = $1`, [id]);
  return (await assemble(db, rows))[0];
}

/**
 * Inside a transaction: locks the camera's row (concurrent writers of one camera go one at a time) and
 * reads it; with `expectRevision` (HTTP If-Match), refuses when someone changed it since the caller read it.
 */
async function lockCamera(t: Db, id: string, expectRevision?: number): Promise<StoredCamera> {
  const [row] = await t.query<{ revision: number }>('SELECT revision FROM cameras WHERE id = $1 FOR UPDATE', [id]);
  if (!row) throw notFound('camera', id);
  if (expectRevision !== undefined && row.revision !== expectRevision) {
    throw new WeisuError('stale', `camera "${id}" is at revision ${row.revision}, not ${expectRevision}: someone changed it meanwhile`, {
      field: 'if-match',
      fix: 'reload the camera, apply your change again and resend it with the new revision',
    });
  }
  const cam = await getCamera(t, id);
  if (!cam) throw notFound('camera', id);
  return cam;
}

/** Optimistic concurrency for one write: the revision the caller last read (If-Match). */
export interface WriteGuard {
  expectRevision?: number;
}

export function specOf(cam: CameraInput): Omit<CameraInput, 'zones'> {
  const { zones: _zones, ...spec } = cam;
  return spec;
}

/** What the audit trail may record of a camera: never its password, never its raw URL. */
export function auditView(cam: CameraConfig): Record<string, unknown> {
  return { name: cam.name, enabled: cam.enabled, location: cam.location, zones: cam.zones.map((z) => z.id) };
}

export async function writeZones(db: Db, cameraId: string, zones: ZoneInput[], managedBy: ManagedBy): Promise<void> {
  for (const [position, z] of zones.entries()) {
    await db.query(
      `INSERT INTO zones (camera_id, id, kind, spec, managed_by, position) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (camera_id, id) DO UPDATE SET kind = EXCLUDED.kind, spec = EXCLUDED.spec, managed_by = EXCLUDED.managed_by,
         position = EXCLUDED.position, updated_at = now()`,
      [cameraId, z.id, z.kind, JSON.stringify(z), managedBy, position],
    );
  }
}

/** A new camera; fails with `conflict` naming the id when it exists. */
export async function createCamera(db: Db, input: CameraInput, managedBy: ManagedBy, actor: string): Promise<void> {
  const cam = { ...input, zones: input.zones ?? [] };
  const parsed = parseCamera(cam);
  await db.tx(async (t) => {
    const inserted = await t.query(
      'INSERT INTO cameras (id, spec, enabled, managed_by) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING RETURNING id',
      [cam.id, JSON.stringify(specOf(cam)), parsed.enabled, managedBy],
    );
    if (!inserted.length) {
      throw new WeisuError('conflict', `camera "${cam.id}" already exists`, { field: 'id', fix: 'choose another id, or PATCH the existing camera' });
    }
    await writeZones(t, cam.id, cam.zones, managedBy);
    await audit(t, { actor, entity: 'camera', entityId: cam.id, action: 'created', data: auditView(parsed) });
  });
}

/**
 * Replaces a camera's settings and all its zones (zones not given are removed). Used by PATCH and by
 * bulk imports that update an API-managed camera.
 */
export async function replaceCamera(db: Db, input: CameraInput, managedBy: ManagedBy, actor: string, guard: WriteGuard = {}): Promise<void> {
  const cam = { ...input, zones: input.zones ?? [] };
  const parsed = parseCamera(cam);
  await db.tx(async (t) => {
    const current = await lockCamera(t, cam.id, guard.expectRevision);
    if (current.managedBy === 'config') throw managedByConfig('camera', cam.id);
    await t.query('UPDATE cameras SET spec = $2, enabled = $3, managed_by = $4, revision = revision + 1, updated_at = now() WHERE id = $1', [
      cam.id,
      JSON.stringify(specOf(cam)),
      parsed.enabled,
      managedBy,
    ]);
    await t.query('DELETE FROM zones WHERE camera_id = $1 AND NOT (id = ANY($2))', [cam.id, cam.zones.map((z) => z.id)]);
    await writeZones(t, cam.id, cam.zones, managedBy);
    await audit(t, { actor, entity: 'camera', entityId: cam.id, action: 'updated', data: auditView(parsed) });
  });
}

/** `force` lets the config import remove the cameras the configuration file no longer lists. */
export async function deleteCamera(db: Db, id: string, actor: string, opts: WriteGuard & { force?: boolean } = {}): Promise<void> {
  await db.tx(async (t) => {
    const current = await lockCamera(t, id, opts.expectRevision);
    if (current.managedBy === 'config' && !opts.force) throw managedByConfig('camera', id);
    await t.query('DELETE FROM cameras WHERE id = $1', [id]);
    await audit(t, { actor, entity: 'camera', entityId: id, action: 'deleted' });
  });
}

/** Creates or replaces one zone of a camera (never one defined in the configuration file). Returns whether it was new. */
export async function putZone(db: Db, cameraId: string, zone: ZoneInput, actor: string, guard: WriteGuard = {}): Promise<'created' | 'updated'> {
  const parsed = zoneSchema.safeParse(zone);
  if (!parsed.success) throw toConfigError(parsed.error, 'zone', zone);
  return db.tx(async (t) => {
    const cam = await lockCamera(t, cameraId, guard.expectRevision);
    const owner = cam.zoneManagedBy[zone.id];
    if (owner === 'config') throw managedByConfig('zone', `${cameraId}/${zone.id}`);
    const position = owner ? cam.camera.zones.findIndex((z) => z.id === zone.id) : cam.camera.zones.length;
    await writeZones(t, cameraId, [zone], 'api');
    await t.query('UPDATE zones SET position = $3 WHERE camera_id = $1 AND id = $2', [cameraId, zone.id, position]);
    await t.query('UPDATE cameras SET revision = revision + 1, updated_at = now() WHERE id = $1', [cameraId]);
    await audit(t, { actor, entity: 'zone', entityId: `${cameraId}/${zone.id}`, action: owner ? 'updated' : 'created', data: zone });
    return owner ? 'updated' : 'created';
  });
}

export async function deleteZone(db: Db, cameraId: string, zoneId: string, actor: string, guard: WriteGuard = {}): Promise<void> {
  await db.tx(async (t) => {
    const cam = await lockCamera(t, cameraId, guard.expectRevision);
    const owner = cam.zoneManagedBy[zoneId];
    if (!owner) throw notFound('zone', `${cameraId}/${zoneId}`, 'zoneId');
    if (owner === 'config') throw managedByConfig('zone', `${cameraId}/${zoneId}`);
    await t.query('DELETE FROM zones WHERE camera_id = $1 AND id = $2', [cameraId, zoneId]);
    await t.query('UPDATE cameras SET revision = revision + 1, updated_at = now() WHERE id = $1', [cameraId]);
    await audit(t, { actor, entity: 'zone', entityId: `${cameraId}/${zoneId}`, action: 'deleted' });
  });
}

export interface ImportOutcome {
  created: string[];
  updated: string[];
  /** Cameras refused as a whole, by their index in the list given. */
  rejected: { index: number; id: string; field: string; message: string }[];
}

/**
 * Bulk import in one transaction: each camera is written whole or not at all, and a database failure
 * leaves nothing written. `upsert` replaces API-managed cameras with the same id; config-managed ones
 * are refused (the file wins).
 */
/** With `dryRun`, the same verdict per camera and nothing written (what `--dry-run` and `dry_run=true` promise). */
export async function importCameras(db: Db, cams: CameraInput[], actor: string, mode: 'upsert' | 'create', opts: { dryRun?: boolean; onProgress?: (done: number, total: number) => void } = {}): Promise<ImportOutcome> {
  const out: ImportOutcome = { created: [], updated: [], rejected: [] };
  await db.tx(async (t) => {
    const existing = new Map(
      (await t.query<{ id: string; managed_by: ManagedBy }>('SELECT id, managed_by FROM cameras WHERE id = ANY($1)', [cams.map((c) => c.id)])).map((r) => [r.id, r.managed_by]),
    );
    for (const [index, cam] of cams.entries()) {
      const owner = existing.get(cam.id);
      if (owner === 'config') {
        out.rejected.push({ index, id: cam.id, field: 'id', message: `camera "${cam.id}" is defined in the configuration file: change it there` });
      } else if (owner && mode === 'create') {
        out.rejected.push({ index, id: cam.id, field: 'id', message: `camera "${cam.id}" already exists (import with mode=upsert to replace it)` });
      } else if (owner) {
        if (!opts.dryRun) await replaceCamera(t, cam, 'api', actor);
        out.updated.push(cam.id);
      } else {
        if (!opts.dryRun) await createCamera(t, cam, 'api', actor);
        out.created.push(cam.id);
      }
      opts.onProgress?.(index + 1, cams.length);
    }
  });
  return out;
}
