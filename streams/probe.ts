import type { Frame } from '../core/types.js';
import { startFfmpeg } from './ffmpeg.js';
import { filePath } from './file_source.js';
import type { Readable } from 'node:stream';
import { cameraTarget, displayUrl, type NetworkCameraUrl } from './camera_url.js';
import { ffmpegNetworkInput } from './ffmpeg_input.js';
import { HlsReader } from './hls_reader.js';
import { pinTarget, type UrlPolicy } from './policy.js';
import { redactUrl } from './redact.js';
import { openSource, type SourceKind, type SourceOptions } from './source.js';

/**
 * What an integrator runs before registering a camera (`weisu cameras probe URL`): a real grab (so the
 * latency is what workers will see) plus a few seconds of packet headers (no decoding) for frame rate
 * and keyframe interval, which decide the frame timeout a camera needs.
 */
export interface ProbeResult {
  kind: SourceKind;
  codec?: string;
  width: number;
  height: number;
  fps?: number;
  /** Median distance between keyframes; undefined when fewer than two arrived within the packet window. */
  keyframeIntervalMs?: number;
  /** Open to first whole picture. */
  latencyMs: number;
  /** Open to connected (RTSP described / HTTP headers), when known. */
  connectMs?: number;
  frame: Frame;
  /** What the probe could not measure, in words. */
  notes: string[];
}

export interface ProbeOptions extends SourceOptions {
  /** How long to read packet headers for fps and GOP. Default 6000 ms. */
  packetWindowMs?: number;
}

interface PacketStats {
  codec?: string;
  fps?: number;
  keyframeIntervalMs?: number;
  keyframes: number;
}

/** What ffprobe reads: a file, a pinned RTSP URL (credentials on stdin), or bytes weisu fetched (HLS). */
interface ProbeInput {
  args: string[];
  input: string;
  stdin?: string | Readable;
}

/** HLS: the newest segment, read by weisu under the policy, on ffprobe's stdin (ffprobe opens no URL). */
async function hlsInput(target: NetworkCameraUrl, policy: UrlPolicy, signal: AbortSignal): Promise<ProbeInput> {
  const segment = await new HlsReader(target, policy, redactUrl(displayUrl(target))).newestSegment(signal);
  return { args: ['-protocol_whitelist', 'pipe', '-f', segment.format], input: 'pipe:0', stdin: segment.body };
}

/** Reads packet headers with ffprobe for `windowMs` of media (killed if it overruns) and measures the GOP. */
async function packetStats(from: ProbeInput, windowMs: number, signal?: AbortSignal): Promise<PacketStats | undefined> {
  const args = [
    '-v', 'error', ...from.args, '-select_streams', 'v:0',
    '-read_intervals', `%+${(windowMs / 1000).toFixed(1)}`,
    '-show_entries', 'stream=codec_name,avg_frame_rate,r_frame_rate:packet=pts_time,dts_time,flags',
    '-of', 'json', from.input,
  ];
  const ctrl = new AbortController();
  const onAbort = () => ctrl.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => ctrl.abort(), windowMs + 10_000);
  const run = startFfmpeg(args, { bin: 'ffprobe', signal: ctrl.signal, stdin: from.stdin });
  const out: Buffer[] = [];
  run.child.stdout!.on('data', (d: Buffer) => out.push(d));
  const exit = await run.exited;
  clearTimeout(timer);
  signal?.removeEventListener('abort', onAbort);
  if (exit.missing) throw exit.missing;
  let data: { streams?: { codec_name?: string; avg_frame_rate?: string; r_frame_rate?: string }[]; packets?: { pts_time?: string; dts_time?: string; flags?: string }[] };
  try {
    data = JSON.parse(Buffer.concat(out).toString('utf8') || '{}') as typeof data;
  } catch {
    return undefined;
  }
  const s = data.streams?.[0];
  const rate = (r?: string) => {
    const [n, d] = String(r ?? '').split('/').map(Number);
    return n && d ? n / d : undefined;
  };
  const fps = rate(s?.avg_frame_rate) ?? rate(s?.r_frame_rate);
  const keyTimes = (data.packets ?? [])
    .filter((p) => p.flags?.startsWith('K'))
    .map((p) => Number(p.pts_time ?? p.dts_time))
    .filter((t) => Number.isFinite(t));
  const gaps = keyTimes.slice(1).map((t, i) => t - keyTimes[i]!).filter((g) => g > 0).sort((a, b) => a - b);
  const median = gaps.length ? gaps[Math.floor(gaps.length / 2)]! : undefined;
  return {
    codec: s?.codec_name,
    fps: fps && fps < 1000 ? Math.round(fps * 100) / 100 : undefined,
    keyframeIntervalMs: median === undefined ? undefined : Math.round(median * 1000),
    keyframes: keyTimes.length,
  };
}

export async function probeCamera(opts: ProbeOptions, signal?: AbortSignal): Promise<ProbeResult> {
  const source = openSource(opts);
  let frame: Frame;
  try {
    frame = await source.grab(signal);
  } finally {
    await source.close();
  }
  const kind = source.kind;
  const grab = source.lastGrab;
  const notes: string[] = [];
  let stats: PacketStats | undefined;
  const windowMs = opts.packetWindowMs ?? 6000;
  if (kind === 'rtsp' || kind === 'hls' || kind === 'file') {
    // A second connection: checked and pinned again, like every connection.
    const target = cameraTarget(opts.url, opts.username, opts.password);
    const policy = opts.policy ?? {};
    const from: ProbeInput =
      target.kind === 'file'
        ? { args: [], input: filePath(target.path) }
        : kind === 'hls'
          ? await hlsInput(target, policy, signal ?? AbortSignal.timeout(windowMs + 10_000))
          : ffmpegNetworkInput(target, await pinTarget(target, policy), [['rtsp_transport', opts.transport ?? 'tcp']]);
    stats = await packetStats(from, windowMs, signal);
    if (!stats) notes.push('could not read packet headers: frame rate and keyframe interval unknown');
    else if (stats.keyframeIntervalMs === undefined) notes.push(`fewer than two keyframes in ${windowMs / 1000} s: the keyframe interval is longer than that (raise streams.frame_timeout above it)`);
  } else {
    notes.push(kind === 'mjpeg' ? 'MJPEG: every picture stands alone (no keyframe interval)' : 'snapshot camera: one picture per request (no frame rate or keyframe interval)');
  }
  return {
    kind,
    codec: stats?.codec ?? grab?.codec,
    width: frame.width,
    height: frame.height,
    fps: stats?.fps,
    keyframeIntervalMs: stats?.keyframeIntervalMs,
    latencyMs: grab?.latencyMs ?? 0,
    connectMs: grab?.connectMs,
    frame,
    notes,
  };
}

/** The probe as the CLI prints it. */
export function formatProbe(r: ProbeResult): string {
  const rows: [string, string][] = [
    ['kind', r.kind],
    ['codec', r.codec ?? 'unknown'],
    ['resolution', `${r.width}x${r.height}`],
    ['fps', r.fps === undefined ? 'unknown' : String(r.fps)],
    ['keyframes', r.keyframeIntervalMs === undefined ? 'unknown' : `every ${r.keyframeIntervalMs} ms`],
    ['latency', `${r.latencyMs} ms to first frame${r.connectMs === undefined ? '' : ` (${r.connectMs} ms to connect)`}`],
  ];
  return [...rows.map(([k, v]) => `${k.padEnd(11)}${v}`), ...r.notes.map((n) => `note: ${n}`)].join('\n');
}
