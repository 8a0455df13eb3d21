import { hrefWithCredentials, type NetworkCameraUrl } from './camera_url.js';
import type { PinnedAddress } from './policy.js';

/**
 * How ffmpeg (and ffprobe) open an RTSP camera: at the address the policy pinned, in place of the
 * name (so ffmpeg resolves nothing itself), and with `-protocol_whitelist` limited to what the scheme
 * needs (no file:, no data:, no http). HTTP cameras (snapshots, MJPEG, HLS) are never opened by ffmpeg:
 * weisu fetches them itself and hands ffmpeg bytes on stdin (hls_reader.ts, live_feed.ts).
 */
const PROTOCOLS: Record<'rtsp' | 'rtsps', string> = {
  rtsp: 'rtsp,tcp,udp,rtp',
  rtsps: 'rtsps,rtsp,tls,tcp,udp,rtp',
};

/** The camera's URL with the pinned address as its host (credentials left out). */
export function pinnedHref(u: NetworkCameraUrl, pinned: PinnedAddress): string {
  const start = u.scheme.length + 3;
  const afterHost = u.href.indexOf('/', start);
  const host = pinned.family === 6 ? `[${pinned.address}]` : pinned.address;
  return `${u.scheme}://${host}:${u.port}${u.href.slice(afterHost)}`;
}

export interface FfmpegNetworkInput {
  /** Input options to place before `-i`. */
  args: string[];
  /** What `-i` opens: the pinned URL, or `pipe:0` when the URL (with credentials) goes in on stdin. */
  input: string;
  /** An ffconcat list to write to the child's stdin: the URL with its credentials, and the input's options. */
  stdin?: string;
}

/** A value quoted for an ffconcat list (av_get_token: single quotes, a quote as '\''). */
const quote = (v: string) => `'${v.replace(/'/g, "'\\''")}'`;

/**
 * ffmpeg takes RTSP credentials only inside the URL, and its argv is readable by every local user
 * (`/proc/<pid>/cmdline`, `ps`). So an RTSP URL with credentials, or with a query (where cameras put
 * tokens), is handed over on stdin, as an ffconcat list of one entry with the input's options, and argv
 * says only `-f concat -i pipe:0`. `options` are the input's own options (`rtsp_transport`, `timeout`,
 * `probesize`...), placed where each way needs them.
 */
export function ffmpegNetworkInput(u: NetworkCameraUrl, pinned: PinnedAddress, options: [string, string][] = [], probe: [string, string][] = []): FfmpegNetworkInput {
  if (u.scheme !== 'rtsp' && u.scheme !== 'rtsps') throw new Error(`ffmpeg opens RTSP cameras only; weisu reads ${u.scheme} cameras itself`);
  // Probe sizes bound both the outer input and, through concat, the camera's own.
  const probeArgs = probe.flatMap(([k, v]) => [`-${k}`, v]);
  const whitelist = PROTOCOLS[u.scheme];
  const url = hrefWithCredentials(u, pinnedHref(u, pinned));
  if (u.username !== undefined || u.password !== undefined || new URL(u.href).search) {
    const list = ['ffconcat version 1.0', `file ${quote(url)}`, ...[...options, ...probe].map(([k, v]) => `option ${k} ${quote(v)}`)].join('\n');
    return { args: ['-protocol_whitelist', `pipe,${whitelist}`, '-f', 'concat', '-safe', '0', ...probeArgs], input: 'pipe:0', stdin: `${list}\n` };
  }
  return { args: ['-protocol_whitelist', whitelist, ...options.flatMap(([k, v]) => [`-${k}`, v]), ...probeArgs], input: url };
}
