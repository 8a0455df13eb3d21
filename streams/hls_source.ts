import type { Frame } from '../core/types.js';
import type { GrabInfo, Source } from './source.js';
import { StreamError } from './errors.js';
import { grabPicture } from './ffmpeg_grab.js';
import { HlsReader } from './hls_reader.js';
import { httpGrab } from './http_reply.js';
import { pictureSettings, type ResolvedOptions } from './options.js';

/**
 * HLS cameras, one keyframe per grab: weisu reads the playlist and the newest segment itself (hls_reader.ts:
 * pinned, every URL judged by the policy, capped) and ffmpeg decodes the first keyframe of the bytes it is
 * handed on stdin, with only the `pipe` protocol allowed. The connect timeout covers the playlists and
 * the segment's answer; ffmpeg's own deadlines cover the picture.
 */
export class HlsSource implements Source {
  readonly kind = 'hls' as const;
  lastGrab?: GrabInfo;
  private readonly reader: HlsReader;

  constructor(private readonly o: ResolvedOptions) {
    if (o.target.kind !== 'network' || (o.target.scheme !== 'http' && o.target.scheme !== 'https')) throw new StreamError('bad_url', `${o.what}: HLS needs an http(s) URL`);
    this.reader = new HlsReader(o.target, o.policy, o.what);
  }

  async grab(signal?: AbortSignal): Promise<Frame> {
    const started = this.o.now();
    return httpGrab(this.o.what, signal, async (requests, deadline) => {
      deadline.arm(this.o.connectTimeoutMs, () => new StreamError('connect_timeout', `${this.o.what}: no playlist and segment within ${this.o.connectTimeoutMs} ms`));
      const segment = await this.reader.newestSegment(requests);
      deadline.clear();
      const pic = await grabPicture({
        // Keyframes only; a short probe: the segment starts with its parameter sets and a keyframe.
        inputArgs: ['-protocol_whitelist', 'pipe', '-f', segment.format, '-probesize', '1000000', '-analyzeduration', '2000000', '-skip_frame', 'nokey'],
        input: 'pipe:0',
        stdin: segment.body,
        ...pictureSettings(this.o),
        signal: requests,
      });
      this.lastGrab = { codec: pic.codec, connectMs: pic.connectedAt === undefined ? undefined : pic.connectedAt - started, latencyMs: pic.pictureAt - started };
      const ts = this.o.now() - (Date.now() - pic.pictureAt);
      return { cameraId: this.o.cameraId, ts, width: pic.width, height: pic.height, jpeg: pic.jpeg, pixels: pic.pixels };
    });
  }

  /** One ffmpeg run makes the JPEG and the inference copy together: the frame keeps its JPEG. */
  sample(signal?: AbortSignal): Promise<Frame> {
    return this.grab(signal);
  }

  async close(): Promise<void> {}
}
