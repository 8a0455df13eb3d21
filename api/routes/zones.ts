import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { zoneSchema } from '../../rules/schema.js';
import { deleteZone, getCamera, notFound, putZone, type ZoneInput } from '../../store/cameras.js';
import { actor, ZONE_WRITERS } from '../auth.js';
import { bodyInput } from '../limits.js';
import { ifMatchHeaders, matchedRevision, sendEtag } from '../revision.js';
import { HttpProblem, validationProblem } from '../problem.js';
import type { ApiDeps } from '../server.js';
import { zoneView, zoneViewSchema } from '../views.js';
import { cameraIdParams } from './cameras.js';
import { referenceOnZoneSave } from '../reference_pictures.js';

export const zoneParams = cameraIdParams.extend({ zoneId: z.string().regex(/^[a-z0-9-]{1,64}$/, 'zone id uses only a-z, 0-9 and - (at most 64)') });

export async function zoneRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;
  const tags = ['zones'];

  r.put('/cameras/:id/zones/:zoneId', {
    config: { roles: ZONE_WRITERS, errors: ['managed_by_config'] },
    schema: {
      tags,
      operationId: 'putZone',
      summary: 'Create or replace a zone',
      description:
        'The body is a zone of the rules zone schema; its id must equal the zoneId in the path. Zones defined in the configuration file are read-only (409). A camera without a reference view gets its current picture as one (docs/moving-cameras.md).',
      params: zoneParams,
      headers: ifMatchHeaders,
      body: zoneSchema,
      response: { 200: zoneViewSchema, 201: zoneViewSchema },
    },
    handler: async (req, reply) => {
      if (req.body.id !== req.params.zoneId) {
        throw new HttpProblem(validationProblem('body', [{ field: 'id', code: 'invalid', message: `"${req.body.id}" differs from the zone id "${req.params.zoneId}" in the path`, fix: 'send the zone to the path of its own id' }]));
      }
      const zone = bodyInput<ZoneInput>(req);
      const current = await getCamera(db, req.params.id);
      if (!current) throw notFound('camera', req.params.id);
      const outcome = await putZone(db, req.params.id, zone, actor(req), { expectRevision: matchedRevision(req.headers, `camera "${req.params.id}"`, current.revision) });
      await referenceOnZoneSave(deps, req.params.id, actor(req), [zone]);
      deps.onCamerasChanged?.();
      const cam = await getCamera(db, req.params.id);
      if (cam) sendEtag(reply, cam.revision);
      return reply.code(outcome === 'created' ? 201 : 200).send(zoneView(zone));
    },
  });

  r.delete('/cameras/:id/zones/:zoneId', {
    config: { roles: ZONE_WRITERS },
    schema: { tags, operationId: 'deleteZone', summary: 'Remove a zone', params: zoneParams, headers: ifMatchHeaders, response: { 204: z.null().describe('removed') } },
    handler: async (req, reply) => {
      const current = await getCamera(db, req.params.id);
      if (!current) throw notFound('camera', req.params.id);
      await deleteZone(db, req.params.id, req.params.zoneId, actor(req), { expectRevision: matchedRevision(req.headers, `camera "${req.params.id}"`, current.revision) });
      deps.onCamerasChanged?.();
      return reply.code(204).send(null);
    },
  });
}
