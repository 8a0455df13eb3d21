import { z } from 'zod';
import { durationField } from '../core/duration.js';
import { sourceFields, streamsSchema } from '../streams/schema.js';
import { timezoneSchema, zoneSchema } from '../rules/schema.js';
import { alertsSchema, caseApiSchema } from '../alerts/schema.js';
import { platesSchema } from '../plates/schema.js';
import { workersSchema } from '../queue/schema.js';
import { detectorSchema } from '../detector/schema.js';
import { serverSchema } from '../api/schema.js';

/**
 * The single source of truth for weisu's configuration. Each stage owns its part (imported above);
 * this file only composes them. Extra keys are rejected everywhere (strict objects) so a typo never
 * silently does nothing. The JSON Schema (`weisu config schema`) is generated from this.
 */

export const locationSchema = z.strictObject({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  address: z.string().max(500).optional(),
});

export const cameraSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9-]+$/, 'camera id must use only a-z, 0-9 and - (e.g. jinjiang-north)').max(64),
    name: z.string().max(200).optional(),
    enabled: z.boolean().default(true),
    ...sourceFields,
    location: locationSchema,
    /** IANA time zone of the camera, for schedules and evidence timestamps. */
    timezone: timezoneSchema.default('Asia/Shanghai'),
    sample_every: durationField('sample_every').prefault('10s'),
    zones: z.array(zoneSchema).default([]),
  })
  .superRefine((cam, ctx) => {
    const seen = new Set<string>();
    cam.zones.forEach((z, i) => {
      if (seen.has(z.id)) ctx.addIssue({ code: 'custom', path: ['zones', i, 'id'], message: `zone id "${z.id}" is used twice in this camera: zone ids must be unique per camera` });
      seen.add(z.id);
    });
  });

export const configSchema = z
  .strictObject({
    /** Base URL where evidence images are served from (what a case system and crews can reach). */
    public_url: z.url({ protocol: /^https?$/, error: 'public_url must be an http:// or https:// URL, e.g. http://127.0.0.1:8080' }),
    /** Where weisu keeps its embedded database and evidence files. */
    data_dir: z.string().default('.weisu'),
    server: serverSchema.prefault({}),
    detector: detectorSchema.prefault({}),
    cameras: z.array(cameraSchema).default([]),
    case_api: caseApiSchema.optional(),
    streams: streamsSchema.prefault({}),
    alerts: alertsSchema.prefault({}),
    workers: workersSchema.prefault({}),
    plates: platesSchema.prefault({}),
  })
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.cameras.forEach((c, i) => {
      if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: ['cameras', i, 'id'], message: `camera id "${c.id}" is used twice: camera ids must be unique` });
      seen.add(c.id);
    });
  });

export type WeisuConfig = z.output<typeof configSchema>;
export type CameraConfig = z.output<typeof cameraSchema>;
export type Location = z.output<typeof locationSchema>;

export function configJsonSchema(): unknown {
  return z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' });
}
