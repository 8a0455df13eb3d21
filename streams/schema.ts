import { z } from 'zod';

/** Where a camera's pictures come from. Owned by streams/: the rest of weisu sees only `Source`. */
export const sourceFields = {
  url: z
    .string()
    .min(1, 'url must not be empty: give rtsp://, rtsps://, http(s):// (snapshot, MJPEG or .m3u8) or a file path'),
  /** Credentials kept apart from the URL (either form works; these win over the URL's). Never returned or logged. */
  username: z.string().optional(),
  password: z.string().optional(),
  /** RTSP transport: tcp is reliable through NATs and firewalls; udp for cameras that only speak it. */
  transport: z.enum(['tcp', 'udp']).default('tcp'),
  /** Files only: start again at the end (demos, soak tests). */
  loop: z.boolean().default(false),
};

/** Fleet-wide stream settings (top-level `streams:` in the config). */
export const streamsSchema = z.strictObject({});
