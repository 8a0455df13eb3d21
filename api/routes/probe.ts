import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { probeCamera } from '../../streams/probe.js';
import { sourceDefaults, sourceFields } from '../../streams/schema.js';
import { CAMERA_WRITERS } from '../auth.js';
import type { ApiDeps } from '../server.js';
import { checkApiCameraUrl } from '../url_policy.js';

const probeBody = z.strictObject({
  url: sourceFields.url,
  username: sourceFields.username,
  password: sourceFields.password,
  transport: sourceFields.transport,
});

const probeResult = z.strictObject({
  kind: z.enum(['rtsp', 'http_snapshot', 'mjpeg', 'hls', 'file']),
  codec: z.string().nullable(),
  width: z.number(),
  height: z.number(),
  fps: z.number().nullable(),
  keyframe_interval_ms: z.number().nullable(),
  latency_ms: z.number().describe('open to first whole picture'),
  connect_ms: z.number().nullable(),
  notes: z.array(z.string()),
  frame_jpeg_base64: z.string().describe('the grabbed picture (full resolution JPEG)'),
}).meta({ id: 'ProbeResult' });

/** What an integrator checks before registering a camera; each probe runs ffmpeg, so it is rate-limited. */
export async function probeRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const limit = deps.config.server.probe_rate_limit;
  app.withTypeProvider<ZodTypeProvider>().post('/cameras/probe', {
    config: { roles: CAMERA_WRITERS, rateLimit: { max: limit.max, timeWindow: limit.window } },
    schema: {
      tags: ['cameras'],
      operationId: 'probeCamera', summary: 'Probe a camera URL: codec, resolution, fps, keyframe interval, latency and a frame',
      description: 'The URL obeys the policy for API cameras (streams.allow_networks, streams.allow_local_from_api). A camera that cannot be read answers 422 with the reason (auth_failed, unreachable, no_frame, ...) and its fix.',
      body: probeBody,
      response: { 200: probeResult },
    },
    handler: async (req) => {
      await checkApiCameraUrl(deps.config, req.body.url);
      const signal = AbortSignal.timeout(60_000);
      const r = await probeCamera({ cameraId: 'probe', ...sourceDefaults(deps.config.streams, 'api'), ...req.body, packetWindowMs: 4000 }, signal);
      return {
        kind: r.kind,
        codec: r.codec ?? null,
        width: r.width,
        height: r.height,
        fps: r.fps ?? null,
        keyframe_interval_ms: r.keyframeIntervalMs ?? null,
        latency_ms: r.latencyMs,
        connect_ms: r.connectMs ?? null,
        notes: r.notes,
        frame_jpeg_base64: r.frame.jpeg.toString('base64'),
      };
    },
  });
}
