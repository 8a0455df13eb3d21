import * as ort from 'onnxruntime-node';
import { openModel } from '../detector/session.js';
import { startFfmpeg } from '../streams/ffmpeg.js';
import { jpegSize } from '../streams/jpeg.js';
import { scaledPixels } from '../streams/pictures.js';
import { procStat } from './proc.js';

/**
 * The floor of a camera sample's work, measured with weisu's own decoder and model: one keyframe decode
 * (or, for an HTTP snapshot camera, one decode of its JPEG into the inference copy) and one bare session.run.
 * Benches compare what weisu spends against these, measured in the same run.
 */

/** CPU ms of this process (all threads, ONNX Runtime's included) spent in `fn`: robust to a busy machine, where wall time is not. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; wallMs: number; cpuMs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const c = process.cpuUsage(c0);
  return { value, wallMs: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
}

/** A bare session.run on a ready tensor, same model and session options as the detector's. */
export async function bareRunner(
  modelsDir: string,
  model: string,
  threads: number,
): Promise<{ measure(n: number): Promise<{ wall: number; cpu: number }>; close(): Promise<void>; inputLongSide: number }> {
  const { session, manifest } = await openModel({ modelsDir, model, threads, task: ['detect'] });
  const { width, height, name } = manifest.input;
  const tensor = new ort.Tensor('float32', new Float32Array(3 * width * height).fill(114), [1, 3, height, width]);
  const feeds = { [name]: tensor };
  return {
    async measure(n) {
      const t = await timed(async () => {
        for (let i = 0; i < n; i++) await session.run(feeds);
      });
      return { wall: t.wallMs / n, cpu: t.cpuMs / n };
    },
    close: () => session.release(),
    inputLongSide: Math.max(width, height),
  };
}

/** CPU ms of one ffmpeg run, by the kernel's account of the children this process reaped (no other child may exit meanwhile). */
export async function ffmpegCpuMs(args: string[]): Promise<number> {
  const before = procStat('self')!.children;
  const run = startFfmpeg(['-hide_banner', '-nostdin', '-loglevel', 'error', ...args]);
  const exit = await run.exited;
  if (exit.missing) throw exit.missing;
  if (exit.code !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${run.stderr()}`);
  return procStat('self')!.children - before;
}

/**
 * CPU ms of one keyframe decode by the decoder weisu's keyframe decoders run (libavcodec, one thread): a
 * keyframe-only decode of `loops` plays of the clip minus the same run stopped at its first picture, which
 * cancels ffmpeg's start-up, over the keyframes in between.
 */
export async function keyframeDecodeMs(clip: string, keyframesInClip: number, loops = 1): Promise<number> {
  const args = ['-threads', '1', '-skip_frame', 'nokey'];
  const all = await ffmpegCpuMs([...args, '-stream_loop', String(loops - 1), '-i', clip, '-f', 'null', '-']);
  const one = await ffmpegCpuMs([...args, '-i', clip, '-frames:v', '1', '-f', 'null', '-']);
  return (all - one) / (loops * keyframesInClip - 1);
}

/**
 * CPU ms of one HTTP snapshot's decode as weisu does it (streams/pictures.ts: libjpeg shrinking on load
 * straight towards the inference size, then one resize), averaged over `runs` after a warm-up.
 */
export async function snapshotDecodeMs(jpeg: Buffer, inferenceLongSide: number, runs: number): Promise<number> {
  const size = jpegSize(jpeg)!;
  const once = () => scaledPixels(jpeg, size.width, size.height, inferenceLongSide, 'floor');
  await once();
  const t = await timed(async () => {
    for (let i = 0; i < runs; i++) await once();
  });
  return t.cpuMs / runs;
}
