import type { Readable } from 'node:stream';
import type { RawImage } from '../core/types.js';
import { startFfmpeg, type FfmpegRun } from './ffmpeg.js';
import { StreamError, classifyFfmpegError } from './errors.js';
import { JpegSplitter, jpegSize } from './jpeg.js';
import { PhaseTimer } from './phase_timer.js';
import { PpmSplitter } from './ppm.js';

/**
 * One picture out of one ffmpeg process: decoded once, written twice — a full-resolution JPEG (evidence)
 * on stdout and, when asked, an RGB copy scaled for inference on fd 3. Both come from one filter graph
 * so the picture is never decoded a second time.
 */
export interface GrabbedPicture {
  jpeg: Buffer;
  width: number;
  height: number;
  pixels?: RawImage;
  /** Wall-clock ms when ffmpeg reported the input open (connected and described). */
  connectedAt?: number;
  /** Wall-clock ms when the picture's first bytes arrived. */
  pictureAt: number;
  /** ffmpeg's name for the video codec, from its input description. */
  codec?: string;
}

export interface GrabTimeouts {
  /** Until the input is open (TCP connect, RTSP DESCRIBE/SETUP, HTTP headers). */
  connectTimeoutMs: number;
  /** From open until the picture is out (waiting for a keyframe, decoding). */
  frameTimeoutMs: number;
}

export interface GrabRequest extends GrabTimeouts {
  /** ffmpeg input options placed before `-i`. */
  inputArgs: string[];
  /** Input URL or path as ffmpeg should open it (may carry credentials: never logged), or `pipe:0`. */
  input: string;
  /** Written to ffmpeg's stdin: an ffconcat list carrying the URL with its credentials (out of argv), or bytes weisu fetched (HLS segments). */
  stdin?: string | Readable;
  /** Redacted description for messages, e.g. `rtsp://user:***@host/path`. */
  what: string;
  inferenceLongSide?: number;
  /** JPEG quality on ffmpeg's qscale (2 best .. 31 worst). */
  jpegQscale: number;
  signal?: AbortSignal;
}

/**
 * Filter graph and outputs: full-resolution JPEG on pipe:1 and, optionally, the inference copy as PPM
 * (self-describing RGB) on pipe:3. Packets are flushed one by one so a long-lived decoder's answer
 * leaves at once.
 */
export function outputArgs(inferenceLongSide: number | undefined, jpegQscale: number, frames: number | undefined): string[] {
  const each = perPicture(frames);
  // Full-range output: camera H.264 is limited range (yuv420p); the JPEG must be full range to look right.
  // One encoder thread: a frame-threaded encoder holds pictures back until later ones arrive (and costs thread start-up).
  const jpegOut = ['-f', 'image2pipe', '-c:v', 'mjpeg', '-threads', '1', '-pix_fmt', 'yuvj420p', '-q:v', String(jpegQscale), ...each, 'pipe:1'];
  if (!inferenceLongSide) return ['-map', '0:v:0', ...jpegOut];
  const graph = `[0:v:0]split=2[full][s];[s]${scaleFilter(inferenceLongSide)}[px]`;
  return ['-filter_complex', graph, '-map', '[full]', ...jpegOut, '-map', '[px]', ...ppmOut(each, 'pipe:3')];
}

/** The inference copy alone, as PPM on pipe:1 (a long-lived decoder's): no full-resolution JPEG is encoded. */
export function pixelsOutputArgs(inferenceLongSide: number): string[] {
  return ['-filter_complex', `[0:v:0]${scaleFilter(inferenceLongSide)}[px]`, '-map', '[px]', ...ppmOut(perPicture(undefined), 'pipe:1')];
}

/** Each picture leaves as soon as it is made (and, for a one-shot run, only `frames` of them). */
function perPicture(frames: number | undefined): string[] {
  return ['-fps_mode', 'passthrough', '-flush_packets', '1', ...(frames === undefined ? [] : ['-frames:v', String(frames)])];
}

/** Long side becomes L, the short side follows the aspect ratio; packed RGB as the detector takes it. */
function scaleFilter(L: number): string {
  return `scale=w='if(gte(iw,ih),${L},-2)':h='if(gte(iw,ih),-2,${L})':flags=area,format=rgb24`;
}

