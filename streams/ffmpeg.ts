import { spawn, type ChildProcess } from 'node:child_process';
import { Readable } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';
import { MissingDependencyError } from '../core/errors.js';

/**
 * The process layer: the only module that knows how ffmpeg/ffprobe are found and started, and the only
 * importer of fluent-ffmpeg (archived upstream: swapping it out means editing this file alone).
 *
 * Every child is tracked until it exits so a timeout or abort can never leave one running, and so tests
 * can assert that none leaked.
 */
const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg';
const FFPROBE = process.env.FFPROBE_PATH ?? 'ffprobe';
ffmpeg.setFfmpegPath(FFMPEG);
ffmpeg.setFfprobePath(FFPROBE);

/** Short-lived children (grabs, probes, live relays) and long-lived ones (keyframe decoders). */
const running = new Set<ChildProcess>();
const resident = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of [...running, ...resident]) c.kill('SIGKILL');
});

/** Short-lived ffmpeg/ffprobe children started by this process that have not exited yet. */
export function runningFfmpegCount(): number {
  return running.size;
}

/** Long-lived decoders currently running (they stop by themselves when idle). */
export function residentFfmpegCount(): number {
  return resident.size;
}

/** Process ids of the long-lived decoders (for CPU accounting in benchmarks and metrics). */
export function residentFfmpegPids(): number[] {
  return [...resident].map((c) => c.pid).filter((p): p is number => p !== undefined);
}

/** Counts a child until it exits, so leaks show up in one place. */
function track(child: ChildProcess, set: Set<ChildProcess> = running): void {
  set.add(child);
  const done = () => set.delete(child);
  child.once('close', done);
  child.once('error', done);
}

export function missing(bin: string): MissingDependencyError {
  return new MissingDependencyError(
    `${bin} (needed to read camera streams and video files)`,
    `install it: apt-get install -y ffmpeg (Debian/Ubuntu), or set ${bin === FFPROBE ? 'FFPROBE_PATH' : 'FFMPEG_PATH'} to its path`,
  );
}

export interface FfmpegRun {
  child: ChildProcess;
  /** Resolves when the process has exited (never rejects); `missing` is set when the binary is absent. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; missing?: MissingDependencyError }>;
  /** Everything written to stderr so far (capped), for error classification. */
  stderr(): string;
  /** Why the stream piped to stdin failed (a cap met, the camera hung up), if it did: the child was killed for it. */
  inputError(): Error | undefined;
  kill(): void;
}

const STDERR_CAP = 16_384;

/**
 * Starts ffmpeg (or ffprobe) with `extraPipes` additional output pipes (fd 3, 4, ...). The child is
 * SIGKILLed when `signal` aborts; readers of network input hold nothing worth flushing. `stdin` as text
 * is written to the child's stdin and closed; as a stream (bytes weisu fetched itself) it is piped in, and
 * its failure kills the child (`inputError` says why).
 */
export function startFfmpeg(
  args: string[],
  opts: { extraPipes?: number; signal?: AbortSignal; bin?: 'ffmpeg' | 'ffprobe'; stdin?: boolean | string | Readable; longLived?: boolean } = {},
): FfmpegRun {
  const bin = opts.bin === 'ffprobe' ? FFPROBE : FFMPEG;
  const stdio: ('ignore' | 'pipe')[] = [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', ...Array<'pipe'>(opts.extraPipes ?? 0).fill('pipe')];
  const child = spawn(bin, args, { stdio, windowsHide: true });
  track(child, opts.longLived ? resident : running);
  if (typeof opts.stdin === 'string') {
    // What must not be in argv (an ffconcat list with a camera's credentials) goes in here, once.
    child.stdin!.on('error', () => undefined); // a child that dies early closes its stdin: its exit says why
    child.stdin!.end(opts.stdin);
  }
  let inputError: Error | undefined;
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  if (opts.stdin instanceof Readable) {
    const input = opts.stdin;
    // ffmpeg closes its stdin once it has its picture: the rest of the input is not wanted.
    child.stdin!.on('error', () => undefined);
    input.on('error', (e) => {
      inputError = e;
      kill();
    });
    input.pipe(child.stdin!);
    child.once('close', () => input.destroy());
  }
  let err = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    err = (err + d).slice(-STDERR_CAP);
  });
  const onAbort = () => kill();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) kill();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; missing?: MissingDependencyError }>((resolve) => {
    child.once('error', (e: NodeJS.ErrnoException) => {
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ code: null, signal: null, missing: e.code === 'ENOENT' ? missing(bin) : undefined });
    });
    child.once('close', (code, signal) => {
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ code, signal });
    });
  });
  return { child, exited, stderr: () => err, inputError: () => inputError, kill };
}

export interface MediaInfo {
  durationMs?: number;
  width?: number;
  height?: number;
  codec?: string;
  fps?: number;
  /** Degrees the player must rotate (phone video); ffmpeg applies it when decoding. */
  rotation: number;
}

/** Stream facts of a local file (ffprobe through fluent-ffmpeg). */
export function probeFile(path: string): Promise<MediaInfo> {
  return new Promise((resolve, reject) => {
    ffmpeg.ffprobe(path, (err: (Error & { code?: string }) | null, data) => {
      if (err) {
        if (/ENOENT|Cannot find ffprobe/.test(String(err.message)) && !/No such file/.test(String(err.message))) return reject(missing(FFPROBE));
        return reject(err);
      }
      const v = data.streams.find((s) => s.codec_type === 'video');
      const dur = Number(v?.duration ?? data.format.duration);
      const [num, den] = String(v?.avg_frame_rate ?? v?.r_frame_rate ?? '0/0').split('/').map(Number);
      const sideRot = (v as { side_data_list?: { rotation?: number }[] } | undefined)?.side_data_list?.find((s) => s.rotation !== undefined)?.rotation;
      const tagRot = Number((v?.tags as Record<string, string> | undefined)?.rotate ?? 0);
      resolve({
        durationMs: Number.isFinite(dur) && dur > 0 ? Math.round(dur * 1000) : undefined,
        width: v?.width,
        height: v?.height,
        codec: v?.codec_name,
        fps: num && den ? num / den : undefined,
        rotation: Number(sideRot ?? tagRot) || 0,
      });
    });
  });
}
