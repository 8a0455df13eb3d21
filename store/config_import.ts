import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { expandEnv, loadConfig } from '../config/load.js';
import { log } from '../core/log.js';
import { audit } from './audit.js';
import { auditView, createCamera, deleteCamera, getCamera, parseCamera, specOf, writeZones, type CameraInput } from './cameras.js';
import type { Db } from './db.js';

/**
 * Config-as-code: the cameras and zones of the YAML file are imported into the store on every start.
 *
 * Which one wins — the file, for what the file defines:
 * - A camera listed in the file is `managed_by: config`. Its settings and the zones the file gives it
 *   are overwritten from the file on every start, and the API refuses to change or delete them (409).
 * - Zones added through the API to a config-managed camera are `managed_by: api` and persist, unless the
 *   file later defines a zone with the same id: then the file's zone replaces it.
 * - A camera created through the API (or a bulk import) is `managed_by: api` and persists. If the file
 *   later lists the same id, the file takes it over (logged as a warning) and it becomes read-only.
 * - A config-managed camera no longer in the file is deleted with its zones (API-added ones included).
 */
export interface ConfigImportResult {
  created: string[];
  updated: string[];
  unchanged: string[];
  removed: string[];
  /** API-managed cameras the file now defines. */
  tookOver: string[];
}

const ACTOR = 'config';

/** JSON with sorted keys, so stored (jsonb) and fresh values compare by content. */
function canonical(value: unknown): string {
  return JSON.stringify(JSON.parse(JSON.stringify(value ?? null)), (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

/**
 * The cameras of a config file as written (durations as text), which is the form the store keeps.
 * The file is validated by loadConfig first (same errors as everywhere else); URLs are taken from it,
 * already resolved against the file's folder.
 */
export function readConfigCameras(path: string, env: NodeJS.ProcessEnv = process.env): CameraInput[] {
  const parsed = loadConfig(path, env);
  const doc = expandEnv(parseYaml(readFileSync(path, 'utf8')) ?? {}, env) as { cameras?: CameraInput[] };
  return (doc.cameras ?? []).map((c, i) => ({ ...c, url: parsed.cameras[i]!.url }));
}

/** Imports the cameras of the config file at `path` (what `weisu serve` does on start). */
export async function importConfigFile(db: Db, path: string, env: NodeJS.ProcessEnv = process.env): Promise<ConfigImportResult> {
  return importConfigCameras(db, readConfigCameras(path, env));
}

export async function importConfigCameras(db: Db, inputs: CameraInput[]): Promise<ConfigImportResult> {
  const result: ConfigImportResult = { created: [], updated: [], unchanged: [], removed: [], tookOver: [] };
  const cameras = inputs.map((c, i) => ({ ...c, zones: c.zones ?? [], parsed: parseCamera(c, `cameras[${i}]`) }));
  await db.tx(async (t) => {
    for (const { parsed, ...cam } of cameras) {
      const current = await getCamera(t, cam.id);
      if (!current) {
        await createCamera(t, cam, 'config', ACTOR);
        result.created.push(cam.id);
        continue;
      }
      const fileZones = (current.input.zones ?? []).filter((z) => current.zoneManagedBy[z.id] === 'config');
      const same =
        current.managedBy === 'config' && canonical(specOf(current.input)) === canonical(specOf(cam)) && canonical(fileZones) === canonical(cam.zones);
      if (same) {
        result.unchanged.push(cam.id);
        continue;
      }
      if (current.managedBy === 'api') {
        log.warn({ camera: cam.id }, 'camera created through the API is now defined in the configuration file: the file wins, it is read-only in the API');
        result.tookOver.push(cam.id);
      } else {
        result.updated.push(cam.id);
      }
      await t.query("UPDATE cameras SET spec = $2, enabled = $3, managed_by = 'config', revision = revision + 1, updated_at = now() WHERE id = $1", [
        cam.id,
        JSON.stringify(specOf(cam)),
        parsed.enabled,
      ]);
      await t.query("DELETE FROM zones WHERE camera_id = $1 AND managed_by = 'config' AND NOT (id = ANY($2))", [cam.id, cam.zones.map((z) => z.id)]);
      await writeZones(t, cam.id, cam.zones, 'config');
      // The file's zones first, in file order; zones added through the API after them.
      await t.query(
        `UPDATE zones z SET position = $2 + r.rn FROM
           (SELECT id, row_number() OVER (ORDER BY position, id) AS rn FROM zones WHERE camera_id = $1 AND managed_by = 'api') r
         WHERE z.camera_id = $1 AND z.id = r.id`,
        [cam.id, cam.zones.length],
      );
      await audit(t, { actor: ACTOR, entity: 'camera', entityId: cam.id, action: 'imported', data: auditView(parsed) });
    }
    const stale = await t.query<{ id: string }>("SELECT id FROM cameras WHERE managed_by = 'config' AND NOT (id = ANY($1)) ORDER BY id", [
      cameras.map((c) => c.id),
    ]);
    for (const { id } of stale) {
      await deleteCamera(t, id, ACTOR, { force: true });
      result.removed.push(id);
    }
  });
  return result;
}
