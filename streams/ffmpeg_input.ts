import { hrefWithCredentials, type NetworkCameraUrl } from './camera_url.js';
import type { PinnedAddress } from './policy.js';

/**
 * How ffmpeg (and ffprobe) open a network camera: at the address the policy pinned, in place of the
 * name (so ffmpeg resolves nothing itself), and with `-protocol_whitelist` limited to what the scheme
 * needs (no file:, no data:, no other scheme a playlist or redirect might name).
 */
const PROTOCOLS: Record<NetworkCameraUrl['scheme'], string> = {
  rtsp: 'rtsp,tcp,udp,rtp',
  rtsps: 'rtsps,rtsp,tls,tcp,udp,rtp',
  http: 'http,tcp,crypto',
  https: 'https,tls,tcp,crypto',
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
  /** What `-i` opens: the pinned URL, with the credentials in its userinfo (ffmpeg takes them no other way). */
  input: string;
}

export function ffmpegNetworkInput(u: NetworkCameraUrl, pinned: PinnedAddress): FfmpegNetworkInput {
  const args = ['-protocol_whitelist', PROTOCOLS[u.scheme]];
  // HTTP names its host in a header: the pinned connection still asks for the camera's own virtual host.
  if (u.scheme === 'http' || u.scheme === 'https') args.push('-headers', `Host: ${new URL(u.href).host}\r\n`);
  return { args, input: hrefWithCredentials(u, pinnedHref(u, pinned)) };
}
