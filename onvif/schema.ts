import { z } from 'zod';
import { durationField } from '../core/duration.js';
import { presetToken } from '../core/preset.js';

/**
 * A camera's `onvif:` (how weisu moves a PTZ dome) and `patrol:` (the tour weisu drives it on). Owned by
 * onvif/; config/schema.ts composes them into the camera. See docs/moving-cameras.md.
 */

export const onvifSchema = z
  .strictObject({
    address: z
      .url({ protocol: /^http$/, error: 'onvif.address must be an http:// URL of the device service, e.g. http://192.0.2.10/onvif/device_service' })
      .describe('the camera\'s ONVIF device service, e.g. http://192.0.2.10/onvif/device_service (judged by the same URL policy as the camera URL)'),
    user: z.string().min(1).max(64).describe('ONVIF user (an operator-level account is enough: presets, GotoPreset, GetStatus)'),
    password: z.string().max(256).describe('ONVIF password, sent only as a WS-Security digest; never returned or logged (write ${VAR} to take it from the environment)'),
    profile: z.string().regex(/^[\x21-\x7e]{1,64}$/).optional().describe('media profile token; default: the first profile with a PTZ configuration'),
    timeout: durationField('onvif.timeout').prefault('5s').describe('longest wait for one ONVIF reply'),
  })
  .describe('ONVIF access to a PTZ dome: presets are read from it and patrols drive it');

export const patrolSchema = z
  .strictObject({
    stops: z
      .array(
        z.strictObject({
          preset: presetToken.describe('the preset to go to (a token from GET /cameras/{id}/presets)'),
          settle: durationField('patrol.stops[].settle').prefault('3s').describe('after the head arrives, wait this long before sampling (focus and exposure settle)'),
          stay: durationField('patrol.stops[].stay').prefault('1m').describe('time at this preset, sampling, before the next stop'),
        }),
      )
      .min(1, 'a patrol needs at least one stop')
      .max(64, 'a patrol has at most 64 stops')
      .describe('the presets in the order they are visited, round and round'),
    manual_idle: durationField('patrol.manual_idle')
      .prefault('5m')
      .describe('when someone else moves the dome (an operator at the joystick), the patrol pauses; it resumes this long after the head was last seen moving'),
  })
  .describe('a tour of presets weisu drives the dome on; zones with `preset` are watched only while the dome is at that preset');

export type OnvifConfig = z.output<typeof onvifSchema>;
export type PatrolConfig = z.output<typeof patrolSchema>;
