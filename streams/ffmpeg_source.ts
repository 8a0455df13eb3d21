import type { Frame, SampledFrame } from '../core/types.js';
import { fullJpeg } from '../core/frames.js';
import type { GrabInfo, Source } from './source.js';
import { StreamError } from './errors.js';
import { grabPicture, type GrabbedPicture } from './ffmpeg_grab.js';
import { decodeKeyframe } from './keyframe_decoder.js';
import { jpegQscale, pictureSettings, type ResolvedOptions } from './options.js';
import { parseCameraUrl, sameEndpoint, type NetworkCameraUrl } from './camera_url.js';
import { ffmpegNetworkInput } from './ffmpeg_input.js';
import { MAX_REDIRECTS } from './pinned_http.js';
import { pinTarget } from './policy.js';
import { fetchKeyframe, NeedsFfmpeg, RtspRedirect } from './rtsp_client.js';
import { diagnoseRtspTimeout } from './rtsp_diagnose.js';

/**
 * RTSP cameras, one keyframe per grab, two ways:
 *  - RTSP over TCP with H.264/H.265 (nearly every IP camera and NVR): weisu's own RTSP client fetches the
 *    first keyframe's packets and a long-lived decoder decodes that one picture — no process start per sample.
 *  - everything else (RTSPS, UDP, other codecs, or `rtspClient: 'ffmpeg'`): one short ffmpeg run
 *    decoding keyframes only (`-skip_frame nokey`).
 * Either way a sample costs one keyframe decode whatever the GOP, never a full decode. Either way the
 * host is resolved once, checked by the policy and contacted at that address; an RTSP redirect is
 * checked like the first URL before anything follows it.
 */
/** A grabbed picture whose JPEG may be left for later. */
type Picture = Omit<GrabbedPicture, 'jpeg'> & { jpeg?: Buffer; encodeJpeg?: () => Promise<Buffer> };

export class FfmpegSource implements Source {
  readonly kind = 'rtsp' as const;
  lastGrab?: GrabInfo;
  /** Set once a camera's SDP turned out too thin for ffmpeg's fast start (no sprop-parameter-sets). */
  private fullProbe = false;
  /** Set once weisu's RTSP client found something it does not speak. */
  private needsFfmpeg: boolean;
  private closed = false;
  /** Where weisu's client followed RTSP redirects to (checked): the ffmpeg fallback opens that, not the original. */
  private hopTarget?: NetworkCameraUrl;

  constructor(private readonly o: ResolvedOptions) {
    if (o.target.kind !== 'network') throw new StreamError('bad_url', `${o.what}: not a network camera URL`);
    this.needsFfmpeg = o.rtspClient === 'ffmpeg' || o.transport !== 'tcp' || o.target.scheme !== 'rtsp';
  }

  private get target(): NetworkCameraUrl {
    return this.hopTarget ?? (this.o.target as NetworkCameraUrl);
  }

  async grab(signal?: AbortSignal): Promise<Frame> {
    const frame = await this.take(true, signal);
    return { ...frame, jpeg: await fullJpeg(frame) };
  }

  sample(signal?: AbortSignal): Promise<SampledFrame> {
    return this.take(false, signal);
  }

  /** `jpeg` false: weisu's RTSP client path leaves the JPEG to `encodeJpeg` (the ffmpeg path makes it in the same run anyway). */
  private async take(jpeg: boolean, signal?: AbortSignal): Promise<SampledFrame> {
    if (this.closed) throw new StreamError('aborted', `${this.o.what}: source is closed`);
    // Once ffmpeg reads this camera, it keeps opening the target weisu's client checked (ffmpeg would
    // follow the original's redirect itself, unchecked); the policy judges that target again each time.
    if (!this.needsFfmpeg) this.hopTarget = undefined;
    const started = this.o.now();
    let pic: Picture | undefined;
    if (!this.needsFfmpeg) {
      try {
        pic = await this.viaRtspClient(jpeg, signal);
      } catch (e) {
        if (!(e instanceof NeedsFfmpeg)) throw e;
        this.needsFfmpeg = true;
      }
    }
    pic ??= await this.viaFfmpeg(signal);
    this.lastGrab = {
      codec: pic.codec,
      connectMs: pic.connectedAt === undefined ? undefined : pic.connectedAt - started,
      latencyMs: pic.pictureAt - started,
      path: this.needsFfmpeg ? 'ffmpeg' : 'rtsp_client',
    };
    // Capture time: when the picture arrived, on the source's clock.
    const ts = this.o.now() - (Date.now() - pic.pictureAt);
    return { cameraId: this.o.cameraId, ts, width: pic.width, height: pic.height, pixels: pic.pixels, ...(pic.jpeg ? { jpeg: pic.jpeg } : {}), ...(pic.encodeJpeg ? { encodeJpeg: pic.encodeJpeg } : {}) };
  }