function ppmOut(each: string[], pipe: string): string[] {
  return ['-f', 'image2pipe', '-c:v', 'ppm', '-threads', '1', ...each, pipe];
}

/** Size of the inference copy for a full-resolution size (the long side set to `long`). */
export function inferenceSize(width: number, height: number, long: number): { width: number; height: number } {
  if (width >= height) return { width: long, height: Math.max(2, Math.round((height * long) / width / 2) * 2) };
  return { width: Math.max(2, Math.round((width * long) / height / 2) * 2), height: long };
}

function collect(stream: Readable): Promise<Buffer> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    stream.on('data', (d: Buffer) => parts.push(d));
    stream.once('end', () => resolve(Buffer.concat(parts)));
    stream.once('error', () => resolve(Buffer.concat(parts)));
  });
}

export async function grabPicture(req: GrabRequest): Promise<GrabbedPicture> {
  if (req.signal?.aborted) throw new StreamError('aborted', `${req.what}: read cancelled`);
  const args = [
    '-hide_banner', '-nostdin', '-loglevel', 'info', '-threads', '1',
    ...req.inputArgs, '-i', req.input,
    '-an', '-sn', '-dn',
    ...outputArgs(req.inferenceLongSide, req.jpegQscale, 1),
  ];
  const run = startFfmpeg(args, { extraPipes: req.inferenceLongSide ? 1 : 0, signal: req.signal, stdin: req.stdin });
  return watch(run, req);
}

async function watch(run: FfmpegRun, req: GrabRequest): Promise<GrabbedPicture> {
  let connectedAt: number | undefined;
  let pictureAt: number | undefined;
  const deadline = new PhaseTimer(() => run.kill());
  deadline.arm(req.connectTimeoutMs, () => new StreamError('connect_timeout', `${req.what}: no answer within ${req.connectTimeoutMs} ms`));
  run.child.stderr!.on('data', () => {
    // ffmpeg prints its input description once the camera has answered and described the stream.
    if (connectedAt !== undefined || !run.stderr().includes('Input #0')) return;
    connectedAt = Date.now();
    deadline.arm(req.frameTimeoutMs, () => new StreamError('no_frame', `${req.what}: connected but no picture within ${req.frameTimeoutMs} ms`));
  });
  const jpegOut = run.child.stdout!;
  jpegOut.once('data', () => (pictureAt ??= Date.now()));
  const rawOut = req.inferenceLongSide ? (run.child.stdio[3] as Readable) : undefined;
  const [jpegBytes, rawBytes, exit] = await Promise.all([collect(jpegOut), rawOut ? collect(rawOut) : undefined, run.exited]);
  deadline.clear();
  if (exit.missing) throw exit.missing;
  if (req.signal?.aborted) throw new StreamError('aborted', `${req.what}: read cancelled`);
  if (deadline.expired) throw deadline.expired;

  const jpeg = new JpegSplitter().push(jpegBytes)[0];
  const size = jpeg && jpegSize(jpeg);
  if (!jpeg || !size) {
    // A failure of the bytes weisu fed in (a cap, a hang-up) says more than ffmpeg's end of input.
    const input = run.inputError();
    if (input instanceof StreamError) throw input;
    if (exit.code === 0) throw new StreamError('ended', `${req.what}: the stream ended before a picture`);
    throw classifyFfmpegError(run.stderr(), req.what);
  }
  let pixels: RawImage | undefined;
  if (req.inferenceLongSide && rawBytes && rawBytes.length > 0) {
    try {
      pixels = new PpmSplitter().push(rawBytes)[0];
    } catch {
      pixels = undefined;
    }
    if (!pixels) throw new StreamError('failed', `${req.what}: the inference copy (${rawBytes.length} bytes) is not a whole picture`);
  }
  const codec = /Input #0[\s\S]*?Stream #0:\d+[^\n]*?Video: (\w+)/.exec(run.stderr())?.[1];
  return { jpeg, ...size, pixels, connectedAt, pictureAt: pictureAt ?? Date.now(), codec };
}
