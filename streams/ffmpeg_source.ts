import type { Frame } from '../core/types.js';
import type { GrabInfo, Source } from './source.js';
import { StreamError } from './errors.js';
import { grabPicture } from './ffmpeg_grab.js';
import { checkUrlPolicy } from './policy.js';
import { diagnoseRtspTimeout } from './rtsp_diagnose.js';
import { jpegQscale, withCredentials, type ResolvedOptions } from './options.js';

/**
 * RTSP and HLS cameras: one short ffmpeg run per grab, decoding the first keyframe only
 * (`-skip_frame nokey`), so a sample costs one keyframe decode plus process start-up whatever the GOP.
 */
export class FfmpegSource implements Source {
  lastGrab?: GrabInfo;
  /** Set once a camera's SDP turned out too thin for the fast start (no sprop-parameter-sets). */
  private fullProbe = false;
  private closed = false;

  constructor(
    readonly kind: 'rtsp' | 'hls',
    private readonly o: ResolvedOptions,
  ) {}

  private inputArgs(): string[] {
    const us = String(Math.max(this.o.connectTimeoutMs, this.o.frameTimeoutMs) * 1000);
    // Fast start: the SDP (RTSP) or the parser (HLS' MPEG-TS) already says codec and size, so do not
    // buffer seconds of video to "analyse" it; a keyframe-only decoder would otherwise wait the whole 5 s default.
    const probe = this.fullProbe ? ['-probesize', '5000000', '-analyzeduration', '10000000'] : ['-probesize', '32768', '-analyzeduration', '0'];
    const common = ['-skip_frame', 'nokey', ...probe];
    if (this.kind === 'rtsp') return ['-rtsp_transport', this.o.transport, '-timeout', us, ...common];
    // HLS: start at the newest segment (freshest picture) and give up on a silent server.
    return ['-rw_timeout', us, '-live_start_index', '-1', ...common];
  }

  async grab(signal?: AbortSignal): Promise<Frame> {
    if (this.closed) throw new StreamError('aborted', `${this.o.what}: source is closed`);
    if (this.o.allowNetworks?.length) await checkUrlPolicy(this.o.url, { allowNetworks: this.o.allowNetworks });
    const started = this.o.now();
    const attempt = () =>
      grabPicture({
        inputArgs: this.inputArgs(),
        input: withCredentials(this.o.url, this.o.username, this.o.password),
        what: this.o.what,
        inferenceLongSide: this.o.inferenceLongSide,
        jpegQscale: jpegQscale(this.o.jpegQuality),
        connectTimeoutMs: this.o.connectTimeoutMs,
        frameTimeoutMs: this.o.frameTimeoutMs,
        signal,
      });
    let pic;
    try {
      pic = await attempt();
    } catch (e) {
      if (!(e instanceof StreamError)) throw e;
      if (e.reason === 'connect_timeout' && this.kind === 'rtsp') throw await diagnoseRtspTimeout(this.o.url, this.o.what, Math.min(1000, this.o.connectTimeoutMs), e);
      if (this.fullProbe || !/codec parameters|unspecified size/i.test(e.message)) throw e;
      this.fullProbe = true;
      pic = await attempt();
    }
    this.lastGrab = {
      codec: pic.codec,
      connectMs: pic.connectedAt === undefined ? undefined : pic.connectedAt - started,
      latencyMs: pic.pictureAt - started,
    };
    // Capture time: when the picture arrived, on the source's clock.
    const ts = this.o.now() - (Date.now() - pic.pictureAt);
    return { cameraId: this.o.cameraId, ts, width: pic.width, height: pic.height, jpeg: pic.jpeg, pixels: pic.pixels };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