  /** weisu's RTSP client at the pinned address; redirects followed only after the policy passed them. */
  private async viaRtspClient(jpeg: boolean, signal?: AbortSignal): Promise<Picture> {
    for (let hop = 0; ; hop++) {
      const target = this.target;
      const pinned = await pinTarget(target, this.o.policy);
      try {
        return await this.fetchAndDecode(target, pinned.address, jpeg, signal);
      } catch (e) {
        if (!(e instanceof RtspRedirect)) throw e;
        if (hop >= MAX_REDIRECTS) throw new StreamError('failed', `${this.o.what}: more than ${MAX_REDIRECTS} RTSP redirects`);
        this.hopTarget = this.redirectTarget(e.location, target);
      }
    }
  }

  private redirectTarget(location: string, from: NetworkCameraUrl): NetworkCameraUrl {
    let next;
    try {
      next = parseCameraUrl(location);
    } catch {
      throw new StreamError('bad_data', `${this.o.what}: the camera redirected to something that is not a valid URL`);
    }
    if (next.kind !== 'network' || next.scheme !== 'rtsp') throw new StreamError('unsupported', `${this.o.what}: the camera redirected to a URL that is not rtsp://`);
    // Credentials belong to the endpoint they were given for.
    if (sameEndpoint(next, from)) {
      next.username ??= from.username;
      next.password ??= from.password;
    }
    return next;
  }

  private async fetchAndDecode(target: NetworkCameraUrl, address: string, jpeg: boolean, signal?: AbortSignal): Promise<Picture> {
    const k = await fetchKeyframe({
      url: target.href,
      address,
      username: target.username,
      password: target.password,
      what: this.o.what,
      connectTimeoutMs: this.o.connectTimeoutMs,
      frameTimeoutMs: this.o.frameTimeoutMs,
      signal,
    });
    const settings = { codec: k.codec, jpegQscale: jpegQscale(this.o.jpegQuality), what: this.o.what, timeoutMs: Math.max(5000, this.o.frameTimeoutMs) };
    const decoding = decodeKeyframe(k.au, { ...settings, inferenceLongSide: this.o.inferenceLongSide, jpeg, signal });
    if (!decoding) throw new NeedsFfmpeg('sequence parameter set weisu cannot read');
    const pic = await decoding;
    // The same access unit decoded again, for its JPEG alone, when the sample turns out to be evidence (once).
    let encoded: Promise<Buffer> | undefined;
    const encodeJpeg = () =>
      (encoded ??= decodeKeyframe(k.au, settings)!.then((p) => p.jpeg!));
    return { ...pic, ...(pic.jpeg ? {} : { encodeJpeg }), connectedAt: k.connectedAt, pictureAt: k.pictureAt, codec: k.codec };
  }

  /** The input's own options (`-rtsp_transport`...) and its probe sizes, as ffmpeg_input.ts places them. */
  private inputOptions(): { options: [string, string][]; probe: [string, string][] } {
    const us = String(Math.max(this.o.connectTimeoutMs, this.o.frameTimeoutMs) * 1000);
    // Fast start: the SDP already says codec and size, so do not buffer seconds of video to "analyse" it;
    // a keyframe-only decoder would otherwise wait the whole 5 s default.
    const probe: [string, string][] = this.fullProbe ? [['probesize', '5000000'], ['analyzeduration', '10000000']] : [['probesize', '32768'], ['analyzeduration', '0']];
    return { options: [['rtsp_transport', this.o.transport], ['timeout', us]], probe };
  }

  private async viaFfmpeg(signal?: AbortSignal): Promise<Picture> {
    const target = this.target;
    const pinned = await pinTarget(target, this.o.policy);
    const attempt = () => {
      const { options, probe } = this.inputOptions();
      const net = ffmpegNetworkInput(target, pinned, options, probe);
      return grabPicture({
        inputArgs: [...net.args, '-skip_frame', 'nokey'],
        input: net.input,
        stdin: net.stdin,
        ...pictureSettings(this.o),
        signal,
      });
    };
    try {
      return await attempt();
    } catch (e) {
      if (!(e instanceof StreamError)) throw e;
      if (e.reason === 'connect_timeout') throw await diagnoseRtspTimeout(target, pinned.address, this.o.what, Math.min(1000, this.o.connectTimeoutMs), e);
      if (this.fullProbe || !/codec parameters|unspecified size/i.test(e.message)) throw e;
      this.fullProbe = true;
      return attempt();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
