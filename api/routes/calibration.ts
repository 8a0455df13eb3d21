import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WeisuError } from '../../core/errors.js';
import type { BinSiteZone } from '../../rules/schema.js';
import { addExample, exampleCrop, listExamples, removeExample, type CalibrationExample } from '../../store/calibration.js';
import { getCamera, notFound } from '../../store/cameras.js';
import { actor, OPS_READERS, REVIEWERS } from '../auth.js';
import { CalibrationCropper } from '../calibration_crops.js';
import { apiErrorCode, errorKind } from '../errors.js';
import { apiError, pictureRefused } from '../problem.js';
import type { ApiDeps } from '../server.js';
import { API_PREFIX } from '../paths.js';
import { zoneParams } from './zones.js';

const exampleParams = zoneParams.extend({ exampleId: z.coerce.number().int().min(1) });

const exampleView = z.strictObject({
  id: z.number(),
  label: z.enum(['normal', 'overflowing']),
  model: z.string(),
  source: z.string().nullable(),
  created_by: z.string(),
  created_at: z.iso.datetime(),
  image_url: z.string().describe('the crop (JPEG), behind the same bearer token'),
}).meta({ id: 'CalibrationExample' });
const exampleList = z
  .strictObject({ items: z.array(exampleView), k: z.number().describe('examples of each label needed before they decide (zone calibration_k)') })
  .meta({ id: 'CalibrationExamples' });

/**
 * Bin-site calibration: operators label what a site looks like as normal or overflowing; with
 * `calibration_k` examples of each label the site's own examples decide instead of the generic model.
 * The crop is cut from the camera's latest frame (or a frame sent with the label) exactly as the bin
 * observer cuts it, and embedded by the zone's classifier.
 */
export async function calibrationRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;
  const tags = ['calibration'];
  const cropper = new CalibrationCropper(deps.modelsDir);
  app.addHook('onClose', () => cropper.close());

  async function binSite(cameraId: string, zoneId: string): Promise<BinSiteZone> {
    const cam = await getCamera(db, cameraId);
    if (!cam) throw notFound('camera', cameraId);
    const zone = cam.camera.zones.find((z) => z.id === zoneId);
    if (!zone) throw notFound('zone', `${cameraId}/${zoneId}`, 'zoneId');
    if (zone.kind !== 'bin_site') {
      throw apiError('not_a_bin_site', `zone ${cameraId}/${zoneId} is a ${zone.kind} zone: only bin sites are calibrated`, { field: 'zoneId' });
    }
    return zone;
  }

  const view = (e: CalibrationExample) => ({
    id: e.id,
    label: e.label,
    model: e.model,
    source: e.source ?? null,
    created_by: e.createdBy,
    created_at: new Date(e.createdAt).toISOString(),
    image_url: `${API_PREFIX}/cameras/${encodeURIComponent(e.cameraId)}/zones/${encodeURIComponent(e.zoneId)}/calibration/${e.id}/image`,
  });

  r.get('/cameras/:id/zones/:zoneId/calibration', {
    config: { roles: OPS_READERS },
    schema: {
      tags,
      operationId: 'listCalibrationExamples', summary: 'A bin site\'s labelled examples',
      params: zoneParams,
      response: { 200: exampleList },
    },
    handler: async (req) => {
      const zone = await binSite(req.params.id, req.params.zoneId);
      return { items: (await listExamples(db, req.params.id, req.params.zoneId)).map(view), k: zone.calibration_k };
    },
  });

  r.post('/cameras/:id/zones/:zoneId/calibration', {
    config: { roles: REVIEWERS, bodyLimits: { maxString: 12 * 1024 * 1024 } },
    bodyLimit: 16 * 1024 * 1024,
    schema: {
      tags,
      operationId: 'addCalibrationExample', summary: 'Label what the site shows as normal or overflowing',
      description: 'Without frame_jpeg_base64 the camera\'s latest frame is used (409 when there is none yet).',
      params: zoneParams,
      body: z.strictObject({
        label: z.enum(['normal', 'overflowing']),
        frame_jpeg_base64: z.base64().max(12 * 1024 * 1024).optional().describe('a full frame of this camera (JPEG), e.g. an evidence picture'),
      }),
      response: { 201: exampleView },
    },
    handler: async (req, reply) => {
      const zone = await binSite(req.params.id, req.params.zoneId);
      const frame = req.body.frame_jpeg_base64 ? Buffer.from(req.body.frame_jpeg_base64, 'base64') : await deps.snapshot?.(req.params.id);
      if (!frame) {
        throw apiError('no_frame', `camera ${req.params.id} has no frame yet to label`, { fix: 'wait for its first sample, or send frame_jpeg_base64' });
      }
      let made: Awaited<ReturnType<CalibrationCropper['example']>>;
      try {
        made = await cropper.example(frame, zone);
      } catch (e) {
        // A picture bomb, a tiny or unreadable picture: refused from its header before any decoding.
        const code = e instanceof WeisuError && e.field === 'image' ? apiErrorCode(e.code) : undefined;
        if (req.body.frame_jpeg_base64 && code) {
          const message = (e as WeisuError).message;
          const fix = (e as WeisuError).fix ?? errorKind(code).fix;
          throw pictureRefused('frame_jpeg_base64', code, message, fix);
        }
        throw e;
      }
      const ex = await addExample(db, {
        cameraId: req.params.id,
        zoneId: req.params.zoneId,
        label: req.body.label,
        model: made.model,
        embedding: made.embedding,
        crop: made.crop,
        source: req.body.frame_jpeg_base64 ? 'uploaded frame' : 'latest frame',
        actor: actor(req),
      });
      deps.onCamerasChanged?.();
      return reply.code(201).send(view(ex));
    },
  });

  r.get('/cameras/:id/zones/:zoneId/calibration/:exampleId/image', {
    config: { roles: OPS_READERS },
    schema: { tags, operationId: 'getCalibrationExampleImage', summary: 'The crop of an example (JPEG)', params: exampleParams, produces: ['image/jpeg'], response: { 200: z.any().describe('image/jpeg') } },
    handler: async (req, reply) => {
      const own = (await listExamples(db, req.params.id, req.params.zoneId)).some((e) => e.id === req.params.exampleId);
      const jpeg = own ? await exampleCrop(db, req.params.exampleId) : undefined;
      if (!jpeg) throw notFound('calibration example', String(req.params.exampleId), 'exampleId');
      return reply.type('image/jpeg').header('cache-control', 'private, max-age=3600').send(jpeg);
    },
  });

  r.delete('/cameras/:id/zones/:zoneId/calibration/:exampleId', {
    config: { roles: REVIEWERS },
    schema: { tags, operationId: 'deleteCalibrationExample', summary: 'Remove an example', params: exampleParams, response: { 204: z.null() } },
    handler: async (req, reply) => {
      const own = (await listExamples(db, req.params.id, req.params.zoneId)).some((e) => e.id === req.params.exampleId);
      if (!own || !(await removeExample(db, req.params.exampleId, actor(req)))) throw notFound('calibration example', String(req.params.exampleId), 'exampleId');
      deps.onCamerasChanged?.();
      return reply.code(204).send(null);
    },
  });
}
