import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { allCameras } from '../../store/cameras.js';
import { listIncidents } from '../../store/incidents.js';
import { ANYONE } from '../auth.js';
import type { ApiDeps } from '../server.js';

/**
 * What a new installation still lacks, in the order a newcomer meets it, so every empty page (wall,
 * review queue, dashboard, tickets) can say why it is empty and what to do next instead of showing zeros.
 */
export const SETUP_STEPS = ['camera', 'frames', 'zone', 'incident', 'case_system'] as const;

const stepSchema = z.object({
  step: z.enum(SETUP_STEPS),
  done: z.boolean(),
  /** Cameras this step is still missing for (ids), or the zones waiting for their first stay. */
  cameras: z.array(z.string()).describe('camera ids the step is not done for'),
  zones: z.array(z.object({ camera_id: z.string(), zone_id: z.string(), dwell_ms: z.number().nullable() })).describe('incident step: the zones a vehicle must stay in, with their dwell'),
});

const setupSchema = z.object({
  next: z.enum(SETUP_STEPS).nullable().describe('the first step not done (null: all done)'),
  steps: z.array(stepSchema),
});

export async function setupRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/setup', {
    config: { roles: ANYONE },
    schema: {
      operationId: 'getSetup',
      tags: ['system'],
      summary: 'What the installation still lacks (cameras, frames, zones, a first incident, a case system)',
      response: { 200: setupSchema },
    },
    handler: async () => {
      const cameras = (await allCameras(deps.db)).filter((c) => c.enabled);
      const health = await Promise.all(cameras.map(async (c) => [c.id, await deps.health?.(c.id)] as const));
      const withoutFrames = health.filter(([, h]) => !h?.lastFrameAt).map(([id]) => id);
      const withoutZones = cameras.filter((c) => c.zones.length === 0).map((c) => c.id);
      const anyIncident = (await listIncidents(deps.db, { limit: 1 })).length > 0;
      const zones = cameras.flatMap((c) => c.zones.map((z) => ({ camera_id: c.id, zone_id: z.id, dwell_ms: z.kind === 'no_parking' ? z.dwell : null })));
      const steps: z.infer<typeof stepSchema>[] = [
        { step: 'camera', done: cameras.length > 0, cameras: [], zones: [] },
        { step: 'frames', done: cameras.length > 0 && withoutFrames.length < cameras.length, cameras: withoutFrames, zones: [] },
        { step: 'zone', done: zones.length > 0, cameras: withoutZones, zones: [] },
        { step: 'incident', done: anyIncident, cameras: [], zones: anyIncident ? [] : zones },
        { step: 'case_system', done: Boolean(deps.config.case_api), cameras: [], zones: [] },
      ];
      return { next: steps.find((s) => !s.done)?.step ?? null, steps };
    },
  });
}
