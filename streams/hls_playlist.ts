import { StreamError } from './errors.js';

/**
 * HLS playlists (RFC 8216) as weisu reads them: pure text in, the few facts a sample needs out. Camera
 * bytes: the text is at most HLS_MAX_PLAYLIST_BYTES (the reader caps it before it gets here), and
 * anything weisu would have to guess at is refused with a reason rather than half-read.
 */
export interface Variant {
  uri: string;
  bandwidth: number;
  /** Pixels of its RESOLUTION, 0 when not given. */
  pixels: number;
}

export interface Segment {
  uri: string;
  /** Media sequence number: a live reader takes segments above the last one it had. */
  seq: number;
}

export type Playlist =
  | { kind: 'master'; variants: Variant[] }
  | {
      kind: 'media';
      segments: Segment[];
      /** EXT-X-MAP: the init section of fragmented MP4 segments (absent for MPEG-TS). */
      map?: string;
      targetDurationMs: number;
      /** EXT-X-ENDLIST: no segment will be added. */
      ended: boolean;
    };

/** `KEY=value,KEY="quoted, value"` attribute lists. */
function attributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) out.set(m[1]!, m[2]!.replace(/^"|"$/g, ''));
  return out;
}

export function parsePlaylist(text: string, what: string): Playlist {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines[0]?.replace(/^\uFEFF/, '') !== '#EXTM3U') throw new StreamError('bad_data', `${what}: the answer is not an HLS playlist (no #EXTM3U)`);
  const variants: Variant[] = [];
  const segments: Segment[] = [];
  let seq = 0;
  let targetDurationMs = 2000;
  let map: string | undefined;
  let ended = false;
  let pendingVariant: Omit<Variant, 'uri'> | undefined;
  for (const line of lines.slice(1)) {
    if (!line) continue;
    if (!line.startsWith('#')) {
      if (pendingVariant) variants.push({ uri: line, ...pendingVariant });
      else segments.push({ uri: line, seq: seq++ });
      pendingVariant = undefined;
      continue;
    }
    const colon = line.indexOf(':');
    const tag = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1);
    switch (tag) {
      case '#EXT-X-STREAM-INF': {
        const a = attributes(value);
        const [w, h] = (a.get('RESOLUTION') ?? '').split('x').map(Number);
        pendingVariant = { bandwidth: Number(a.get('BANDWIDTH')) || 0, pixels: w && h ? w * h : 0 };
        break;
      }
      case '#EXT-X-MEDIA-SEQUENCE':
        if (!/^\d{1,15}$/.test(value)) throw new StreamError('bad_data', `${what}: the playlist's media sequence is not a number`);
        seq = Number(value);
        break;
      case '#EXT-X-TARGETDURATION':
        if (!/^\d{1,5}$/.test(value)) throw new StreamError('bad_data', `${what}: the playlist's target duration is not a number of seconds`);
        targetDurationMs = Math.max(1000, Number(value) * 1000);
        break;
      case '#EXT-X-MAP':
        map = attributes(value).get('URI');
        if (attributes(value).has('BYTERANGE')) throw new StreamError('unsupported', `${what}: the playlist's init section is a byte range, which weisu does not read`);
        break;
      case '#EXT-X-KEY':
        if (attributes(value).get('METHOD') !== 'NONE') throw new StreamError('unsupported', `${what}: the stream is encrypted (EXT-X-KEY): give the camera's unencrypted stream or its RTSP URL`);
        break;
      case '#EXT-X-BYTERANGE':
        throw new StreamError('unsupported', `${what}: the playlist's segments are byte ranges, which weisu does not read`);
      case '#EXT-X-ENDLIST':
        ended = true;
        break;
      default:
    }
  }
  if (variants.length) return { kind: 'master', variants };
  return { kind: 'media', segments, map, targetDurationMs, ended };
}

/** The variant a sample reads: the most pixels (the best evidence), then the highest bitrate. */
export function bestVariant(variants: Variant[]): Variant {
  return variants.reduce((a, b) => (b.pixels > a.pixels || (b.pixels === a.pixels && b.bandwidth > a.bandwidth) ? b : a));
}
