import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { cameraSchema } from '../../config/schema.js';
import { createCamera, deleteCamera, getCamera, importCameras, listCameras, notFound, replaceCamera, type CameraInput, type StoredCamera } from '../../store/cameras.js';
import { redactText, redactUrl } from '../../streams/redact.js';
import { actor, ANYONE, CAMERA_WRITERS } from '../auth.js';
import { parseCameraFile, parseCameraList, type RowError, type ValidRow } from '../camera_rows.js';
import { bodyInput } from '../limits.js';
import { decodeCursor, pageOf, pageQuery, paginate } from '../pagination.js';
import { HttpProblem, problem } from '../problem.js';
import type { CameraHealth } from '../../streams/health.js';
import { referenceOnZoneSave } from '../reference_pictures.js';
import type { ApiDeps } from '../server.js';
import { checkApiCameraUrl, dropMovedCredentials } from '../url_policy.js';
import { expectedRevision, ifMatchHeaders, sendEtag } from '../revision.js';
import type { LiveView } from '../live.js';
import { cameraView as baseView, cameraViewSchema, viewState, viewStateSchema } from '../views.js';

export const cameraIdParams = z.object({ id: z.string().regex(/^[a-z0-9-]{1,64}$/, 'camera id uses only a-z, 0-9 and - (at most 64)') });

/** Any JSON value: a PATCH field is checked after merging, against the full camera schema. */
const patchSchema = z
  .strictObject(
    Object.fromEntries(
      Object.keys(cameraSchema.shape)
        .filter((k) => k !== 'id')
        .map((k) => [k, z.json().optional().describe(`as in POST /cameras; null removes an optional field`)]),
    ),
  )
  .describe('JSON merge patch (RFC 7396) of the camera: only the fields given change');

const importBody = z.union([
  z.strictObject({ cameras: z.array(z.json()).min(1).describe('cameras as POST /cameras takes them') }),
  z.strictObject({ format: z.enum(['csv', 'json', 'yaml']), content: z.string().min(1).describe('the file, as text') }),
]);

const rowErrorSchema = z.object({ row: z.number().int(), line: z.number().int().optional(), field: z.string(), message: z.string() });

const importResult = z.object({
  dry_run: z.boolean().describe('true: nothing was written; created and updated say what the import would do'),
  created: z.array(z.string()),
  updated: z.array(z.string()),
  errors: z.array(rowErrorSchema).describe('rows not applied, each with the field at fault; the other rows were applied'),
});

