import { z } from 'zod';
import { durationField } from '../core/duration.js';
import { sourceFields, streamsSchema } from '../streams/schema.js';
import { timezoneSchema, zoneSchema } from '../rules/schema.js';
import { alertsSchema, caseApiSchema } from '../alerts/schema.js';
import { platesSchema } from '../plates/schema.js';
import { workersSchema } from '../queue/schema.js';
import { detectorSchema } from '../detector/schema.js';
import { serverSchema } from '../api/schema.js';
import { onvifSchema, patrolSchema } from '../onvif/schema.js';

/**
 * The single source of truth for weisu's configuration. Each stage owns its part (imported above);
 * this file only composes them. Extra keys are rejected everywhere (strict objects) so a typo never
 * silently does nothing. The JSON Schema (`weisu config schema`) is generated from this.
 */

export const locationSchema = z.strictObject({
  lat: z.number().min(-90).max(90).describe('latitude, WGS 84 degrees'),
  lon: z.number().min(-180).max(180).describe('longitude, WGS 84 degrees'),
  address: z.string().max(500).optional().describe('street address, as the case system and crews read it'),
});

export const cameraSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9-]+$/, 'camera id must use only a-z, 0-9 and - (e.g. jinjiang-north)').max(64).describe('unique id of the camera: a-z, 0-9 and -; it names the camera in incidents and tickets'),
    name: z.string().max(200).optional().describe('a name for people (console, tickets)'),
    enabled: z.boolean().default(true).describe('false: keep the camera configured but sample it no more'),
    ...sourceFields,
    location: locationSchema.describe('where the camera stands: the place tickets are filed for'),
    timezone: timezoneSchema.default('Asia/Shanghai').describe('IANA time zone of the camera, for schedules and evidence timestamps.'),
    sample_every: durationField('sample_every').prefault('10s').describe('one sample (one frame through detector and rules) this often'),
    zones: z.array(zoneSchema).default([]).describe('the areas of the picture the rules watch (no-parking zones, bin sites)'),
    onvif: onvifSchema.optional(),
    patrol: patrolSchema.optional(),
  })
  .superRefine((cam, ctx) => {
    const seen = new Set<string>();
    cam.zones.forEach((z, i) => {
      if (seen.has(z.id)) ctx.addIssue({ code: 'custom', path: ['zones', i, 'id'], message: `zone id "${z.id}" is used twice in this camera: zone ids must be unique per camera` });
      seen.add(z.id);
    });
    if (cam.patrol && !cam.onvif) ctx.addIssue({ code: 'custom', path: ['patrol'], message: 'a patrol drives the dome over ONVIF: add onvif (address, user, password) to this camera' });
    if (cam.patrol) {
      const stops = new Set(cam.patrol.stops.map((s) => s.preset));
      cam.zones.forEach((z, i) => {
        if (z.kind !== 'no_parking') return;
        if (!z.preset) ctx.addIssue({ code: 'custom', path: ['zones', i, 'preset'], message: `zone "${z.id}" needs a preset: on a patrolling dome a zone is drawn on one preset's view (one of ${[...stops].join(', ')})` });
        else if (!stops.has(z.preset)) ctx.addIssue({ code: 'custom', path: ['zones', i, 'preset'], message: `zone "${z.id}" is on preset "${z.preset}", which the patrol never visits: add a stop for it or move the zone` });
      });
    }
  });

export const configSchema = z
  .strictObject({
    public_url: z.url({ protocol: /^https?$/, error: 'public_url must be an http:// or https:// URL, e.g. http://127.0.0.1:8080' }).describe('Base URL where evidence images are served from (what a case system and crews can reach).'),
    data_dir: z.string().default('.weisu').describe('Where weisu keeps its embedded database and evidence files.'),
    server: serverSchema.prefault({}).describe('the HTTP server: API, console, evidence'),
    detector: detectorSchema.prefault({}).describe('the object detector every sample runs'),
    cameras: z.array(cameraSchema).default([]).describe('the cameras, imported into the store at start (the API may add more)'),
    case_api: caseApiSchema.optional().describe('where tickets are filed (Open311 or a JSON API); none: incidents stay in weisu'),
    streams: streamsSchema.prefault({}).describe('how cameras are read: timeouts, picture quality, allowed networks, retries, live view'),
    alerts: alertsSchema.prefault({}).describe('what becomes of incidents: modes, evidence, ticket outbox, webhooks, reminders'),
    workers: workersSchema.prefault({}).describe('the detection workers and their Redis queues'),
    plates: platesSchema.prefault({}).describe('licence-plate reading on confirmed parking incidents'),
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
