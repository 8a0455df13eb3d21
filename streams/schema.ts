import { z } from 'zod';
import { durationField } from '../core/duration.js';
import type { BackoffPolicy } from './health.js';
import { parseCameraUrl } from './camera_url.js';
import { StreamError } from './errors.js';
import { networkList, policyFor, type CameraOrigin } from './policy.js';
import type { SourceOptions } from './source.js';

/** Where a camera's pictures come from. Owned by streams/: the rest of weisu sees only `Source`. */
export const sourceFields = {
  url: z
    .string()
    .min(1, 'url must not be empty: give rtsp://, rtsps://, http(s):// (snapshot, MJPEG or .m3u8) or a file path')
    .superRefine((value, ctx) => {
      // One parser for everyone: what is refused here is what nothing would read the same way twice.
      try {
        parseCameraUrl(value);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: e instanceof StreamError ? `${e.message}: ${e.fix}` : String(e) });
      }
    })
    .describe('where the pictures come from: rtsp://, rtsps://, http(s):// (JPEG snapshot, MJPEG or .m3u8), or a video file path (relative to the config file)'),
  username: z.string().optional().describe('Credentials kept apart from the URL (either form works; these win over the URL\'s). Never returned or logged.'),
  password: z.string().optional().describe('the camera password (see username); never returned or logged'),
  transport: z.enum(['tcp', 'udp']).default('tcp').describe('RTSP transport: tcp is reliable through NATs and firewalls; udp for cameras that only speak it.'),
  loop: z.boolean().default(false).describe('Files only: start again at the end (demos, soak tests).'),
};

const cidr = z.string().superRefine((value, ctx) => {
  try {
    networkList([value]);
  } catch {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a network in CIDR form: write e.g. 10.20.0.0/16, 192.168.1.10/32 or fd00::/8` });
  }
});

/** Fleet-wide stream settings (top-level `streams:` in the config). */
export const streamsSchema = z.strictObject({
  allow_networks: z
    .array(cidr)
    .default([])
    .describe(
      'Networks cameras may be in (CIDRs). Empty = any. Set it when URLs come from API callers, so a worker cannot be made to fetch internal hosts. ' +
        'Enforced for every camera, from the file or the API, wherever it is contacted (workers, probe, live view).',
    ),
  allow_local_from_api: z
    .boolean()
    .default(false)
    .describe(
      'Cameras added through the API may reach loopback, link-local (cloud metadata) and unspecified addresses and local files. ' +
        'Off by default: an API caller could otherwise read frames from the server itself or its metadata service. Cameras in this file are not affected.',
    ),
  connect_timeout: durationField('connect_timeout').prefault('5s').describe('Until a camera answers (TCP, RTSP DESCRIBE, HTTP headers).'),
  frame_timeout: durationField('frame_timeout').prefault('12s').describe('From the answer until a whole picture: must exceed the longest keyframe interval of the fleet.'),
  jpeg_quality: z.number().int().min(1).max(100).default(90).describe('Evidence JPEG quality, 1..100.'),
  retry: z
    .strictObject({
      first: durationField('retry.first').prefault('5s').describe('wait before the first retry; each failure in a row doubles it (± 20 % jitter)'),
      max: durationField('retry.max').prefault('5m').describe('the longest wait between retries'),
      offline_after: z.number().int().min(1).max(100).default(3).describe('failures in a row after which a camera counts as offline rather than degraded'),
    })
    .prefault({})
    .describe('Retrying failing cameras: first delay, cap, and failures in a row before a camera counts as offline.'),
  live: z
    .strictObject({
      max_relays: z.number().int().min(0).max(64).default(4).describe('At most this many cameras relayed at once (each costs one ffmpeg transcoding).'),
      width: z.number().int().min(160).max(1920).default(960).describe('Width of the relayed picture (MPEG-1 for JSMpeg; height follows the aspect ratio).'),
      linger: durationField('live.linger').prefault('5s').describe('Stop a relay this long after its last viewer left (a page reload keeps the stream).'),
    })
    .prefault({})
    .describe('Live view relays (RTSP → MPEG-1 over WebSocket for the console).'),
});

export type StreamsConfig = z.output<typeof streamsSchema>;

/** The fleet settings as `openSource` options for a camera of this origin (spread them under the camera's own fields). */
export function sourceDefaults(s: StreamsConfig, origin: CameraOrigin = 'config'): Pick<SourceOptions, 'connectTimeoutMs' | 'frameTimeoutMs' | 'jpegQuality' | 'policy'> {
  return {
    connectTimeoutMs: s.connect_timeout,
    frameTimeoutMs: s.frame_timeout,
    jpegQuality: s.jpeg_quality,
    policy: policyFor(s, origin),
  };
}

/** The fleet retry settings for `nextHealth`. */
export function backoffPolicy(s: StreamsConfig): BackoffPolicy {
  return { baseMs: s.retry.first, maxMs: Math.max(s.retry.first, s.retry.max), jitter: 0.2, offlineAfter: s.retry.offline_after };
}