export async function cameraRoutes(app: FastifyInstance, deps: ApiDeps, live?: LiveView): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;
  const changed = () => deps.onCamerasChanged?.();
  const tags = ['cameras'];
  const cameraView = (s: StoredCamera) => baseView(s, live?.url(s.camera.id) ?? null);

  r.get('/cameras', {
    config: { roles: ANYONE },
    schema: {
      tags,
      summary: 'List cameras',
      querystring: z.strictObject({
        ...pageQuery,
        enabled: z.enum(['true', 'false']).optional(),
        q: z.string().max(200).optional().describe('only cameras whose id, name or address contains this text'),
      }),
      response: { 200: pageOf(cameraViewSchema) },
    },
    handler: async (req) => {
      const after = decodeCursor(req.query.cursor, z.string());
      const enabled = req.query.enabled === undefined ? undefined : req.query.enabled === 'true';
      const rows = await listCameras(db, { after, limit: req.query.limit + 1, enabled, search: req.query.q || undefined });
      const page = paginate(rows, req.query.limit, (c) => c.camera.id);
      return { items: page.items.map(cameraView), next_cursor: page.next_cursor };
    },
  });

  r.post('/cameras', {
    config: { roles: CAMERA_WRITERS },
    schema: { tags, summary: 'Register a camera', body: cameraSchema, response: { 201: cameraViewSchema } },
    handler: async (req, reply) => {
      await checkApiCameraUrl(deps.config, req.body.url);
      await createCamera(db, bodyInput<CameraInput>(req), 'api', actor(req));
      if (req.body.zones.length) await referenceOnZoneSave(deps, req.body.id, actor(req), req.body.zones);
      changed();
      return reply.code(201).send(cameraView((await getCamera(db, req.body.id))!));
    },
  });

  r.get('/cameras/:id', {
    config: { roles: ANYONE },
    schema: { tags, summary: 'One camera (ETag: its revision)', params: cameraIdParams, response: { 200: cameraViewSchema } },
    handler: async (req, reply) => {
      const cam = await getCamera(db, req.params.id);
      if (!cam) throw notFound('camera', req.params.id);
      sendEtag(reply, cam.revision);
      return cameraView(cam);
    },
  });

  r.patch('/cameras/:id', {
    config: { roles: CAMERA_WRITERS },
    schema: { tags, summary: 'Change a camera (merge patch)', params: cameraIdParams, headers: ifMatchHeaders, body: patchSchema, response: { 200: cameraViewSchema } },
    handler: async (req, reply) => {
      const cam = await getCamera(db, req.params.id);
      if (!cam) throw notFound('camera', req.params.id);
      const next = mergePatch(cam.input, req.body);
      dropMovedCredentials(cam.input, next, req.body);
      if (next.url !== cam.input.url) await checkApiCameraUrl(deps.config, next.url);
      // Without If-Match, the revision the patch was merged onto: a write in between is not lost.
      await replaceCamera(db, next, 'api', actor(req), { expectRevision: expectedRevision(req.headers) ?? cam.revision });
      if (req.body.zones && next.zones?.length) await referenceOnZoneSave(deps, req.params.id, actor(req), next.zones);
      changed();
      const saved = (await getCamera(db, req.params.id))!;
      sendEtag(reply, saved.revision);
      return cameraView(saved);
    },
  });

  r.delete('/cameras/:id', {
    config: { roles: CAMERA_WRITERS },
    schema: { tags, summary: 'Remove a camera and its zones', params: cameraIdParams, headers: ifMatchHeaders, response: { 204: z.null().describe('removed') } },
    handler: async (req, reply) => {
      await deleteCamera(db, req.params.id, actor(req), { expectRevision: expectedRevision(req.headers) });
      changed();
      return reply.code(204).send(null);
    },
  });

  r.post('/cameras/import', {
    config: { roles: CAMERA_WRITERS, bodyLimits: { maxArray: 100_000, maxString: 50_000_000 } },
    bodyLimit: 50 * 1024 * 1024,
    schema: {
      tags,
      summary: 'Register many cameras at once',
      description:
        'Each row is validated on its own; valid rows are applied in one transaction (each camera whole or not at all) and invalid ones reported with row, line and field. ' +
        'mode=upsert (default) replaces API-managed cameras with the same id; mode=create refuses them. Cameras defined in the configuration file are never changed. ' +
        'dry_run=true checks every row and answers what would be created and updated, writing nothing.',
      querystring: z.object({
        mode: z.enum(['upsert', 'create']).default('upsert'),
        dry_run: z.enum(['true', 'false']).default('false').describe('true: check only, write nothing'),
      }),
      body: importBody,
      response: { 200: importResult },
    },
    handler: async (req) => {
      const body = req.body;
      const parsed = 'cameras' in body ? parseCameraList(body.cameras) : parseCameraFile(body.content, body.format);
      const valid: ValidRow[] = [];
      for (const row of parsed.valid) {
        try {
          await checkApiCameraUrl(deps.config, row.camera.url);
          valid.push(row);
        } catch (e) {
          parsed.errors.push({ row: row.row, line: row.line, field: 'url', message: (e as Error).message });
        }
      }
      if (!valid.length) throw importProblem(parsed.errors);
      const dryRun = req.query.dry_run === 'true';
      const outcome = await importCameras(
        db,
        valid.map((v) => v.camera),
        actor(req),
        req.query.mode,
        { dryRun },
      );
      const rejected: RowError[] = outcome.rejected.map((x) => ({ row: valid[x.index]!.row, line: valid[x.index]!.line, field: x.field, message: x.message }));
      const errors = [...parsed.errors, ...rejected].sort((a, b) => a.row - b.row);
      if (outcome.created.length + outcome.updated.length === 0) throw importProblem(errors);
      if (!dryRun) changed();
      return { dry_run: dryRun, created: outcome.created, updated: outcome.updated, errors };
    },
  });

  r.get('/cameras/:id/snapshot', {
    config: { roles: ANYONE },
    schema: {
      tags,
      summary: 'Latest frame (JPEG)',
      params: cameraIdParams,
      produces: ['image/jpeg'],
      response: { 200: z.any().describe('image/jpeg') },
    },
    handler: async (req, reply) => {
      if (!(await getCamera(db, req.params.id))) throw notFound('camera', req.params.id);
      const jpeg = await deps.snapshot?.(req.params.id);
      if (!jpeg) {
        throw new HttpProblem(problem(404, 'no_frame', `camera "${req.params.id}" has no frame yet`, { fix: 'wait for its first sample, or check GET /cameras/{id}/health' }));
      }
      return reply.type('image/jpeg').header('cache-control', 'no-store').send(jpeg);
    },
  });

  r.get('/cameras/:id/health', {
    config: { roles: ANYONE },
    schema: {
      tags,
      summary: 'Camera health (streams) and whether it shows its reference view',
      params: cameraIdParams,
      response: {
        200: z
          .looseObject({ camera_id: z.string(), state: z.string(), view: viewStateSchema.optional() })
          .describe('streams health: state online | degraded | offline | auth_failed | unsupported | unknown; view: present once the camera has been checked against a reference view'),
      },
    },
    handler: async (req) => {
      if (!(await getCamera(db, req.params.id))) throw notFound('camera', req.params.id);
      const [health, view] = await Promise.all([deps.health?.(req.params.id), deps.view?.(req.params.id)]);
      return { camera_id: req.params.id, state: 'unknown', ...(health && healthView(health)), ...(view ? { view: viewState(req.params.id, view) } : {}) };
    },
  });
}

