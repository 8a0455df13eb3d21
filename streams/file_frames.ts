import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Frame } from '../core/types.js';
import { StreamError, classifyFfmpegError } from './errors.js';
import { probeFile, startFfmpeg } from './ffmpeg.js';
import { inferenceSize } from './ffmpeg_grab.js';
import { filePath } from './file_source.js';
import { JpegSplitter, jpegSize } from './jpeg.js';
import { redactUrl } from './redact.js';

export interface FileFramesOptions {
  cameraId: string;
  /** One frame per this many ms of media time (the first frame at or after each multiple). */
  everyMs: number;
  inferenceLongSide?: number;
  /** JPEG quality on ffmpeg's qscale (2 best .. 31 worst). Default 3. */
  jpegQscale?: number;
}

/** Frames buffered ahead of the consumer before ffmpeg is paused. */
const AHEAD = 4;

/**
 * Replays a recorded file by media time, as fast as the CPU allows: ONE ffmpeg decodes the whole file,
 * picks a frame every `everyMs` of media time, and writes each as a full JPEG (stdout) plus, optionally,
 * an inference-sized RGB copy (fd 3). `ts` is the frame's own media time (ms from the file's start).
 * Breaking out of the loop stops ffmpeg.
 */
export async function* readFileFrames(path: string, opts: FileFramesOptions): AsyncIterable<Frame> {
  const file = filePath(path);
  const what = redactUrl(path);
  if (!existsSync(file)) throw new StreamError('not_found', `video file ${what} does not exist`, { field: 'path' });
  if (!(opts.everyMs > 0)) throw new StreamError('bad_url', `everyMs must be greater than 0 (got ${opts.everyMs})`, { field: 'everyMs', fix: 'sample at least every 1 ms of media time, e.g. 1000' });
  let info;
  try {
    info = await probeFile(file);
  } catch (e) {
    if (e instanceof Error && e.name === 'MissingDependencyError') throw e;
    throw new StreamError('bad_data', `${what} is not a video ffmpeg can read`, { field: 'path', cause: e });
  }
  if (!info.width || !info.height) throw new StreamError('unsupported', `${what} has no video stream`, { field: 'path' });
  const turned = Math.abs(info.rotation) % 180 === 90;
  const full = turned ? { width: info.height, height: info.width } : { width: info.width, height: info.height };
  const small = opts.inferenceLongSide ? inferenceSize(full.width, full.height, opts.inferenceLongSide) : undefined;

  const step = opts.everyMs / 1000;
  // The first frame at or after each multiple of the step: no drift, no bursts after gaps.
  const select = `select='if(isnan(prev_selected_t),1,gte(t,(floor(prev_selected_t/${step}+1e-6)+1)*${step}))'`;
  const q = String(opts.jpegQscale ?? 3);
  const jpegOut = ['-fps_mode', 'passthrough', '-f', 'image2pipe', '-c:v', 'mjpeg', '-pix_fmt', 'yuvj420p', '-q:v', q, 'pipe:1'];
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'info', '-i', file, '-an', '-sn', '-dn'];
  if (small) {
    args.push(
      '-filter_complex', `[0:v:0]setpts=PTS-STARTPTS,${select},showinfo,split=2[full][s];[s]scale=${small.width}:${small.height}:flags=area,format=rgb24[px]`,
      '-map', '[full]', ...jpegOut,
      '-map', '[px]', '-fps_mode', 'passthrough', '-f', 'rawvideo', 'pipe:3',
    );
  } else {
    args.push('-filter_complex', `[0:v:0]setpts=PTS-STARTPTS,${select},showinfo[full]`, '-map', '[full]', ...jpegOut);
  }

  const ctrl = new AbortController();
  const run = startFfmpeg(args, { extraPipes: small ? 1 : 0, signal: ctrl.signal });
  const jpegs: Buffer[] = [];
  const raws: Buffer[] = [];
  const times: number[] = [];
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };

  const splitter = new JpegSplitter();
  const jpegStream = run.child.stdout!;
  jpegStream.on('data', (d: Buffer) => {
    jpegs.push(...splitter.push(d));
    if (jpegs.length > AHEAD) jpegStream.pause();
    notify();
  });
  const rawStream = small ? (run.child.stdio[3] as Readable) : undefined;
  const rawSize = small ? small.width * small.height * 3 : 0;
  let rawPending: Buffer = Buffer.alloc(0);
  rawStream?.on('data', (d: Buffer) => {
    rawPending = rawPending.length ? Buffer.concat([rawPending, d]) : d;
    while (rawPending.length >= rawSize) {
      raws.push(Buffer.from(rawPending.subarray(0, rawSize)));
      rawPending = rawPending.subarray(rawSize);
    }
    if (raws.length > AHEAD) rawStream.pause();
    notify();
  });
  let lineBuf = '';
  run.child.stderr!.on('data', (d: string) => {
    lineBuf += d;
    const lines = lineBuf.split('\n');
    lineBuf = lines.pop()!;
    for (const l of lines) {
      const m = /Parsed_showinfo.*\bpts_time:\s*(-?[\d.]+)/.exec(l);
      if (m) times.push(Math.round(Number(m[1]) * 1000));
    }
    notify();
  });
  let exit: Awaited<typeof run.exited> | undefined;
  void run.exited.then((x) => {
    exit = x;
    notify();
  });

  try {
    let produced = 0;
    for (;;) {
      if (jpegs.length && times.length && (!small || raws.length)) {
        const jpeg = jpegs.shift()!;
        const size = jpegSize(jpeg);
        if (produced === 0 && size && (size.width !== full.width || size.height !== full.height)) {
          throw new StreamError('failed', `${what}: decoded frames are ${size.width}x${size.height}, probe said ${full.width}x${full.height}`, { field: 'path' });
        }
        const pixels = small ? { data: raws.shift()!, width: small.width, height: small.height, channels: 3 as const } : undefined;
        produced++;
        yield { cameraId: opts.cameraId, ts: times.shift()!, width: size?.width ?? full.width, height: size?.height ?? full.height, jpeg, pixels };
        if (jpegStream.isPaused() && jpegs.length <= AHEAD) jpegStream.resume();
        if (rawStream?.isPaused() && raws.length <= AHEAD) rawStream.resume();
        continue;
      }
      if (exit) {
        if (exit.missing) throw exit.missing;
        if (exit.code !== 0) throw classifyFfmpegError(run.stderr(), what);
        return;
      }
      await new Promise<void>((r) => (wake = r));
    }
  } finally {
    ctrl.abort();
    await run.exited;
  }
}
