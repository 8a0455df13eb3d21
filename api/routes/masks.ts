import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WeisuError } from '../../core/errors.js';
import { getCamera, notFound } from '../../store/cameras.js';
import { getIncident } from '../../store/incidents.js';
import { reviewsOf } from '../../store/reviews.js';
import { addMask, masksOf, removeMask, type StoredMask } from '../../store/zone_masks.js';
import { actor, OPS_READERS, REVIEWERS } from '../auth.js';
import type { ApiDeps } from '../server.js';
import { decide } from './incidents.js';
import { zoneParams } from './zones.js';

/**
 * "Not a vehicle": an operator's verdict that what an incident boxed is part of the street (a loudspeaker
 * box called "bus 67%"). It rejects the incident like any false positive and masks that place for the
 * zone, so the rule never takes it for a stay again; removing the mask undoes it. Masks reach the workers
 * with the zone (store/cameras.ts merges them in).
 */

const maskView = z
  .object({
    id: z.string(),
    camera_id: z.string(),
    zone_id: z.string(),
    box: z.tuple([z.number(), z.number(), z.number(), z.number()]).describe('[x1, y1, x2, y2] in fractions of the frame'),
    note: z.string().nullable(),
    incident_id: z.string().nullable().describe('the incident whose verdict made the mask'),
    actor: z.string(),
    created_at: z.string(),
  })
  .describe('a place of a zone where what the detector sees is not a vehicle');

const view = (m: StoredMask): z.infer<typeof maskView> => ({
  id: m.id,
  camera_id: m.cameraId,
  zone_id: m.zoneId,
  box: m.box,
  note: m.note,
  incident_id: m.incidentId,
  actor: m.actor,
  created_at: m.createdAt,
});

const fraction = (v: number) => Math.min(1, Math.max(0, v));

export async function maskRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;
  const tags = ['zones'];

  r.post('/incidents/:id/not-a-vehicle', {
    config: { roles: REVIEWERS },
    schema: {
      operationId: 'rejectNotAVehicle',
      tags: ['incidents'],
      summary: 'Reject a parking incident as "not a vehicle" and mask that place for its zone',
      description:
        'Records a rejection (in review mode nothing is filed), unless the incident was already rejected, and masks the boxed object for the zone: the rule ignores what the detector sees there. DELETE the mask to undo. 409 when the incident was approved or already masks its place.',
      params: z.object({ id: z.string().min(1).max(200) }),
      body: z.strictObject({ note: z.string().trim().max(500).optional().describe('what it is, e.g. "loudspeaker box"') }).nullish(),
      response: { 201: maskView },
    },
    handler: async (req, reply) => {
      const note = req.body?.note || null;
      const mask = await db.tx(async (t) => {
        const incident = await getIncident(t, req.params.id);
        if (!incident) throw notFound('incident', req.params.id);
        if (incident.kind !== 'no_parking') {
          throw new WeisuError('wrong_kind', `incident ${incident.id} is a ${incident.kind} incident: only a parking incident boxes a would-be vehicle`, { field: 'id', fix: 'reject it instead' });
        }
        const camera = await getCamera(t, incident.cameraId);
        if (!camera?.camera.zones.some((z) => z.id === incident.zoneId)) {
          throw new WeisuError('not_found', `zone ${incident.zoneId} of camera ${incident.cameraId} no longer exists: there is nothing to mask`, {
            field: 'id',
            fix: 'reject the incident instead',
          });
        }
        const review = (await reviewsOf(t, [incident.id]))[0];
        if (review?.decision !== 'rejected') await decide(t, incident.id, 'rejected', actor(req), `not a vehicle${note ? `: ${note}` : ''}`);
        const { box } = incident.subject;
        const { width, height } = incident.frameSize;
        return addMask(t, {
          cameraId: incident.cameraId,
          zoneId: incident.zoneId,
          box: [fraction(box[0] / width), fraction(box[1] / height), fraction(box[2] / width), fraction(box[3] / height)],
          note,
          incidentId: incident.id,
          actor: actor(req),
        });
      });
      deps.onCamerasChanged?.();
      return reply.code(201).send(view(mask));
    },
  });

  r.get('/cameras/:id/zones/:zoneId/masks', {
    config: { roles: OPS_READERS },
    schema: { operationId: 'listZoneMasks', tags, summary: 'The zone\'s "not a vehicle" masks', params: zoneParams, response: { 200: z.object({ items: z.array(maskView) }) } },
    handler: async (req) => {
      if (!(await getCamera(db, req.params.id))) throw notFound('camera', req.params.id);
      const items = (await masksOf(db, [req.params.id])).filter((m) => m.zoneId === req.params.zoneId);
      return { items: items.map(view) };
    },
  });

  r.delete('/cameras/:id/zones/:zoneId/masks/:maskId', {
    config: { roles: REVIEWERS },
    schema: {
      operationId: 'deleteZoneMask',
      tags,
      summary: 'Remove a mask (undo a "not a vehicle" verdict\'s mask)',
      description: 'The incident stays rejected; the rule sees that place again from the next sample its worker reads the zone.',
      params: zoneParams.extend({ maskId: z.string().regex(/^\d{1,18}$/, 'a mask id is a number (GET the zone\'s masks)') }),
      response: { 204: z.null().describe('removed') },
    },
    handler: async (req, reply) => {
      await removeMask(db, req.params.id, req.params.zoneId, req.params.maskId, actor(req));
      deps.onCamerasChanged?.();
      return reply.code(204).send(null);
    },
  });
}
