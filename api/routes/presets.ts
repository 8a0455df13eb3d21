import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { OnvifClient, OnvifError } from '../../onvif/client.js';
import { getCamera, notFound } from '../../store/cameras.js';
import { policyFor } from '../../streams/policy.js';
import { ANYONE } from '../auth.js';
import { apiError } from '../problem.js';
import type { ApiDeps } from '../server.js';
import { cameraIdParams } from './cameras.js';

/**
 * A PTZ dome's presets, read from the camera itself over ONVIF (docs/moving-cameras.md): what zones,
 * reference views and patrol stops name. The camera is asked on each call (bounded by `onvif.timeout`),
 * at the address its URL policy allows — so an API camera cannot make the server call internal hosts.
 */
const presetSchema = z
  .strictObject({
    token: z.string().describe('what zones (`preset`), reference views and patrol stops name'),
    name: z.string(),
    position: z.strictObject({ pan: z.number(), tilt: z.number(), zoom: z.number() }).optional().describe("the preset's pan, tilt (-1..1) and zoom (0..1) in ONVIF's generic spaces"),
  })
  .describe('a PTZ preset of the camera')
  .meta({ id: 'Preset' });

export async function presetRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/cameras/:id/presets', {
    config: { roles: ANYONE, errors: ['no_onvif', 'onvif_failed'] },
    schema: {
      tags: ['cameras'],
      operationId: 'listCameraPresets',
      summary: "The dome's PTZ presets, read from it over ONVIF",
      description: '409 no_onvif when the camera has no onvif settings; 502 onvif_failed when the camera refuses or does not answer (the message says which).',
      params: cameraIdParams,
      response: { 200: z.strictObject({ items: z.array(presetSchema) }).meta({ id: 'PresetList' }) },
    },
    handler: async (req) => {
      const stored = await getCamera(deps.db, req.params.id);
      if (!stored) throw notFound('camera', req.params.id);
      const onvif = stored.camera.onvif;
      if (!onvif) throw apiError('no_onvif', `camera ${req.params.id} has no onvif settings`, { field: 'onvif' });
      try {
        const client = await OnvifClient.connect(onvif, { policy: policyFor(deps.config.streams, stored.managedBy), timeoutMs: onvif.timeout });
        return { items: await client.presets() };
      } catch (e) {
        if (!(e instanceof OnvifError)) throw e;
        throw apiError('onvif_failed', `camera ${req.params.id}: ${e.message}`, { field: 'onvif', fix: e.fix });
      }
    },
  });
}
