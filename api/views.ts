import { z } from 'zod';
import { formatDuration } from '../core/duration.js';
import type { CameraView as ViewRecord } from '../queue/views.js';
import type { StoredCamera, ZoneInput } from '../store/cameras.js';
import { API_PREFIX } from './paths.js';
import type { CameraHealth } from '../streams/health.js';
import { redactText, redactUrl } from '../streams/redact.js';
import { STREAM_REASONS } from './errors.js';

/**
 * What the API shows of stored cameras and zones: strict, named schemas (components of /openapi.json,
 * from which the console's types are generated). Cameras and zones come back as they were written
 * (durations as `5m`, like the YAML file and the request bodies), so a client can GET, edit and send
 * them back; secrets never come back: URLs are redacted and passwords replaced by `has_password`.
 * Times are ISO 8601 text everywhere.
 */

export const managedBySchema = z.enum(['config', 'api']).describe('config: defined in the YAML file, read-only here; api: created through the API');

const point = z.tuple([z.number(), z.number()]);
const persistence = z.union([z.number().int(), z.string()]).describe('a duration as written (e.g. 20m) or a number of consecutive samples');
const duration = z.string().describe('a duration as written, e.g. 5m');

/** What every kind of zone has. */
const zoneCommon = { id: z.string(), name: z.string().optional(), polygon: z.array(point) };

/** A zone as written: the rules' zone schemas (rules/schema.ts) with durations as text; test/api/contract.test.ts keeps the keys equal. */
export const noParkingZoneView = z
  .strictObject({
    ...zoneCommon,
    kind: z.literal('no_parking'),
    preset: z.string().optional().describe('PTZ domes: the preset whose view the zone is drawn on'),
    dwell: duration,
    classes: z.array(z.string()).optional(),
    min_score: z.number().optional(),
    min_box: z.strictObject({ width: z.number().optional(), height: z.number().optional() }).optional(),
    presence: z.enum(['bottom_center', 'overlap']).optional(),
    min_overlap: z.number().optional(),
    stationary_iou: z.number().optional(),
    schedule: z.strictObject({ windows: z.array(z.string()), except: z.array(z.string()).optional() }).optional(),
    cooldown: duration.optional(),
    clear_grace: persistence.optional(),
    max_hidden: duration.optional(),
    reference_scene: z.boolean().optional(),
    masks: z
      .array(z.strictObject({ id: z.string().optional(), box: z.array(z.number()), note: z.string().optional(), incident_id: z.string().optional() }).meta({ id: 'ZoneMask' }))
      .optional()
      .describe('operators\' "not a vehicle" masks; those with an id were given through the API (DELETE /cameras/{id}/zones/{zoneId}/masks/{maskId} undoes one)'),
    tuning: z.record(z.string(), z.number()).optional().describe('the parking rule\'s judgement constants (rules/parking/tuning.ts), as written'),
  })
  .meta({ id: 'NoParkingZone' });

export const binSiteZoneView = z
  .strictObject({
    ...zoneCommon,
    kind: z.literal('bin_site'),
    persist: persistence.optional(),
    clear_after: persistence.optional(),
    model: z.string().optional(),
    overflow_labels: z.array(z.string()).optional(),
    min_score: z.number().optional(),
    exposure: z.strictObject({ min_brightness: z.number().optional(), max_brightness: z.number().optional(), max_clipped: z.number().optional() }).optional(),
    calibration_k: z.number().int().optional(),
  })
  .meta({ id: 'BinSiteZone' });

export const zoneViewSchema = z
  .discriminatedUnion('kind', [noParkingZoneView, binSiteZoneView])
  .meta({ id: 'Zone', description: 'a zone exactly as PUT /cameras/{id}/zones/{zoneId} takes it (durations as text)' });

/** Fields GET shows that a write does not set: sent back in a PATCH they are ignored. */
export const READ_ONLY = ['has_password', 'managed_by', 'zones_managed_by', 'revision', 'live_url', 'created_at', 'updated_at'] as const;

export const cameraViewSchema = z
  .strictObject({
    id: z.string(),
    name: z.string().optional(),
    enabled: z.boolean(),
    url: z.string().describe('redacted: credentials shown as ***; sending this value back unchanged keeps the stored URL'),
    username: z.string().optional(),
    has_password: z.boolean().describe('read-only: whether a separate password is stored (it is write-only)'),
    transport: z.enum(['tcp', 'udp']),
    loop: z.boolean(),
    location: z.strictObject({ lat: z.number(), lon: z.number(), address: z.string().optional() }),
    timezone: z.string(),
    sample_every: duration,
    zones: z.array(zoneViewSchema),
    onvif: z
      .strictObject({
        address: z.string(),
        user: z.string(),
        has_password: z.boolean().describe('read-only: whether an ONVIF password is stored (it is write-only)'),
        profile: z.string().optional(),
        timeout: duration.optional(),
      })
      .optional()
      .describe('ONVIF access as written, its password left out'),
    patrol: z
      .strictObject({
        stops: z.array(z.strictObject({ preset: z.string(), settle: duration.optional(), stay: duration.optional() })),
        manual_idle: duration.optional(),
      })
      .optional()
      .describe('the tour of presets weisu drives the dome on, as written'),
    managed_by: managedBySchema.describe('read-only'),
    zones_managed_by: z.record(z.string(), managedBySchema).describe('read-only'),
    revision: z.number().int().describe('read-only; also the ETag'),
    live_url: z.string().nullable().describe('read-only: WebSocket path of the live view (MPEG-1 for JSMpeg), signed and valid for 10 minutes; null when live view is off'),
    created_at: z.iso.datetime().describe('read-only'),
    updated_at: z.iso.datetime().describe('read-only'),
  })
  .meta({ id: 'Camera', description: 'a camera as POST /cameras takes it, without secrets, plus read-only fields a PATCH ignores' });

