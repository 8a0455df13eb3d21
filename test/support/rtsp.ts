import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

/**
 * The real RTSP server for tests: GStreamer's gst-rtsp-server (test/support/rtsp_server.py, run by
 * Debian's /usr/bin/python3 with gi). Usage:
 *
 *   const rtsp = await startRtspServer({ mounts: [{ path: '/cam1', file: clip, live: true }] });
 *   rtsp.url('/cam1')            // rtsp://127.0.0.1:PORT/cam1
 *   await rtsp.stop();           // kill; `startRtspServer({ ..., port: rtsp.port })` brings it back
 *
 * File-backed mounts play the file from its start for each client (H.264 MP4 sent as is: make it with
 * makeClip so it has no B-frames and a short GOP). Live mounts loop the file through x264 (zerolatency)
 * shared by all clients, like an IP camera.
 */
export interface RtspMount {
  path: string;
  /** The video a file-backed or live mount plays; a raw mount has none. */
  file?: string;
  /**
   * A picture the test renders itself: RGB frames of this size written with `RtspServer.feed`, encoded like
   * a live mount (x264, `keyInt`). At most one raw mount per server.
   */
  raw?: { width: number; height: number; fps: number };
  live?: boolean;
  /** File-backed mounts: the file's codec (default h264; make H.265 files with makeClip({ codec: 'hevc' })). */
  codec?: 'h264' | 'h265';
  /** Live mounts: GOP in frames (default 50), frame rate (default 25), width to scale to (default: file's). */
  keyInt?: number;
  fps?: number;
  width?: number;
  /** Live mounts: x264 bitrate in kbit/s (default 2048). */
  bitrate?: number;
}

export interface RtspServerOptions {
  mounts: RtspMount[];
  /** Fixed port (to restart a stopped server on the same URL); default: any free port. */
  port?: number;
  auth?: { user: string; password: string; method?: 'basic' | 'digest' };
}

export interface RtspServer {
  port: number;
  url(path: string, creds?: { user: string; password: string }): string;
  /** Kills the server (SIGKILL: like a camera losing power) and waits for it to go. */
  stop(): Promise<void>;
  pid: number;
  /**
   * Hands one RGB frame to the raw mount; false when the server is still busy with earlier ones (the
   * caller drops this frame, like a camera whose encoder is behind).
   */
  feed(frame: Buffer): boolean;
}

const SCRIPT = fileURLToPath(new URL('./rtsp_server.py', import.meta.url));
const alive = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of alive) c.kill('SIGKILL');
});

export async function startRtspServer(opts: RtspServerOptions): Promise<RtspServer> {
  const cfg = {
    port: opts.port ?? 0,
    auth: opts.auth,
    mounts: opts.mounts.map((m) => ({ path: m.path, file: m.file, raw: m.raw, live: !!m.live, codec: m.codec, key_int: m.keyInt, fps: m.fps, width: m.width, bitrate: m.bitrate })),
  };
  for (const m of opts.mounts) if (!m.raw && !(m.file && existsSync(m.file))) throw new Error(`RTSP mount ${m.path}: file ${m.file} does not exist`);
  const raw = opts.mounts.filter((m) => m.raw);
  if (raw.length > 1) throw new Error('RTSP server: at most one raw mount (its frames come on the one stdin)');
  const child = spawn('/usr/bin/python3', [SCRIPT, JSON.stringify(cfg)], { stdio: [raw.length ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  let draining = false;
  child.stdin?.on('drain', () => (draining = false)).on('error', () => undefined);
  alive.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-8000)));
  const exited = new Promise<void>((r) => child.once('close', () => (alive.delete(child), r())));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`RTSP server did not start within 15 s: ${stderr}`)), 15_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve((JSON.parse(line) as { port: number }).port);
      } catch {
        reject(new Error(`RTSP server said "${line}": ${stderr}`));
      }
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`RTSP server exited (${code}) before listening: ${stderr}`));
    });
  });
  return {
    port,
    pid: child.pid!,
    feed: (frame) => {
      const stdin = child.stdin;
      if (!stdin || draining || stdin.destroyed) return false;
      draining = !stdin.write(frame);
      return true;
    },
    url: (path, creds) => `rtsp://${creds ? `${encodeURIComponent(creds.user)}:${encodeURIComponent(creds.password)}@` : ''}127.0.0.1:${port}${path}`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * A short H.264 (or H.265) MP4 made from shared media with ffmpeg into a temp dir (never into the repo), cached by
 * its parameters. No B-frames and a fixed GOP, as IP cameras encode; from a still image (`image`) or a video.
 */
export function makeClip(o: { source: string; seconds: number; width: number; height?: number; fps?: number; gop?: number; bitrateK?: number; codec?: 'h264' | 'hevc' }): string {
  const fps = o.fps ?? 25;
  const gop = o.gop ?? fps;
  const height = o.height ?? -2;
  const dir = join(tmpdir(), 'weisu-test-clips');
  mkdirSync(dir, { recursive: true });
  const name = `${o.source.replace(/[^a-z0-9]+/gi, '_').slice(-60)}_${o.seconds}s_${o.width}x${height}_${fps}fps_g${gop}_${o.bitrateK ?? 'crf'}${o.codec === 'hevc' ? '_hevc' : ''}.mp4`;
  const out = join(dir, name);
  if (existsSync(out)) return out;
  const still = /\.(jpe?g|png|bmp|webp)$/i.test(o.source);
  const input = still ? ['-loop', '1', '-framerate', String(fps), '-i', o.source] : ['-stream_loop', '-1', '-i', o.source];
  const rate = o.bitrateK ? ['-b:v', `${o.bitrateK}k`] : ['-crf', '26'];
  const tmp = `${out}.${process.pid}.tmp.mp4`;
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y', ...input, '-t', String(o.seconds), '-an',
    '-vf', `scale=${o.width}:${height},fps=${fps},format=yuv420p`,
    ...(o.codec === 'hevc'
      ? ['-c:v', 'libx265', '-preset', 'veryfast', '-tag:v', 'hvc1', '-x265-params', `bframes=0:keyint=${gop}:min-keyint=${gop}:scenecut=0:log-level=error`]
      : ['-c:v', 'libx264', '-preset', 'veryfast', '-bf', '0', '-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0']),
    ...rate,
    '-movflags', '+faststart', tmp,
  ]);
  execFileSync('mv', [tmp, out]);
  return out;
}
