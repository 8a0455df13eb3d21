import { SDP_MAX_LINES } from '../core/caps.js';

/**
 * The part of an RTSP DESCRIBE answer (SDP, RFC 8866) a keyframe grab needs: the first video stream's
 * control URL, payload type, codec and the parameter sets the camera announces out of band.
 */
export interface SdpVideo {
  /** Absolute control URL for SETUP. */
  control: string;
  payloadType: number;
  /** Upper-case encoding name from rtpmap: H264, H265, JPEG, MP4V-ES... */
  encoding: string;
  clockRate: number;
  /** Parameter sets (NAL units without start codes): H.264 SPS, PPS; H.265 VPS, SPS, PPS. */
  parameterSets: Buffer[];
}

/** An SDP no camera could mean (too long, impossible values): the caller reports it as bad data. */
export class SdpError extends Error {}

function resolveControl(control: string | undefined, base: string): string {
  if (!control || control === '*') return base;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(control)) return control;
  return base.endsWith('/') ? base + control : `${base}/${control}`;
}

export function parseSdp(sdp: string, baseUrl: string): SdpVideo | undefined {
  const lines = sdp.split(/\r?\n/, SDP_MAX_LINES + 1);
  if (lines.length > SDP_MAX_LINES) throw new SdpError(`the SDP has more than ${SDP_MAX_LINES} lines`);
  let inVideo = false;
  let found: { pt: number; control?: string; rtpmap?: string; fmtp?: string } | undefined;
  for (const line of lines) {
    if (line.startsWith('m=')) {
      if (found) break; // only the first video stream
      const m = /^m=video \d+(?:\/\d+)? [\w/]+ (\d+)/.exec(line);
      inVideo = !!m;
      if (m) {
        // RTP payload types are 7 bits (RFC 3550): anything else is not a stream anyone can send.
        if (Number(m[1]) > 127) throw new SdpError(`video payload type ${m[1]} is not an RTP payload type (0-127)`);
        found = { pt: Number(m[1]) };
      }
      continue;
    }
    if (!inVideo || !found) continue;
    const control = /^a=control:\s*(\S+)/.exec(line)?.[1];
    if (control) found.control = control;
    const rtpmap = line.startsWith(`a=rtpmap:${found.pt} `) ? line.slice(`a=rtpmap:${found.pt} `.length) : undefined;
    if (rtpmap) found.rtpmap = rtpmap.trim();
    const fmtp = line.startsWith(`a=fmtp:${found.pt} `) ? line.slice(`a=fmtp:${found.pt} `.length) : undefined;
    if (fmtp) found.fmtp = fmtp.trim();
  }
  if (!found) return undefined;
  const [encoding = '', clock = '90000'] = (found.rtpmap ?? '').split('/');
  const params = new Map<string, string>();
  for (const kv of (found.fmtp ?? '').split(';')) {
    const i = kv.indexOf('=');
    if (i > 0) params.set(kv.slice(0, i).trim().toLowerCase(), kv.slice(i + 1).trim());
  }
  const b64 = (s: string | undefined) => (s ? s.split(',').filter(Boolean).map((x) => Buffer.from(x, 'base64')) : []);
  const parameterSets = [...b64(params.get('sprop-vps')), ...b64(params.get('sprop-sps')), ...b64(params.get('sprop-pps')), ...b64(params.get('sprop-parameter-sets'))].filter((b) => b.length > 0);
  return {
    control: resolveControl(found.control, baseUrl),
    payloadType: found.pt,
    encoding: encoding.toUpperCase() || (found.pt === 26 ? 'JPEG' : ''),
    clockRate: Number(clock) || 90000,
    parameterSets,
  };
}
