import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WeisuError } from '../../core/errors.js';
import { presetToken } from '../../core/preset.js';
import { getCamera, notFound } from '../../store/cameras.js';
import { listReferenceViews, referenceViewJpeg, saveReferenceView, type ReferenceViewInfo } from '../../store/reference_views.js';
import { actor, ANYONE, ZONE_WRITERS } from '../auth.js';
import { apiErrorCode } from '../errors.js';
import { HttpProblem, pictureRefused, problem } from '../problem.js';
import { storedPicture, type StoredPicture } from '../reference_pictures.js';
import type { ApiDeps } from '../server.js';
import { viewState, viewStateSchema } from '../views.js';
import { cameraIdParams } from './cameras.js';

/**
 * Reference views (docs/moving-cameras.md): take or retake what a camera — or one PTZ preset of it — shows
 * when its zones are drawn; read them back; and whether the camera shows one of them now. Workers check
 * every sample against them and pause the camera's rules when it does not.
 */

const MAX_UPLOAD = 12 * 1024 * 1024;

const presetField = presetToken;

const referenceView = z
  .object({ id: z.string(), camera_id: z.string(), preset: z.string(), width: z.number(), height: z.number(), taken_by: z.string(), taken_at: z.string() })
  .describe('a reference view; preset is empty for a fixed camera');

const toView = (v: ReferenceViewInfo) => ({ id: v.id, camera_id: v.cameraId, preset: v.preset, width: v.width, height: v.height, taken_by: v.takenBy, taken_at: v.takenAt });

export async function referenceViewRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;
  const tags = ['cameras'];
  const camera = async (id: string) => {
    if (!(await getCamera(db, id))) throw notFound('camera', id);
  };

  r.post('/cameras/:id/reference', {
    config: { roles: ZONE_WRITERS, bodyLimits: { maxString: MAX_UPLOAD } },
    bodyLimit: MAX_UPLOAD + 1024 * 1024,
    schema: {
      operationId: 'takeReferenceView',
      tags,
      summary: 'Take (or retake) the reference view its zones are drawn on',
      description: "Without frame_jpeg_base64 the camera's current picture is taken (409 when it gives none). Retake it after redrawing zones or turning the camera on purpose.",
      params: cameraIdParams,
      body: z.strictObject({
        preset: presetField.optional().describe('the PTZ preset this view belongs to; omit for a fixed camera'),
        frame_jpeg_base64: z.base64().max(MAX_UPLOAD).optional().describe('a picture of this camera (JPEG or PNG)'),
      }),
      response: { 201: referenceView },
    },
    handler: async (req, reply) => {
      await camera(req.params.id);
      const given = req.body.frame_jpeg_base64;
      const picture = given ? Buffer.from(given, 'base64') : await deps.snapshot?.(req.params.id);
      if (!picture) throw new HttpProblem(problem('no_frame', `camera ${req.params.id} gives no picture to take`, { fix: 'check GET /cameras/{id}/health, or send frame_jpeg_base64' }));
      let stored: StoredPicture;
      try {
        stored = await storedPicture(picture);
      } catch (e) {
        if (!given) throw e;
        const message = e instanceof WeisuError ? e.message : 'not a JPEG or PNG picture';
        const code = (e instanceof WeisuError ? apiErrorCode(e.code) : undefined) ?? 'image_invalid';
        const fix = code === 'image_too_large' ? 'send a smaller picture (a camera frame)' : 'send a complete JPEG or PNG camera frame';
        throw pictureRefused('frame_jpeg_base64', code, message, fix);
      }
      const info = await saveReferenceView(db, { cameraId: req.params.id, ...(req.body.preset ? { preset: req.body.preset } : {}), ...stored, actor: actor(req) });
      deps.onCamerasChanged?.();
      return reply.code(201).send(toView(info));
    },
  });

  r.get('/cameras/:id/references', {
    config: { roles: ANYONE },
    schema: { operationId: 'listReferenceViews', tags, summary: "The camera's reference views (one per PTZ preset)", params: cameraIdParams, response: { 200: z.object({ items: z.array(referenceView) }) } },
    handler: async (req) => {
      await camera(req.params.id);
      return { items: (await listReferenceViews(db, req.params.id)).map(toView) };
    },
  });

  r.get('/cameras/:id/reference', {
    config: { roles: ANYONE },
    schema: {
      operationId: 'getReferenceView',
      tags,
      summary: 'A reference view picture (JPEG)',
      params: cameraIdParams,
      querystring: z.strictObject({ preset: presetField.optional() }),
      produces: ['image/jpeg'],
      response: { 200: z.any().describe('image/jpeg') },
    },
    handler: async (req, reply) => {
      await camera(req.params.id);
      const jpeg = await referenceViewJpeg(db, req.params.id, req.query.preset ?? '');
      if (!jpeg) throw new HttpProblem(problem('no_reference', `camera ${req.params.id} has no reference view${req.query.preset ? ` for preset ${req.query.preset}` : ''}`, { fix: 'take one: POST /cameras/{id}/reference' }));
      return reply.type('image/jpeg').header('cache-control', 'no-store').send(jpeg);
    },
  });

  r.get('/cameras/:id/view', {
    config: { roles: ANYONE },
    schema: {
      operationId: 'getCameraView',
      tags,
      summary: 'Does the camera show its reference view now?',
      description: 'state aligned (rules run), view_changed or obstructed (rules paused), unknown (no reference view, or not sampled since one was taken).',
      params: cameraIdParams,
      response: { 200: viewStateSchema },
    },
    handler: async (req) => {
      await camera(req.params.id);
      return viewState(req.params.id, await deps.view?.(req.params.id));
    },
  });

  r.get('/cameras/:id/view/picture', {
    config: { roles: ANYONE },
    schema: { operationId: 'getViewChangePicture', tags, summary: 'The first picture of the current view change or obstruction (JPEG)', params: cameraIdParams, produces: ['image/jpeg'], response: { 200: z.any().describe('image/jpeg') } },
    handler: async (req, reply) => {
      await camera(req.params.id);
      const jpeg = await deps.viewPicture?.(req.params.id);
      if (!jpeg) throw new HttpProblem(problem('no_view_change', `camera ${req.params.id} shows its reference view (or has none)`, { fix: 'see GET /cameras/{id}/view' }));
      return reply.type('image/jpeg').header('cache-control', 'no-store').send(jpeg);
    },
  });
}
