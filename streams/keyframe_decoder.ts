import type { Readable } from 'node:stream';
import type { RawImage } from '../core/types.js';
import { MAX_PICTURE_PIXELS } from '../core/caps.js';
import { StreamError } from './errors.js';
import { inferenceSize, outputArgs, pixelsOutputArgs } from './ffmpeg_grab.js';
import { startFfmpeg, type FfmpegRun } from './ffmpeg.js';
import { JpegSplitter, jpegSize } from './jpeg.js';
import { PpmSplitter } from './ppm.js';
import type { VideoCodec } from './rtp_keyframe.js';
import { spsSize } from './sps.js';

/**
 * Long-lived ffmpeg decoders fed keyframe access units on stdin (Annex-B, each closed by an access unit
 * delimiter), answering each with the full JPEG, the inference copy, or both. Starting ffmpeg costs more
 * CPU than decoding a 1080p keyframe, so a worker keeps a couple of these per (codec, outputs, inference
 * size, quality) instead of starting one per sample; they exit after `IDLE_MS` without work. Encoding the
 * full-resolution JPEG costs about as much as the decode itself, so the sampling job asks for the
 * inference copy alone and has the same access unit decoded again for a JPEG when it needs evidence.
 *
 * One access unit is in flight per process at a time, so an answer can never be paired with another
 * camera's request; a unit that yields no picture in time gets the process killed and replaced.
 */
export interface DecodedPicture {
  /** Absent when only the inference copy was asked for. */
  jpeg?: Buffer;
  width: number;
  height: number;
  pixels?: RawImage;
}

interface Job {
  au: Buffer;
  /** Size the SPS announces: the picture must come back at exactly this size. */
  size: { width: number; height: number };
  what: string;
  timeoutMs: number;
  resolve: (p: DecodedPicture) => void;
  reject: (e: Error) => void;
  /** The caller gave up; the answer (if any) is thrown away. */
  cancelled?: boolean;
}

const IDLE_MS = 30_000;
const PER_KEY = 2;

class KeyframeDecoder {
  private run?: FfmpegRun;
  private jpegs!: JpegSplitter;
  private ppms!: PpmSplitter;
  private gotJpeg?: Buffer;
  private gotPixels?: RawImage;
  private current?: Job;
  private timer?: NodeJS.Timeout;
  private idle?: NodeJS.Timeout;
  readonly queue: Job[] = [];
  lastUsed = 0;

  constructor(
    private readonly codec: VideoCodec,
    private readonly inferenceLongSide: number | undefined,
    private readonly jpegQscale: number,
    /** False: the inference copy alone (on stdout); `inferenceLongSide` is then set. */
    private readonly withJpeg: boolean,
  ) {}

  get load(): number {
    return this.queue.length + (this.current ? 1 : 0);
  }

