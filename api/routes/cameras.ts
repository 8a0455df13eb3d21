import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { cameraSchema } from '../../config/schema.js';
import { createCamera, deleteCamera, getCamera, importCameras, listCameras, notFound, replaceCamera, type CameraInput, type StoredCamera } from '../../store/cameras.js';
import type { WeisuError } from '../../core/errors.js';
import { redactUrl } from '../../streams/redact.js';
import { actor, ANYONE, CAMERA_WRITERS } from '../auth.js';
import { parseCameraFile, parseCameraList, type RowError, type RowsFormat, type ValidRow } from '../camera_rows.js';
import { bodyInput } from '../limits.js';
import { decodeCursor, pageOf, pageQuery, paginate } from '../pagination.js';
import { API_PREFIX } from '../paths.js';
import { apiError, HttpProblem, problemIssueSchema, validationProblem } from '../problem.js';
import type { FieldIssue } from '../../core/zod_messages.js';
import { referenceOnZoneSave } from '../reference_pictures.js';
import type { ApiDeps } from '../server.js';
import { checkApiCameraUrl, dropMovedCredentials } from '../url_policy.js';
import { ifMatchHeaders, matchedRevision, sendEtag } from '../revision.js';
import type { LiveView } from '../live.js';
import { cameraHealthSchema, cameraView as baseView, cameraViewSchema, healthView, READ_ONLY } from '../views.js';

export const cameraIdParams = z.object({ id: z.string().regex(/^[a-z0-9-]{1,64}$/, 'camera id uses only a-z, 0-9 and - (at most 64)') });

/** Any JSON value: a PATCH field is checked after merging, against the full camera schema. Read-only fields of the view are ignored, so GET → edit → PATCH works. */
const patchSchema = z
  .strictObject({
    id: z.string().optional().describe('read-only: ignored when it is the camera\'s own id'),
    ...Object.fromEntries(
      Object.keys(cameraSchema.shape)
        .filter((k) => k !== 'id')
        .map((k) => [k, z.unknown().optional().describe('as in POST /cameras; null removes an optional field')]),
    ),
    ...Object.fromEntries(READ_ONLY.map((k) => [k, z.unknown().optional().describe('read-only: ignored')])),
  })
  .describe('JSON merge patch (RFC 7396) of the camera: only the fields given change');

const importBody = z.union([
  z.string().min(1).describe('a CSV (text/csv) or YAML (application/yaml) file, sent as the body itself'),
  z.array(z.unknown()).min(1).describe('cameras as POST /cameras takes them'),
  z.strictObject({ cameras: z.array(z.unknown()).min(1).describe('cameras as POST /cameras takes them') }),
  z.strictObject({ format: z.enum(['csv', 'json', 'yaml']), content: z.string().min(1).describe('the file, as text') }),
]);

const IMPORT_TYPES: Record<string, RowsFormat> = { 'text/csv': 'csv', 'application/yaml': 'yaml', 'application/x-yaml': 'yaml', 'text/yaml': 'yaml' };

const importResult = z
  .strictObject({
    dry_run: z.boolean().describe('true: nothing was written; created and updated say what the import would do'),
    created: z.array(z.string()),
    updated: z.array(z.string()),
    errors: z.array(problemIssueSchema).describe('rows not applied, in the same shape as a failed import\'s problem; the other rows were applied'),
  })
  .meta({ id: 'ImportResult' });

