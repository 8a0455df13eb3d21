import { z } from 'zod';
import { formatDuration } from '../core/duration.js';
import type { CameraView as ViewRecord } from '../queue/views.js';
import type { StoredCamera, ZoneInput } from '../store/cameras.js';
import { API_PREFIX } from './paths.js';
import { redactUrl } from '../streams/redact.js';

/**
 * What the API shows of stored things. Cameras and zones come back as they were written (durations as
 * `5m`, like the YAML file and the request bodies; defaults not filled in), so a client can GET, edit
 * and PUT back; secrets never come back: URLs are redacted and passwords replaced by `has_password`.
 */

const SECRET_KEY = /pass(word|wd)?|secret|token|api_?key/i;

export const managedBySchema = z.enum(['config', 'api']).describe('config: defined in the YAML file, read-only here; api: created through the API');

export const zoneViewSchema = z
  .looseObject({ id: z.string(), kind: z.string(), polygon: z.array(z.tuple([z.number(), z.number()])) })
  .describe('a zone exactly as PUT /cameras/{id}/zones/{zoneId} takes it (rules zone schema, durations as text)');

export const cameraViewSchema = z
  .looseObject({
    id: z.string(),
    name: z.string().optional(),
    enabled: z.boolean(),
    url: z.string().describe('redacted: credentials shown as ***; sending this value back unchanged keeps the stored URL'),
    username: z.string().optional(),
    password: z.never().optional().describe('never returned'),
    has_password: z.boolean().describe('whether a separate password is stored (it is write-only)'),
    location: z.object({ lat: z.number(), lon: z.number(), address: z.string().optional() }),
    timezone: z.string(),
    sample_every: z.string(),
    zones: z.array(zoneViewSchema),
    onvif: z
      .looseObject({ address: z.string(), user: z.string(), password: z.never().optional().describe('never returned'), has_password: z.boolean() })
      .optional()
      .describe('ONVIF access as written, its password left out'),
    managed_by: managedBySchema,
    zones_managed_by: z.record(z.string(), managedBySchema),
    revision: z.number().int(),
    live_url: z.string().nullable().describe('WebSocket path of the live view (MPEG-1 for JSMpeg), signed and valid for 10 minutes; null when live view is off'),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .describe('a camera as POST /cameras takes it, without secrets, plus who manages it');

export type CameraView = z.infer<typeof cameraViewSchema>;

export function cameraView(s: StoredCamera, liveUrl: string | null = null): CameraView {
  const input: Record<string, unknown> = { ...s.input };
  for (const k of Object.keys(input)) if (SECRET_KEY.test(k)) delete input[k];
  if (s.input.onvif) {
    const { password, ...onvif } = s.input.onvif;
    input.onvif = { ...onvif, has_password: Boolean(password) };
  }
  return {
    ...(input as Pick<CameraView, 'id' | 'location' | 'zones'>),
    enabled: s.camera.enabled,
    timezone: s.camera.timezone,
    sample_every: s.input.sample_every ?? formatDuration(s.camera.sample_every),
    url: redactUrl(s.camera.url),
    has_password: Boolean(s.camera.password),
    managed_by: s.managedBy,
    zones_managed_by: s.zoneManagedBy,
    revision: s.revision,
    live_url: liveUrl,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

export function zoneView(zone: ZoneInput): z.infer<typeof zoneViewSchema> {
  return zone as z.infer<typeof zoneViewSchema>;
}

export const viewStateSchema = z
  .object({
    camera_id: z.string(),
    state: z.enum(['aligned', 'view_changed', 'obstructed', 'unknown']),
    reason: z.string().optional().describe('no_match, moved, too_dark, covered, defocused'),
    since: z.string().optional(),
    checked_at: z.string().optional(),
    preset: z.string().optional(),
    shift: z.number().optional().describe('how far the view moved from its reference, in fractions of the picture'),
    picture_url: z.string().optional().describe('while not aligned: the first picture of the change (GET, same token)'),
  })
  .describe('whether the camera shows its reference view: aligned (rules run), view_changed or obstructed (rules paused), unknown (no reference view, or not sampled since one was taken)');

/** A camera's view record (queue/views.ts) in the API's spelling, with where to see the picture of a change. */
export function viewState(cameraId: string, v: ViewRecord | undefined): z.infer<typeof viewStateSchema> {
  if (!v) return { camera_id: cameraId, state: 'unknown' };
  return {
    camera_id: cameraId,
    state: v.state,
    ...(v.reason ? { reason: v.reason } : {}),
    since: new Date(v.since).toISOString(),
    checked_at: new Date(v.at).toISOString(),
    ...(v.preset ? { preset: v.preset } : {}),
    ...(v.shift !== undefined ? { shift: v.shift } : {}),
    ...(v.state !== 'aligned' ? { picture_url: `${API_PREFIX}/cameras/${encodeURIComponent(cameraId)}/view/picture` } : {}),
  };
}
