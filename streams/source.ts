import type { Frame, SampledFrame } from '../core/types.js';
import { StreamError } from './errors.js';
import { redactUrl } from './redact.js';
import type { ResolvedOptions } from './options.js';
import { cameraTarget, displayUrl, parseCameraUrl, type CameraUrl } from './camera_url.js';
import { checkLocalFile, type UrlPolicy } from './policy.js';
import { BoundedSource } from './bounded_source.js';
import { FfmpegSource } from './ffmpeg_source.js';
import { FileSource } from './file_source.js';
import { HlsSource } from './hls_source.js';
import { HttpSource } from './http_source.js';

export { StreamError, type StreamErrorReason } from './errors.js';

/**
 * One camera, whatever it speaks, as one thing: a source that yields a timestamped Frame on demand.
 * Each grab may open a fresh connection (workers are stateless); close() releases anything still held.
 */
export type SourceKind = 'rtsp' | 'http_snapshot' | 'mjpeg' | 'hls' | 'file';

export interface SourceOptions {
  cameraId: string;
  /** rtsp(s)://, http(s):// (JPEG snapshot, MJPEG, .m3u8), file:// or a file path. May carry user:password@. */
  url: string;
  /** Credentials apart from the URL; these win over the URL's. */
  username?: string;
  password?: string;
  /** RTSP transport; tcp by default. */
  transport?: 'tcp' | 'udp';
  /** Files only: start again at the end. */
  loop?: boolean;
  /** Long side in px of the Frame.pixels copy scaled for inference; omit for no copy. */
  inferenceLongSide?: number;
  /** Force the kind instead of guessing it from the URL (and, for http, from the answer's content type). */
  kind?: SourceKind;
  /** Until the camera answers (TCP, RTSP DESCRIBE/SETUP, HTTP headers). Default 5000. */
  connectTimeoutMs?: number;
  /** From the answer until a whole picture is in (covers waiting for the next keyframe). Default 12000. */
  frameTimeoutMs?: number;
  /** Evidence JPEG quality, 1..100. Default 90. */
  jpegQuality?: number;
  /**
   * Files only: wall-clock ms that counts as media time 0 (default: when the source was opened). A stateless
   * worker opening a fresh source per sample passes the camera's start time so the file plays on like a live camera.
   */
  epochMs?: number;
  /**
   * RTSP: `weisu` (default) fetches the keyframe with weisu's own client and decodes it in a long-lived
   * decoder; `ffmpeg` starts ffmpeg per grab. weisu falls back to ffmpeg by itself for what its client
   * does not speak (RTSPS, UDP, codecs other than H.264/H.265).
   */
  rtspClient?: 'weisu' | 'ffmpeg';
  /**
   * Checked before every connection, every redirect hop included; the host is resolved once per
   * connection and that address is contacted (policy.ts). Omitted: any network, local files allowed.
   */
  policy?: UrlPolicy;
  /** Wall clock for live timestamps and file positions (tests replace it). */
  now?: () => number;
}

/** What the last successful grab measured (for health and `weisu cameras probe`). */
export interface GrabInfo {
  /** ffmpeg's codec name (h264, hevc, mjpeg...). */
  codec?: string;
  /** Open to connected (RTSP described, HTTP headers in). */
  connectMs?: number;
  /** Open to a whole picture. */
  latencyMs: number;
  /** RTSP only: which client fetched it (weisu's own, or ffmpeg for what that one does not speak). */
  path?: 'rtsp_client' | 'ffmpeg';
}

export interface Source {
  readonly kind: SourceKind;
  /** Set after each successful grab. */
  readonly lastGrab?: GrabInfo;
  /** One picture. Throws StreamError (reason says why) on failure, timeout or abort; never leaves a child process behind. */
  grab(signal?: AbortSignal): Promise<Frame>;
  /**
   * One picture as `grab` takes it, but its full-resolution JPEG encoded only if asked (`encodeJpeg`): what
   * the sampling job takes, since few samples become evidence. A source that receives a JPEG anyway (HTTP
   * snapshots) or makes both in one run (the ffmpeg fallback) returns it as `grab` does.
   */
  sample(signal?: AbortSignal): Promise<SampledFrame>;
  close(): Promise<void>;
}

/** What kind of source a URL names, from its scheme and path alone (http answers may refine it). Throws `bad_url`. */
export function guessKind(url: string | CameraUrl): SourceKind {
  const u = typeof url === 'string' ? parseCameraUrl(url) : url;
  if (u.kind === 'file') return 'file';
  if (u.scheme === 'rtsp' || u.scheme === 'rtsps') return 'rtsp';
  return /\.m3u8$/i.test(new URL(u.href).pathname) ? 'hls' : 'http_snapshot';
}

export function openSource(opts: SourceOptions): Source {
  if (!opts.url || typeof opts.url !== 'string') throw new StreamError('bad_url', 'url is empty');
  const target = cameraTarget(opts.url, opts.username, opts.password);
  const policy = opts.policy ?? {};
  if (target.kind === 'file') checkLocalFile(policy);
  const kind = opts.kind ?? guessKind(target);
  const resolved: ResolvedOptions = {
    ...opts,
    connectTimeoutMs: opts.connectTimeoutMs ?? 5000,
    frameTimeoutMs: opts.frameTimeoutMs ?? 12_000,
    jpegQuality: opts.jpegQuality ?? 90,
    transport: opts.transport ?? 'tcp',
    now: opts.now ?? Date.now,
    what: redactUrl(displayUrl(target)),
    target,
    policy,
  };
  return new BoundedSource(openKind(kind, resolved), resolved);
}

function openKind(kind: SourceKind, resolved: ResolvedOptions): Source {
  switch (kind) {
    case 'rtsp':
      return new FfmpegSource(resolved);
    case 'hls':
      return new HlsSource(resolved);
    case 'file':
      return new FileSource(resolved);
    case 'http_snapshot':
    case 'mjpeg':
      return new HttpSource(kind, resolved);
  }
}
