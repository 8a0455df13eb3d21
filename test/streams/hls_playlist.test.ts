import { describe, expect, it } from 'vitest';
import { StreamError } from '../../streams/errors.js';
import { bestVariant, parsePlaylist } from '../../streams/hls_playlist.js';

/** HLS playlists as weisu reads them: the facts a sample needs, and refusals for what it would have to guess at. */
const WHAT = 'http://cam/live.m3u8';

function refusal(text: string): StreamError {
  try {
    parsePlaylist(text, WHAT);
  } catch (e) {
    return e as StreamError;
  }
  throw new Error('expected a refusal');
}

describe('parsePlaylist', () => {
  it('reads a live media playlist: segments numbered from the media sequence, target duration, no end', () => {
    const p = parsePlaylist('#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:41\n#EXTINF:2.0,\na.ts\n#EXTINF:2.0,\nb.ts\n', WHAT);
    expect(p).toEqual({ kind: 'media', segments: [{ uri: 'a.ts', seq: 41 }, { uri: 'b.ts', seq: 42 }], map: undefined, targetDurationMs: 2000, ended: false });
  });

  it('reads a master playlist; the best variant has the most pixels, then the highest bitrate', () => {
    const p = parsePlaylist('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\nlow.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=3000000,RESOLUTION=1920x1080,CODECS="avc1.64001f,mp4a.40.2"\nhigh.m3u8\n', WHAT);
    expect(p.kind).toBe('master');
    if (p.kind === 'master') expect(bestVariant(p.variants).uri).toBe('high.m3u8');
  });

  it('keeps the init section of fragmented MP4 segments', () => {
    const p = parsePlaylist('#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:1,\n0.m4s\n#EXT-X-ENDLIST\n', WHAT);
    expect(p).toMatchObject({ kind: 'media', map: 'init.mp4', ended: true });
  });

  it('refuses what is not a playlist, encryption, byte ranges and absurd numbers, with a reason', () => {
    expect(refusal('<html>').reason).toBe('bad_data');
    expect(refusal('#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI="k"\n#EXTINF:1,\na.ts\n')).toMatchObject({ reason: 'unsupported', message: expect.stringMatching(/encrypted/) });
    expect(refusal('#EXTM3U\n#EXT-X-BYTERANGE:100@0\n#EXTINF:1,\na.ts\n').reason).toBe('unsupported');
    expect(refusal('#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:-5\n').reason).toBe('bad_data');
    expect(refusal('#EXTM3U\n#EXT-X-TARGETDURATION:1e99\n').reason).toBe('bad_data');
  });
});
