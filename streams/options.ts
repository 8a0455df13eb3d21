import type { CameraUrl } from './camera_url.js';
import type { UrlPolicy } from './policy.js';
import type { SourceOptions } from './source.js';

/** Settings every source implementation receives, defaults applied. */
export interface ResolvedOptions extends SourceOptions {
  connectTimeoutMs: number;
  frameTimeoutMs: number;
  jpegQuality: number;
  transport: 'tcp' | 'udp';
  now: () => number;
  /** Redacted URL for messages. */
  what: string;
  /** The URL as parsed once (camera_url.ts), separate credentials folded in: what every connection uses. */
  target: CameraUrl;
  policy: UrlPolicy;
}

/** ffmpeg's qscale (2 best .. 31 worst) for a 1..100 quality. */
export function jpegQscale(quality: number): number {
  const q = Math.min(100, Math.max(1, quality));
  return Math.round(2 + ((100 - q) / 99) * 29);
}

/** The picture settings every ffmpeg grab of a source shares (spread into grabPicture's request). */
export function pictureSettings(o: ResolvedOptions): { what: string; inferenceLongSide?: number; jpegQscale: number; connectTimeoutMs: number; frameTimeoutMs: number } {
  return {
    what: o.what,
    inferenceLongSide: o.inferenceLongSide,
    jpegQscale: jpegQscale(o.jpegQuality),
    connectTimeoutMs: o.connectTimeoutMs,
    frameTimeoutMs: o.frameTimeoutMs,
  };
}