  decode(au: Buffer, size: { width: number; height: number }, what: string, timeoutMs: number, signal?: AbortSignal): Promise<DecodedPicture> {
    return new Promise<DecodedPicture>((resolve, reject) => {
      const job: Job = { au, size, what, timeoutMs, resolve, reject };
      const onAbort = () => {
        job.cancelled = true;
        const i = this.queue.indexOf(job);
        if (i >= 0) this.queue.splice(i, 1);
        reject(new StreamError('aborted', `${what}: read cancelled`));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      job.resolve = (p) => (done(), resolve(p));
      job.reject = (e) => (done(), reject(e));
      this.queue.push(job);
      this.next();
    });
  }

  private start(): FfmpegRun {
    const outputs = this.withJpeg ? outputArgs(this.inferenceLongSide, this.jpegQscale, undefined) : pixelsOutputArgs(this.inferenceLongSide!);
    // With the JPEG on stdout the inference copy comes on fd 3; alone, on stdout.
    const twoOutputs = this.withJpeg && this.inferenceLongSide !== undefined;
    const run = startFfmpeg(
      ['-hide_banner', '-loglevel', 'error', '-flags', 'low_delay', '-threads', '1', '-probesize', '32', '-analyzeduration', '0', '-f', this.codec, '-i', 'pipe:0', '-an', ...outputs],
      { stdin: true, extraPipes: twoOutputs ? 1 : 0, longLived: true },
    );
    this.jpegs = new JpegSplitter();
    this.ppms = new PpmSplitter();
    run.child.stdin!.on('error', () => undefined); // a dead decoder is handled by its exit
    // A picture nobody asked for means the decoder is out of step with its requests: replace it rather
    // than ever hand one camera's picture to another.
    const jpegOut = this.withJpeg ? run.child.stdout! : undefined;
    const ppmOut = (this.withJpeg ? run.child.stdio[3] : run.child.stdout) as Readable | undefined;
    jpegOut?.on('data', (d: Buffer) => {
      for (const pic of this.jpegs.push(d)) {
        if (!this.current || this.gotJpeg) return run.kill();
        this.gotJpeg = pic;
      }
      this.maybeDone();
    });
    ppmOut?.on('data', (d: Buffer) => {
      try {
        for (const px of this.ppms.push(d)) {
          if (!this.current || this.gotPixels) return run.kill();
          this.gotPixels = px;
        }
      } catch {
        return run.kill();
      }
      this.maybeDone();
    });
    void run.exited.then((exit) => {
      if (this.run !== run) return;
      this.run = undefined;
      clearTimeout(this.timer);
      const job = this.current;
      this.current = undefined;
      if (job && !job.cancelled) job.reject(exit.missing ?? new StreamError('bad_data', `${job.what}: the keyframe did not decode (${run.stderr().trim().split('\n').at(-1) || `decoder exited ${exit.code ?? exit.signal}`})`));
      this.next();
    });
    return run;
  }

  /** An idle decoder must not keep the process alive (a CLI would hang until IDLE_MS); a busy one must. */
  private hold(run: FfmpegRun | undefined, on: boolean): void {
    if (!run) return;
    const c = run.child;
    for (const h of [c, c.stdin, c.stdout, c.stderr, c.stdio[3]] as ({ ref(): void; unref(): void } | null | undefined)[]) {
      if (on) h?.ref();
      else h?.unref();
    }
  }

  private next(): void {
    if (this.current) return;
    const job = this.queue.shift();
    clearTimeout(this.idle);
    if (!job) {
      this.hold(this.run, false);
      this.idle = setTimeout(() => this.stop(), IDLE_MS);
      this.idle.unref();
      return;
    }
    this.run ??= this.start();
    this.hold(this.run, true);
    this.current = job;
    this.gotJpeg = undefined;
    this.gotPixels = undefined;
    const run = this.run;
    this.timer = setTimeout(() => run.kill(), job.timeoutMs);
    run.child.stdin!.write(job.au);
  }

  private maybeDone(): void {
    const job = this.current;
    if (!job || (this.withJpeg && !this.gotJpeg) || (this.inferenceLongSide && !this.gotPixels)) return;
    clearTimeout(this.timer);
    const jpeg = this.gotJpeg;
    const pixels = this.gotPixels;
    this.current = undefined;
    if (!this.isPictureOf(job, jpeg, pixels)) {
      // Not the picture that was sent: fail this one and start over with a fresh decoder.
      this.current = job;
      this.run?.kill();
      return;
    }
    if (!job.cancelled) job.resolve({ ...(jpeg ? { jpeg } : {}), ...job.size, pixels });
    this.next();
  }

  /** The answer has the size of the picture sent: the JPEG exactly, the inference copy as scaled from it (±2 px of rounding). */
  private isPictureOf(job: Job, jpeg: Buffer | undefined, pixels: RawImage | undefined): boolean {
    if (jpeg) {
      const size = jpegSize(jpeg);
      return size?.width === job.size.width && size.height === job.size.height;
    }
    const want = inferenceSize(job.size.width, job.size.height, this.inferenceLongSide!);
    return !!pixels && Math.abs(pixels.width - want.width) <= 2 && Math.abs(pixels.height - want.height) <= 2;
  }

  stop(): void {
    const run = this.run;
    this.run = undefined;
    run?.child.stdin!.end();
    run?.kill();
  }
}

const pool = new Map<string, KeyframeDecoder[]>();
/** A fleet has few distinct resolutions; beyond this many decoders the least recently used idle one goes. */
const MAX_DECODERS = 8;

function evictIdle(): void {
  let oldest: { key: string; dec: KeyframeDecoder } | undefined;
  for (const [key, list] of pool) for (const dec of list) if (dec.load === 0 && (!oldest || dec.lastUsed < oldest.dec.lastUsed)) oldest = { key, dec };
  if (!oldest) return;
  oldest.dec.stop();
  const list = pool.get(oldest.key)!.filter((d) => d !== oldest!.dec);
  if (list.length) pool.set(oldest.key, list);
  else pool.delete(oldest.key);
}

/**
 * Decodes one keyframe access unit on the least busy long-lived decoder for its settings and picture
 * size (an ffmpeg decoder keeps the size of its first picture, so sizes never share one). `jpeg: false`
 * asks for the inference copy alone (`inferenceLongSide` set). Undefined when the access unit's SPS does
 * not parse: the caller then decodes another way.
 */
export function decodeKeyframe(
  au: Buffer,
  o: { codec: VideoCodec; inferenceLongSide?: number; jpeg?: boolean; jpegQscale: number; what: string; timeoutMs: number; signal?: AbortSignal },
): Promise<DecodedPicture> | undefined {
  const size = spsSize(o.codec, au);
  if (!size) return undefined;
  // The decoder would allocate whatever the SPS claims: a camera announcing 60000x60000 gets refused here.
  if (size.width <= 0 || size.height <= 0 || size.width * size.height > MAX_PICTURE_PIXELS) {
    return Promise.reject(new StreamError('bad_data', `${o.what}: the stream announces ${size.width}x${size.height} pictures, outside 1..${MAX_PICTURE_PIXELS / 1e6} MP`));
  }
  const withJpeg = o.jpeg !== false || !o.inferenceLongSide;
  const key = `${o.codec}|${size.width}x${size.height}|${o.inferenceLongSide ?? 0}|${withJpeg ? o.jpegQscale : 'pixels'}`;
  const list = pool.get(key) ?? [];
  pool.set(key, list);
  let dec = list.reduce<KeyframeDecoder | undefined>((best, d) => (!best || d.load < best.load ? d : best), undefined);
  if (!dec || (dec.load > 0 && list.length < PER_KEY)) {
    if ([...pool.values()].reduce((n, l) => n + l.length, 0) >= MAX_DECODERS) evictIdle();
    dec = new KeyframeDecoder(o.codec, o.inferenceLongSide, o.jpegQscale, withJpeg);
    list.push(dec);
  }
  dec.lastUsed = Date.now();
  return dec.decode(au, size, o.what, o.timeoutMs, o.signal);
}

/** Stops every long-lived decoder (tests, shutdown). */
export function stopKeyframeDecoders(): void {
  for (const list of pool.values()) for (const d of list) d.stop();
  pool.clear();
}
