import type { Frame } from '../core/types.js';
import type { GrabInfo, Source, SourceKind } from './source.js';
import { MAX_PICTURE_BYTES } from '../core/caps.js';
import { StreamError } from './errors.js';
import { HlsSource } from './hls_source.js';
import { HttpAuth } from './http_auth.js';
import { JpegSplitter } from './jpeg.js';
import type { IncomingMessage } from 'node:http';
import type { NetworkCameraUrl } from './camera_url.js';
import type { ResolvedOptions } from './options.js';
import { asJpeg, scaledPixels } from './pictures.js';
import { cameraGet, httpGrab, readCapped } from './http_reply.js';

/**
 * HTTP cameras: a JPEG snapshot URL (ONVIF GetSnapshotUri style) or a multipart MJPEG stream, told
 * apart by the answer's content type; an .m3u8 answer is handed on as HLS. Basic and Digest auth.
 * Fetched by weisu's own pinned GET (pinned_http.ts): the checked address, every redirect hop checked.
 */
export class HttpSource implements Source {
  lastGrab?: GrabInfo;
  private detected?: SourceKind;
  private readonly auth: HttpAuth;
  private readonly url: NetworkCameraUrl;
  private hls?: HlsSource;

  constructor(
    private readonly initial: 'http_snapshot' | 'mjpeg',
    private readonly o: ResolvedOptions,
  ) {
    if (o.target.kind !== 'network') throw new StreamError('bad_url', `${o.what}: not an http(s) URL`);
    this.url = o.target;
    this.auth = HttpAuth.forCamera(o.target);
  }

  get kind(): SourceKind {
    return this.detected ?? this.initial;
  }

  async grab(signal?: AbortSignal): Promise<Frame> {
    if (this.hls) return this.grabHls(signal);
    const started = this.o.now();
    return httpGrab(this.o.what, signal, async (requests, deadline) => {
      deadline.arm(this.o.connectTimeoutMs, () => new StreamError('connect_timeout', `${this.o.what}: no answer within ${this.o.connectTimeoutMs} ms`));
      const res = await this.request(requests);
      const connectMs = this.o.now() - started;
      const type = (res.headers['content-type'] ?? '').toLowerCase();
      const kind = kindOf(type, this.url.href);
      if (kind === 'hls') {
        res.destroy();
        deadline.clear();
        this.detected = 'hls';
        this.hls = new HlsSource(this.o);
        return await this.grabHls(signal);
      }
      if (kind === 'unsupported') {
        res.destroy();
        const hint = type.includes('html') ? ' (a web page: give the snapshot or stream URL, not the camera\'s page)' : /^video\//.test(type) ? ' (a video over plain HTTP: give the camera\'s RTSP or HLS URL)' : '';
        throw new StreamError('unsupported', `${this.o.what} answered with ${type}, not a picture or MJPEG stream${hint}`);
      }
      deadline.arm(this.o.frameTimeoutMs, () => new StreamError('no_frame', `${this.o.what}: connected but no whole picture within ${this.o.frameTimeoutMs} ms`));
      const body = kind === 'mjpeg' ? await firstPart(res, this.o.what) : await readCapped(res, this.o.what, MAX_PICTURE_BYTES, 'a snapshot');
      this.detected = kind;
      const pictureAt = this.o.now();
      const pic = await asJpeg(body, this.o.jpegQuality, this.o.what);
      const pixels = this.o.inferenceLongSide ? await scaledPixels(pic.jpeg, pic.width, pic.height, this.o.inferenceLongSide, this.o.what) : undefined;
      this.lastGrab = { codec: kind === 'mjpeg' ? 'mjpeg' : 'jpeg', connectMs, latencyMs: pictureAt - started };
      return { cameraId: this.o.cameraId, ts: pictureAt, width: pic.width, height: pic.height, jpeg: pic.jpeg, pixels };
    });
  }

  /** A snapshot arrives as a JPEG, and HLS goes through one ffmpeg run making both: the frame keeps its JPEG. */
  sample(signal?: AbortSignal): Promise<Frame> {
    return this.grab(signal);
  }

  private async grabHls(signal?: AbortSignal): Promise<Frame> {
    const frame = await this.hls!.grab(signal);
    this.lastGrab = this.hls!.lastGrab;
    return frame;
  }

  /** The camera's answer (auth, redirects, policy: http_reply.ts). */
  private async request(signal: AbortSignal): Promise<IncomingMessage> {
    const accept = 'image/jpeg, multipart/x-mixed-replace, image/*;q=0.8, */*;q=0.1';
    return (await cameraGet({ camera: this.url, url: this.url, auth: this.auth, policy: this.o.policy, signal, what: this.o.what, accept })).res;
  }

  async close(): Promise<void> {
    await this.hls?.close();
  }
}

function kindOf(type: string, href: string): 'http_snapshot' | 'mjpeg' | 'hls' | 'unsupported' {
  if (type.startsWith('multipart/')) return 'mjpeg';
  if (/mpegurl/.test(type) || /\.m3u8$/i.test(new URL(href).pathname)) return 'hls';
  // Pages, API answers and other media are not snapshots; anything else (image/*, octet-stream, the odd
  // text/plain of cheap cameras) is read and judged by its bytes.
  if (/html|json|xml|javascript|^video\/|^audio\//.test(type)) return 'unsupported';
  return 'http_snapshot';
}

/** First whole JPEG of a multipart stream (cut by JPEG structure, so odd boundaries do not matter). */
async function firstPart(res: IncomingMessage, what: string): Promise<Buffer> {
  const splitter = new JpegSplitter(MAX_PICTURE_BYTES);
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      let pics: Buffer[];
      try {
        pics = splitter.push(chunk);
      } catch {
        throw new StreamError('bad_data', `${what}: the MJPEG stream carries no JPEG pictures`);
      }
      if (pics[0]) return pics[0];
    }
    throw new StreamError('disconnected', `${what}: the MJPEG stream ended before a whole picture`);
  } finally {
    res.destroy();
  }
}