export type CameraView = z.infer<typeof cameraViewSchema>;

const iso = (t: string | Date) => new Date(t).toISOString();

export function cameraView(s: StoredCamera, liveUrl: string | null = null): CameraView {
  const input = s.input;
  return {
    id: s.camera.id,
    ...(input.name === undefined ? {} : { name: input.name }),
    enabled: s.camera.enabled,
    url: redactUrl(s.camera.url),
    ...(input.username === undefined ? {} : { username: input.username }),
    has_password: Boolean(s.camera.password),
    transport: s.camera.transport,
    loop: s.camera.loop,
    location: { lat: s.camera.location.lat, lon: s.camera.location.lon, ...(s.camera.location.address === undefined ? {} : { address: s.camera.location.address }) },
    timezone: s.camera.timezone,
    sample_every: input.sample_every ?? formatDuration(s.camera.sample_every),
    zones: (input.zones ?? []).map(zoneView),
    ...(input.onvif ? { onvif: onvifView(input.onvif) } : {}),
    ...(input.patrol ? { patrol: input.patrol } : {}),
    managed_by: s.managedBy,
    zones_managed_by: s.zoneManagedBy,
    revision: s.revision,
    live_url: liveUrl,
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
  };
}

/** ONVIF access as written, the password replaced by whether there is one. */
function onvifView({ password, ...rest }: NonNullable<StoredCamera['input']['onvif']>): NonNullable<CameraView['onvif']> {
  return { ...rest, has_password: Boolean(password) };
}

export function zoneView(zone: ZoneInput): z.infer<typeof zoneViewSchema> {
  return zone as z.infer<typeof zoneViewSchema>;
}

export const viewStateSchema = z
  .strictObject({
    camera_id: z.string(),
    state: z.enum(['aligned', 'view_changed', 'obstructed', 'unknown']),
    reason: z.string().optional().describe('no_match, moved, too_dark, covered, defocused'),
    since: z.iso.datetime().optional(),
    checked_at: z.iso.datetime().optional(),
    preset: z.string().optional(),
    shift: z.number().optional().describe('how far the view moved from its reference, in fractions of the picture'),
    picture_url: z.string().optional().describe('while not aligned: the first picture of the change (GET, same token)'),
  })
  .describe('whether the camera shows its reference view: aligned (rules run), view_changed or obstructed (rules paused), unknown (no reference view, or not sampled since one was taken)')
  .meta({ id: 'ViewState' });

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

export const cameraHealthSchema = z
  .strictObject({
    camera_id: z.string(),
    state: z.enum(['online', 'degraded', 'offline', 'auth_failed', 'unsupported', 'unknown']).describe('unknown: not sampled yet'),
    reason: z.enum(STREAM_REASONS).nullable().describe('why the last grab failed; null after a frame'),
    last_error: z.string().nullable().describe('the technical message of the last failure (redacted)'),
    last_frame_at: z.iso.datetime().nullable(),
    failing_since: z.iso.datetime().nullable(),
    retry_at: z.iso.datetime().nullable(),
    consecutive_failures: z.number().int(),
    width: z.number().int().nullable(),
    height: z.number().int().nullable(),
    codec: z.string().nullable(),
    keyframe_interval_ms: z.number().nullable(),
    latency_ms: z.number().nullable(),
    view: viewStateSchema.nullable().describe('whether it shows its reference view; null until the camera has been checked against one'),
  })
  .meta({ id: 'CameraHealth' });

export type CameraHealthView = z.infer<typeof cameraHealthSchema>;

/** streams' CameraHealth and the view record in the API's spelling: snake_case keys, times as ISO text, errors redacted once more. */
export function healthView(cameraId: string, h: CameraHealth | undefined, view: ViewRecord | undefined): CameraHealthView {
  const time = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
  return {
    camera_id: cameraId,
    state: h?.state ?? 'unknown',
    reason: h?.reason ?? null,
    last_error: h?.lastError === undefined ? null : redactText(h.lastError),
    last_frame_at: time(h?.lastFrameAt),
    failing_since: time(h?.failingSince),
    retry_at: time(h?.retryAt),
    consecutive_failures: h?.consecutiveFailures ?? 0,
    width: h?.width ?? null,
    height: h?.height ?? null,
    codec: h?.codec ?? null,
    keyframe_interval_ms: h?.keyframeIntervalMs ?? null,
    latency_ms: h?.latencyMs ?? null,
    view: view ? viewState(cameraId, view) : null,
  };
}