/**
 * streams' CameraHealth in the API's spelling: snake_case keys, times (`lastFrameAt`, `failingSince`,
 * `retryAt`: epoch ms) as ISO text, errors redacted once more.
 */
function healthView(h: CameraHealth): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(h).map(([k, v]) => {
      const key = k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      if (typeof v === 'number' && /(At|Since)$/.test(k)) return [key, new Date(v).toISOString()];
      if (typeof v === 'string') return [key, redactText(v)];
      return [key, v];
    }),
  );
}

function importProblem(errors: RowError[]): HttpProblem {
  return new HttpProblem(
    problem(400, 'import_failed', `no camera was imported: ${errors.length} error(s), first: row ${errors[0]?.row}${errors[0]?.line ? ` (line ${errors[0].line})` : ''}: ${errors[0]?.field}: ${errors[0]?.message}`, {
      field: errors[0]?.field,
      errors: errors.map((e) => ({ field: e.field, in: 'body', message: e.message, row: e.row, line: e.line })),
    }),
  );
}

/**
 * RFC 7396 merge patch on the camera as written (the store validates the result). The redacted URL
 * that GET returns, sent back unchanged, keeps the stored URL with its credentials.
 */
function mergePatch(current: CameraInput, patch: Record<string, unknown>): CameraInput {
  const next = applyMergePatch(current, patch) as CameraInput;
  next.id = current.id;
  if (typeof patch.url === 'string' && patch.url === redactUrl(current.url)) next.url = current.url;
  return next;
}

function applyMergePatch(target: unknown, patch: unknown): unknown {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (v !== undefined) out[k] = applyMergePatch(out[k], v);
  }
  return out;
}
