import { Readable } from 'node:stream';
import { MAX_PICTURE_BYTES } from '../core/caps.js';
import type { NetworkCameraUrl } from './camera_url.js';
import { StreamError } from './errors.js';
import { HlsReader, type MediaPlaylist } from './hls_reader.js';
import { HttpAuth } from './http_auth.js';
import { asStreamError, cameraGet } from './http_reply.js';
import { JpegSplitter } from './jpeg.js';
import type { UrlPolicy } from './policy.js';

/**
 * An HTTP camera's video for the live relay, fetched by weisu (pinned, redirects and playlist URLs
 * judged by the policy, credentials sent only to the camera's endpoint) and handed to ffmpeg as bytes
 * on stdin: ffmpeg never gets an http(s) URL, so nothing with credentials or a token reaches its argv,
 * and nothing a camera answers can make it connect elsewhere.
 *  - MJPEG (multipart): cut into whole JPEGs by weisu's splitter (each capped at MAX_PICTURE_BYTES).
 *  - HLS: the newest segment, then each new one as the playlist lists it.
 *  - any other video over HTTP: the body as it comes.
 */
export interface LiveFeed {
  /** ffmpeg input options for the bytes (`-protocol_whitelist pipe`, the container). */
  args: string[];
  body: Readable;
  /** Whether ffmpeg should pace the bytes in real time (HLS arrives a segment at a time). */
  realtime: boolean;
}

/** Opens the feed: the first answer (and for HLS the first playlist) is in before this resolves, so refusals come out here. */
export async function openHttpFeed(camera: NetworkCameraUrl, policy: UrlPolicy, what: string, connectTimeoutMs: number): Promise<LiveFeed> {
  const ctrl = new AbortController();
  // Until the first answer only: after that the relay's no-video watchdog bounds the feed.
  const timer = setTimeout(() => ctrl.abort(new StreamError('connect_timeout', `${what}: no answer within ${connectTimeoutMs} ms`)), connectTimeoutMs);
  try {
    const feed = await open(camera, policy, what, ctrl.signal);
    // The relay destroys the body when it stops: that ends every request the feed still has open.
    feed.body.once('close', () => ctrl.abort());
    return feed;
  } catch (e) {
    ctrl.abort();
    throw ctrl.signal.reason instanceof StreamError ? ctrl.signal.reason : asStreamError(e, what);
  } finally {
    clearTimeout(timer);
  }
}

async function open(camera: NetworkCameraUrl, policy: UrlPolicy, what: string, signal: AbortSignal): Promise<LiveFeed> {
  const hls = new HlsReader(camera, policy, what);
  if (/\.m3u8$/i.test(new URL(camera.href).pathname)) return hlsFeed(hls, signal);
  const { res } = await cameraGet({ camera, url: camera, auth: HttpAuth.forCamera(camera), policy, signal, what, accept: 'multipart/x-mixed-replace, video/*, application/vnd.apple.mpegurl, */*;q=0.1' });
  const type = (res.headers['content-type'] ?? '').toLowerCase();
  if (/mpegurl/.test(type)) {
    res.destroy();
    return hlsFeed(hls, signal);
  }
  if (type.startsWith('multipart/')) return { args: ['-protocol_whitelist', 'pipe', '-f', 'mjpeg'], body: Readable.from(jpegs(res, what)), realtime: false };
  if (/^image\/|html|json|xml|javascript|^audio\//.test(type)) {
    res.destroy();
    throw new StreamError('unsupported', `${what} answered with ${type}: no video to relay`);
  }
  return { args: ['-protocol_whitelist', 'pipe'], body: res, realtime: false };
}

async function* jpegs(res: AsyncIterable<Buffer>, what: string): AsyncGenerator<Buffer> {
  const splitter = new JpegSplitter(MAX_PICTURE_BYTES);
  for await (const chunk of res) {
    let pics: Buffer[];
    try {
      pics = splitter.push(chunk);
    } catch {
      throw new StreamError('bad_data', `${what}: the MJPEG stream carries no JPEG pictures`);
    }
    yield* pics;
  }
}

async function hlsFeed(reader: HlsReader, signal: AbortSignal): Promise<LiveFeed> {
  const first = await reader.mediaPlaylist(signal);
  return { args: ['-protocol_whitelist', 'pipe', '-f', first.playlist.map ? 'mp4' : 'mpegts'], body: Readable.from(segments(reader, first, signal)), realtime: true };
}

/** The newest segment, then each one the playlist adds, until the relay stops (or an ended playlist runs out). */
async function* segments(reader: HlsReader, first: { playlist: MediaPlaylist; at: NetworkCameraUrl }, signal: AbortSignal): AsyncGenerator<Buffer> {
  let { playlist, at } = first;
  let last = -1;
  for (;;) {
    const fresh = playlist.segments.filter((s) => s.seq > last);
    for (const seg of last < 0 ? fresh.slice(-1) : fresh) {
      yield* reader.segmentBytes(seg, playlist, at, signal, last < 0);
      last = seg.seq;
    }
    if (playlist.ended && !fresh.length) return;
    await new Promise((r) => setTimeout(r, playlist.targetDurationMs / 2));
    if (signal.aborted) return;
    ({ playlist, at } = await reader.mediaPlaylist(signal));
  }
}
