import type { Credentials } from './http_auth.js';
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
}

/** The URL with separate credentials folded in (the fields win over the URL's own). */
export function withCredentials(url: string, username?: string, password?: string): string {
  if (username === undefined && password === undefined) return url;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  if (username !== undefined) u.username = encodeURIComponent(username);
  if (password !== undefined) u.password = encodeURIComponent(password);
  return u.toString();
}

/** ffmpeg's qscale (2 best .. 31 worst) for a 1..100 quality. */
export function jpegQscale(quality: number): number {
  const q = Math.min(100, Math.max(1, quality));
  return Math.round(2 + ((100 - q) / 99) * 29);
}

/** Credentials from the separate fields, else from the URL's userinfo (percent-decoded); undefined if none. */
export function credentials(url: URL, username?: string, password?: string): Credentials | undefined {
  const user = username ?? (url.username ? decodeURIComponent(url.username) : undefined);
  const pass = password ?? (url.password ? decodeURIComponent(url.password) : undefined);
  return user === undefined && pass === undefined ? undefined : { username: user ?? '', password: pass ?? '' };
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
