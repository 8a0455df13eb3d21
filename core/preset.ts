import { z } from 'zod';

/**
 * A PTZ preset token as weisu stores it: in reference views, zones (`preset`) and patrol stops. Here, in
 * core/, because rules/, onvif/ and api/ all name presets and must agree on what a token may be.
 */
export const presetToken = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'preset token uses only letters, digits, _ . - (at most 64), as GET /cameras/{id}/presets lists them');