const cameraPage = pageOf(cameraViewSchema, 'CameraPage');
const healthList = z.strictObject({ items: z.array(cameraHealthSchema) }).meta({ id: 'CameraHealthList' });

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
      operationId: 'listCameras', summary: 'List cameras',
      querystring: z.strictObject({
        ...pageQuery,
        enabled: z.enum(['true', 'false']).optional(),
        q: z.string().max(200).optional().describe('only cameras whose id, name or address contains this text'),
      }),
      response: { 200: cameraPage },
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
    config: { roles: CAMERA_WRITERS, errors: ['conflict', 'stream_blocked', 'stream_bad_url'] },
    schema: { tags, operationId: 'createCamera', summary: 'Register a camera', description: 'Answers 201 with Location and ETag.', body: cameraSchema, response: { 201: cameraViewSchema } },
    handler: async (req, reply) => {
      await checkApiCameraUrl(deps.config, req.body.url);
      await createCamera(db, bodyInput<CameraInput>(req), 'api', actor(req));
      if (req.body.zones.length) await referenceOnZoneSave(deps, req.body.id, actor(req), req.body.zones);
      changed();
      const saved = (await getCamera(db, req.body.id))!;
      sendEtag(reply, saved.revision);
      return reply.code(201).header('location', `${API_PREFIX}/cameras/${encodeURIComponent(saved.camera.id)}`).send(cameraView(saved));
    },
  });

  r.get('/cameras/:id', {
    config: { roles: ANYONE },
    schema: { tags, operationId: 'getCamera', summary: 'One camera (ETag: its revision)', params: cameraIdParams, response: { 200: cameraViewSchema } },
    handler: async (req, reply) => {
      const cam = await getCamera(db, req.params.id);
      if (!cam) throw notFound('camera', req.params.id);
      sendEtag(reply, cam.revision);
      return cameraView(cam);
    },
  });

  r.patch('/cameras/:id', {
    config: { roles: CAMERA_WRITERS, errors: ['managed_by_config', 'stream_blocked', 'stream_bad_url'] },
    schema: {
      tags,
      operationId: 'updateCamera',
      summary: 'Change a camera (JSON merge patch)',
      description: 'application/json or application/merge-patch+json (RFC 7396). The camera as GET returned it may be sent back whole: read-only fields are ignored.',
      params: cameraIdParams,
      headers: ifMatchHeaders,
      body: patchSchema,
      response: { 200: cameraViewSchema },
    },
    handler: async (req, reply) => {
      const cam = await getCamera(db, req.params.id);
      if (!cam) throw notFound('camera', req.params.id);
      if (req.body.id !== undefined && req.body.id !== cam.camera.id) {
        throw new HttpProblem(validationProblem('body', [{ field: 'id', code: 'invalid', message: `"${String(req.body.id)}" is not this camera's id`, fix: 'leave id out, or send the camera to its own path' }]));
      }
      const writable = Object.fromEntries(Object.entries(req.body).filter(([k]) => k !== 'id' && !(READ_ONLY as readonly string[]).includes(k)));
      const next = mergePatch(cam.input, writable);
      dropMovedCredentials(cam.input, next, writable);
      if (next.url !== cam.input.url) await checkApiCameraUrl(deps.config, next.url);
      // Without If-Match, the revision the patch was merged onto: a write in between is not lost.
      await replaceCamera(db, next, 'api', actor(req), { expectRevision: matchedRevision(req.headers, `camera "${cam.camera.id}"`, cam.revision) ?? cam.revision });
      if ('zones' in writable && next.zones?.length) await referenceOnZoneSave(deps, req.params.id, actor(req), next.zones);
      changed();
      const saved = (await getCamera(db, req.params.id))!;
      sendEtag(reply, saved.revision);
      return cameraView(saved);
    },
  });

  r.delete('/cameras/:id', {
    config: { roles: CAMERA_WRITERS, errors: ['managed_by_config'] },
    schema: { tags, operationId: 'deleteCamera', summary: 'Remove a camera and its zones', params: cameraIdParams, headers: ifMatchHeaders, response: { 204: z.null().describe('removed') } },
    handler: async (req, reply) => {
      const cam = await getCamera(db, req.params.id);
      if (!cam) throw notFound('camera', req.params.id);
      await deleteCamera(db, req.params.id, actor(req), { expectRevision: matchedRevision(req.headers, `camera "${cam.camera.id}"`, cam.revision) });
      changed();
      return reply.code(204).send(null);
    },
  });

  // CSV and YAML files are taken as the body itself, on this route only.
  await app.register(async (scope) => {
    scope.addContentTypeParser(Object.keys(IMPORT_TYPES), { parseAs: 'string' }, (_req, text, done) => done(null, text));
    scope.withTypeProvider<ZodTypeProvider>().post('/cameras/import', {
      config: { roles: CAMERA_WRITERS, bodyLimits: { maxArray: 100_000, maxString: 50_000_000 }, errors: ['import_failed'] },
      bodyLimit: 50 * 1024 * 1024,
      schema: {
        tags,
        operationId: 'importCameras',
        summary: 'Register many cameras at once',
        description:
          'The body is a CSV file (text/csv), a YAML file (application/yaml), or JSON: a list of cameras, {cameras: [...]}, or {format, content}. ' +
          'Each row is validated on its own; valid rows are applied in one transaction (each camera whole or not at all) and invalid ones reported with row, line and field, ' +
          'in the same shape whether some rows were applied (200, errors) or none (422 import_failed). ' +
          'mode=upsert (default) replaces API-managed cameras with the same id; mode=create refuses them. Cameras defined in the configuration file are never changed. ' +
          'dry_run=true checks every row and answers what would be created and updated, writing nothing.',
        consumes: ['application/json', 'text/csv', 'application/yaml'],
        querystring: z.strictObject({
          mode: z.enum(['upsert', 'create']).default('upsert'),
          dry_run: z.enum(['true', 'false']).default('false').describe('true: check only, write nothing'),
        }),
        body: importBody,
        response: { 200: importResult },
      },
      handler: async (req) => {
        const body = req.body;
        const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        const parsed =
          typeof body === 'string'
            ? parseCameraFile(body, IMPORT_TYPES[type] ?? 'json')
            : Array.isArray(body)
              ? parseCameraList(body)
              : 'cameras' in body
                ? parseCameraList(body.cameras)
                : parseCameraFile(body.content, body.format);
        const valid: ValidRow[] = [];
        for (const row of parsed.valid) {
          try {
            await checkApiCameraUrl(deps.config, row.camera.url);
            valid.push(row);
          } catch (e) {
            parsed.errors.push({ row: row.row, line: row.line, field: 'url', code: 'not_allowed', message: (e as Error).message, fix: (e as WeisuError).fix });
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
        return { dry_run: dryRun, created: outcome.created, updated: outcome.updated, errors: validationProblem('body', errors.map(asIssue)).errors };
      },
    });
  });

  r.get('/cameras/:id/snapshot', {
    config: { roles: ANYONE },
    schema: {
      tags,
      operationId: 'getCameraSnapshot', summary: 'Latest frame (JPEG)',
      params: cameraIdParams,
      produces: ['image/jpeg'],
      response: { 200: z.any().describe('image/jpeg') },
    },
    handler: async (req, reply) => {
      if (!(await getCamera(db, req.params.id))) throw notFound('camera', req.params.id);
      const jpeg = await deps.snapshot?.(req.params.id);
      if (!jpeg) {
        throw apiError('no_frame', `camera "${req.params.id}" has no frame yet`);
      }
      return reply.type('image/jpeg').header('cache-control', 'no-store').send(jpeg);
    },
  });

  /** A camera's health as the workers recorded it, with whether it shows its reference view. */
  const healthOf = async (id: string) => healthView(id, ...(await Promise.all([deps.health?.(id), deps.view?.(id)])));

  r.get('/cameras/health', {
    config: { roles: ANYONE },
    schema: {
      tags,
      operationId: 'listCameraHealth',
      summary: 'Health of every camera, in one call (the camera wall)',
      description: 'One item per camera, in id order; state unknown for a camera not sampled yet.',
      response: { 200: healthList },
    },
    handler: async () => {
      const ids: string[] = [];
      for (let after: string | undefined, page: StoredCamera[]; (page = await listCameras(db, { after, limit: 1000 })).length; after = page.at(-1)!.camera.id) ids.push(...page.map((c) => c.camera.id));
      return { items: await Promise.all(ids.map(healthOf)) };
    },
  });

  r.get('/cameras/:id/health', {
    config: { roles: ANYONE },
    schema: { tags, operationId: 'getCameraHealth', summary: 'Camera health (streams) and whether it shows its reference view', params: cameraIdParams, response: { 200: cameraHealthSchema } },
    handler: async (req) => {
      if (!(await getCamera(db, req.params.id))) throw notFound('camera', req.params.id);
      return healthOf(req.params.id);
    },
  });
}

function importProblem(errors: RowError[]): HttpProblem {
  return new HttpProblem(validationProblem('body', errors.map(asIssue), 'import_failed'));
}

/** A row error in the problem's one issue shape (the same for a partly and a wholly failed import). */
function asIssue(e: RowError): Omit<FieldIssue, 'path'> & { row: number; line?: number } {
  return { field: e.field, code: e.code ?? 'invalid', message: e.message, limit: e.limit, fix: e.fix ?? 'correct the row, then import it again', row: e.row, line: e.line };
}

/**
 * RFC 7396 merge patch on the camera as written (the store validates the result). The redacted URL
 * that GET returns, sent back unchanged, keeps the stored URL with its credentials.
 */
function mergePatch(current: CameraInput, patch: Record<string, unknown>): CameraInput {
  // The view's onvif.has_password is read-only too: a camera sent back as read keeps its ONVIF password.
  if (isObject(patch.onvif)) patch = { ...patch, onvif: Object.fromEntries(Object.entries(patch.onvif).filter(([k]) => k !== 'has_password')) };
  const next = applyMergePatch(current, patch) as CameraInput;
  next.id = current.id;
  if (typeof patch.url === 'string' && patch.url === redactUrl(current.url)) next.url = current.url;
  return next;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (v !== undefined) out[k] = applyMergePatch(out[k], v);
  }
  return out;
}
