import { Readable } from 'node:stream';
import { HLS_MAX_PLAYLIST_BYTES, HLS_MAX_SEGMENT_BYTES } from '../core/caps.js';
import { StreamError } from './errors.js';
import type { NetworkCameraUrl } from './camera_url.js';
import { HttpAuth } from './http_auth.js';
import { asStreamError, cameraGet, checkDeclaredLength, readCapped } from './http_reply.js';
import { bestVariant, parsePlaylist, type Playlist, type Segment } from './hls_playlist.js';
import { redirectTarget } from './pinned_http.js';
import type { UrlPolicy } from './policy.js';

/**
 * HLS read by weisu, never by ffmpeg: playlists and segments are fetched by weisu's own pinned GET
 * (http_reply.ts), every URL a playlist names — variant playlists, init sections, segments — parsed by
 * the one URL parser and judged by the camera's policy before it is contacted, playlists capped at
 * HLS_MAX_PLAYLIST_BYTES and segments at HLS_MAX_SEGMENT_BYTES. What leaves here is segment bytes, for
 * ffmpeg's stdin: ffmpeg opens no URL, so a playlist cannot send it anywhere.
 */
export type MediaPlaylist = Extract<Playlist, { kind: 'media' }>;

const PLAYLIST_ACCEPT = 'application/vnd.apple.mpegurl, application/x-mpegurl, */*;q=0.1';
const TS_SYNC = 0x47;
const TS_PACKET = 188;

export class HlsReader {
  private readonly auth: HttpAuth;

  constructor(
    private readonly camera: NetworkCameraUrl,
    private readonly policy: UrlPolicy,
    private readonly what: string,
  ) {
    this.auth = HttpAuth.forCamera(camera);
  }

  /** The media playlist (through a master playlist's best variant: one level, no more) and where it was read. */
  async mediaPlaylist(signal: AbortSignal): Promise<{ playlist: MediaPlaylist; at: NetworkCameraUrl }> {
    let url = this.camera;
    for (let level = 0; ; level++) {
      const { res, url: at } = await this.get(url, signal, PLAYLIST_ACCEPT);
      const playlist = parsePlaylist((await readCapped(res, this.what, HLS_MAX_PLAYLIST_BYTES, 'an HLS playlist')).toString('utf8'), this.what);
      if (playlist.kind === 'media') return { playlist, at };
      if (level > 0) throw new StreamError('bad_data', `${this.what}: a variant playlist is a master playlist again`);
      url = this.link(bestVariant(playlist.variants).uri, at);
    }
  }

  /**
   * One segment's bytes as they arrive (its init section first, for fragmented MP4), checked on the way:
   * an MPEG-TS segment must start with TS packets, and no segment may pass HLS_MAX_SEGMENT_BYTES.
   */
  async *segmentBytes(seg: Segment, playlist: MediaPlaylist, at: NetworkCameraUrl, signal: AbortSignal, withInit = true): AsyncGenerator<Buffer> {
    try {
      if (playlist.map && withInit) {
        const { res } = await this.get(this.link(playlist.map, at), signal, '*/*');
        yield await readCapped(res, this.what, HLS_MAX_SEGMENT_BYTES, 'an HLS init section');
      }
      const { res } = await this.get(this.link(seg.uri, at), signal, 'video/mp2t, video/mp4, */*;q=0.1');
      checkDeclaredLength(res, this.what, HLS_MAX_SEGMENT_BYTES, 'an HLS segment');
      let n = 0;
      for await (const chunk of res as AsyncIterable<Buffer>) {
        if (n === 0 && !playlist.map && (chunk[0] !== TS_SYNC || (chunk.length > TS_PACKET && chunk[TS_PACKET] !== TS_SYNC))) {
          throw new StreamError('bad_data', `${this.what}: an HLS segment is not MPEG-TS (no TS sync byte where packets start)`);
        }
        n += chunk.length;
        if (n > HLS_MAX_SEGMENT_BYTES) throw new StreamError('bad_data', `${this.what}: an HLS segment is larger than ${HLS_MAX_SEGMENT_BYTES} bytes`);
        yield chunk;
      }
    } catch (e) {
      throw asStreamError(e, this.what);
    }
  }

  /** The newest segment of the live playlist, as a stream for ffmpeg's stdin, and its container. */
  async newestSegment(signal: AbortSignal): Promise<{ body: Readable; format: 'mpegts' | 'mp4' }> {
    const { playlist, at } = await this.mediaPlaylist(signal);
    const seg = playlist.segments.at(-1);
    if (!seg) throw new StreamError('no_frame', `${this.what}: the HLS playlist lists no segment yet`);
    return { body: Readable.from(this.segmentBytes(seg, playlist, at, signal)), format: playlist.map ? 'mp4' : 'mpegts' };
  }

  /** A URI a playlist lists, as a camera URL of its own (the policy judges it when it is fetched). */
  private link(uri: string, at: NetworkCameraUrl): NetworkCameraUrl {
    return redirectTarget(uri, at, this.what, 'the HLS playlist lists');
  }

  /** cameraGet, with a refusal of a URL the playlist named saying so. */
  private async get(url: NetworkCameraUrl, signal: AbortSignal, accept: string) {
    try {
      return await cameraGet({ camera: this.camera, url, auth: this.auth, policy: this.policy, signal, what: this.what, accept });
    } catch (e) {
      if (e instanceof StreamError && e.reason === 'blocked' && url !== this.camera) {
        throw new StreamError('blocked', `${this.what}: the HLS playlist points elsewhere, refused (${e.message})`, { fix: e.fix });
      }
      throw asStreamError(e, this.what);
    }
  }
}
