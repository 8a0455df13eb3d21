import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import sharp from 'sharp';
import { HOSTILE, type HostileName } from './hostile_behaviours.js';
import { jpegPixelBomb, pngDecompressionBomb } from './picture_bombs.js';

/**
 * The hostile camera itself, run as its own process by hostile_camera.ts (so its floods and buffers never
 * count against the memory or event loop of the process under test). Raw TCP servers on loopback that
 * speak real RTSP/1.0 and real HTTP/1.1 — exactly as badly as each behaviour asks:
 *   127.0.0.1:<rtsp>  rtsp://…/<behaviour>          127.0.0.1:<http>  http://…/<behaviour>[.jpg|.m3u8]
 *   127.0.0.2:<other> "another host" for redirects and playlists: any connection there is reported.
 * Prints {"rtsp":P,"http":P,"other":P} once listening, then one {"event":…} line per connection.
 */

const report = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);

interface Request {
  method: string;
  url: string;
  cseq: string;
  headers: Map<string, string>;
}

/** Reads requests (RTSP or HTTP: same syntax) off a socket and hands each to `on`. */
function onRequests(sock: Socket, on: (r: Request) => void): void {
  let buf = '';
  sock.setEncoding('latin1');
  sock.on('data', (d: string) => {
    buf += d;
    if (buf.length > 1 << 20) return sock.destroy(); // the client is the one under test: it never floods us
    for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
      const [line = '', ...rest] = buf.slice(0, end).split('\r\n');
      buf = buf.slice(end + 4);
      const headers = new Map<string, string>();
      for (const h of rest) {
        const i = h.indexOf(':');
        if (i > 0) headers.set(h.slice(0, i).trim().toLowerCase(), h.slice(i + 1).trim());
      }
      const [method = '', url = ''] = line.split(' ');
      on({ method, url, cseq: headers.get('cseq') ?? '0', headers });
    }
  });
}

/** Writes chunks as fast as the client reads them (never faster: our own memory stays flat) until `next` returns undefined. */
async function pump(sock: Socket, next: () => Buffer | string | undefined): Promise<void> {
  sock.on('error', () => undefined);
  for (let i = 0; !sock.destroyed; i++) {
    const chunk = next();
    if (chunk === undefined) return;
    // once() rejects on 'error' (the client hung up mid-write): that ends the pump like a close.
    if (!sock.write(chunk)) await Promise.race([once(sock, 'drain'), once(sock, 'close')]).catch(() => undefined);
    if (i % 64 === 63) await new Promise((r) => setImmediate(r));
  }
}

/** One byte every `ms` until the client hangs up. */
function drip(sock: Socket, text: string, ms: number): void {
  let i = 0;
  const timer = setInterval(() => (sock.destroyed ? clearInterval(timer) : sock.write(text[i++ % text.length]!)), ms);
  sock.on('close', () => clearInterval(timer));
  sock.on('error', () => undefined);
}

function rtspReply(sock: Socket, cseq: string, status: string, headers: Record<string, string | number> = {}, body = ''): void {
  const lines = [`RTSP/1.0 ${status}`, `CSeq: ${cseq}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  if (body && !('Content-Length' in headers)) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  if (!sock.destroyed) sock.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

function sdp(media: string, extra: string[] = []): string {
  return ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=hostile', 't=0 0', media, 'a=control:track1', ...extra, ''].join('\r\n');
}

/** A plausible H.264 camera description (parameter sets of a 640x360 baseline stream). */
const H264_SDP = sdp('m=video 0 RTP/AVP 96', ['a=rtpmap:96 H264/90000', 'a=fmtp:96 packetization-mode=1;sprop-parameter-sets=Z0LAHtkDxWhAAAADAEAAAAwDxYuS,aMuMsg==']);

/** An interleaved RTP packet on channel 0. */
function rtp(seq: number, ts: number, marker: boolean, payload: Buffer): Buffer {
  const head = Buffer.alloc(16);
  head.writeUInt8(0x24, 0);
  head.writeUInt8(0, 1);
  head.writeUInt16BE(12 + payload.length, 2);
  head.writeUInt8(0x80, 4);
  head.writeUInt8((marker ? 0x80 : 0) | 96, 5);
  head.writeUInt16BE(seq & 0xffff, 6);
  head.writeUInt32BE(ts >>> 0, 8);
  head.writeUInt32BE(0x1234, 12);
  return Buffer.concat([head, payload]);
}

/** FU-A fragment of an IDR slice (H.264 type 5). */
const fuA = (start: boolean, end: boolean, body: Buffer) => Buffer.concat([Buffer.from([0x7c, (start ? 0x80 : 0) | (end ? 0x40 : 0) | 5]), body]);

/** A standard handshake (OPTIONS, DESCRIBE, SETUP) whose PLAY starts `play`. */
function handshake(sock: Socket, r: Request, describe: string, play: () => void): void {
  switch (r.method) {
    case 'OPTIONS':
      return rtspReply(sock, r.cseq, '200 OK', { Public: 'OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN' });
    case 'DESCRIBE':
      return rtspReply(sock, r.cseq, '200 OK', { 'Content-Type': 'application/sdp', 'Content-Base': `${r.url.replace(/\/?$/, '/')}` }, describe);
    case 'SETUP':
      return rtspReply(sock, r.cseq, '200 OK', { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1', Session: '12345678;timeout=60' });
    case 'PLAY':
      rtspReply(sock, r.cseq, '200 OK', { Session: '12345678', 'RTP-Info': `url=${r.url};seq=1;rtptime=0` });
      return play();
    default:
      return rtspReply(sock, r.cseq, '200 OK', { Session: '12345678' });
  }
}

type RtspHandler = (sock: Socket, r: Request, ports: Ports) => void;

/** What each RTSP behaviour answers to each request. */
const RTSP: Partial<Record<HostileName, RtspHandler>> = {
  rtsp_content_length_nan: (s, r) => rtspReply(s, r.cseq, '200 OK', { 'Content-Length': 'abc' }, 'v=0\r\n'),
  rtsp_content_length_negative: (s, r) => rtspReply(s, r.cseq, '200 OK', { 'Content-Length': -5 }, 'v=0\r\n'),
  rtsp_content_length_huge: (s, r) => rtspReply(s, r.cseq, '200 OK', { 'Content-Length': 99_999_999_999 }, 'v=0\r\n'),
  rtsp_endless_header_lines: (s, r) => {
    s.write(`RTSP/1.0 200 OK\r\nCSeq: ${r.cseq}\r\n`);
    let n = 0;
    void pump(s, () => `X-Padding-${n++}: ${'a'.repeat(40)}\r\n`);
  },
  rtsp_giant_header: (s, r) => {
    s.write(`RTSP/1.0 200 OK\r\nCSeq: ${r.cseq}\r\nX-Giant: `);
    let left = 8 << 20;
    void pump(s, () => (left-- > 0 ? 'a'.repeat(1024) : undefined));
  },
  rtsp_slowloris: (s, r) => drip(s, `RTSP/1.0 200 OK\r\nCSeq: ${r.cseq}\r\nX-Slow: ${'z'.repeat(10_000)}`, 1000),
  rtsp_reply_flood: (s) => void pump(s, () => 'RTSP/1.0 200 OK\r\nCSeq: 999999\r\n\r\n'),
  rtsp_garbage: (s) => void pump(s, () => randomBytes(4096)),
  rtsp_401_loop: (s, r) =>
    rtspReply(s, r.cseq, '401 Unauthorized', { 'WWW-Authenticate': `Digest realm="hostile", nonce="${randomBytes(8).toString('hex')}", algorithm=MD5` }),
  rtsp_redirect_loop: (s, r) => rtspReply(s, r.cseq, '302 Moved Temporarily', { Location: r.url }),
  rtsp_redirect_other_host: (s, r, p) => rtspReply(s, r.cseq, '302 Moved Temporarily', { Location: `rtsp://127.0.0.2:${p.other}/rtsp_redirect_other_host` }),
  rtsp_redirect_then_ffmpeg: (s, r, p) => rtspReply(s, r.cseq, '302 Moved Temporarily', { Location: `rtsp://127.0.0.1:${p.rtsp}/rtsp_unknown_codec` }),
  rtsp_giant_sdp: (s, r) => {
    if (r.method !== 'DESCRIBE') return handshake(s, r, H264_SDP, () => undefined);
    s.write(`RTSP/1.0 200 OK\r\nCSeq: ${r.cseq}\r\nContent-Type: application/sdp\r\nContent-Length: ${64 << 20}\r\n\r\n${H264_SDP}`);
    let left = 64 << 10;
    void pump(s, () => (left-- > 0 ? `a=x-padding:${'p'.repeat(1000)}\r\n` : undefined));
  },
  rtsp_sdp_many_lines: (s, r) => handshake(s, r, sdp('m=video 0 RTP/AVP 96', ['a=rtpmap:96 H264/90000', ...Array<string>(6000).fill('a=x:1')]), () => undefined),
  rtsp_sdp_no_tracks: (s, r) => handshake(s, r, ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=no tracks', 't=0 0', ''].join('\r\n'), () => undefined),
  rtsp_sdp_absurd_tracks: (s, r) => handshake(s, r, sdp('m=video 0 RTP/AVP 99999999', ['a=rtpmap:99999999 H264/90000']), () => undefined),
  rtsp_wrong_codec_mjpeg: (s, r) =>
    handshake(s, r, sdp('m=video 0 RTP/AVP 26', ['a=rtpmap:26 JPEG/90000']), () => {
      let seq = 0;
      void pump(s, () => rtp(seq++, 0, false, randomBytes(1000)));
    }),
  rtsp_unknown_codec: (s, r) =>
    handshake(s, r, sdp('m=video 0 RTP/AVP 98', ['a=rtpmap:98 X-WEIRD/90000']), () => {
      let seq = 0;
      void pump(s, () => rtp(seq++, 0, false, randomBytes(1000)));
    }),
  rtsp_interleaved_flood: (s, r) =>
    handshake(s, r, H264_SDP, () => {
      // P slices (NAL type 1, no recovery point) forever: never a keyframe.
      let seq = 0;
      void pump(s, () => rtp(seq, 3000 * ++seq, true, Buffer.concat([Buffer.from([0x41, 0x9a]), randomBytes(1400)])));
    }),
  rtsp_endless_fua: (s, r) =>
    handshake(s, r, H264_SDP, () => {
      // One IDR started and never finished: same timestamp, no end bit, no marker.
      let seq = 0;
      void pump(s, () => rtp(seq, 90_000, false, fuA(seq++ === 0, false, randomBytes(1400))));
    }),
  rtsp_truncated_keyframe: (s, r) =>
    handshake(s, r, H264_SDP, () => {
      s.write(rtp(0, 90_000, false, fuA(true, false, randomBytes(1400))));
      s.end(rtp(1, 90_000, false, fuA(false, false, randomBytes(1400))));
    }),
};

function httpHead(status: string, headers: Record<string, string | number>): string {
  return `HTTP/1.1 ${status}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}

function httpReply(sock: Socket, status: string, headers: Record<string, string | number>, body: Buffer | string = ''): void {
  sock.end(Buffer.concat([Buffer.from(httpHead(status, { 'Content-Length': Buffer.byteLength(body), Connection: 'close', ...headers })), Buffer.from(body)]));
}

/** Pictures for the bomb and truncation behaviours, made once at start. */
interface Pictures {
  jpeg: Buffer;
  jpegBomb: Buffer;
  pngBomb: Buffer;
  /** 10 MB of playlist, built once (building it per request would stall this server for the next behaviours). */
  hugePlaylist: Buffer;
}

async function makePictures(): Promise<Pictures> {
  const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 90, g: 120, b: 150 } } }).jpeg().toBuffer();
  const hugePlaylist = Buffer.from(`#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:0\n${'#EXTINF:1.0,\nsegment-0000000.ts\n'.repeat(400_000)}`);
  return { jpeg, jpegBomb: await jpegPixelBomb(16_000, 16_000), pngBomb: pngDecompressionBomb(15_000, 15_000), hugePlaylist };
}

type HttpHandler = (sock: Socket, r: Request, ports: Ports, pics: Pictures) => void;

const MJPEG = { 'Content-Type': 'multipart/x-mixed-replace; boundary=frame', Connection: 'close' };

/** What each HTTP behaviour answers. */
const HTTP: Partial<Record<HostileName, HttpHandler>> = {
  http_content_length_huge: (s) => {
    s.write(httpHead('200 OK', { 'Content-Type': 'image/jpeg', 'Content-Length': 99_999_999_999 }));
    void pump(s, () => randomBytes(16_384));
  },
  http_giant_header: (s) => {
    s.write('HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nX-Giant: ');
    let left = 8 << 10;
    void pump(s, () => (left-- > 0 ? 'g'.repeat(1024) : undefined));
  },
  http_endless_headers: (s) => {
    s.write('HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n');
    let n = 0;
    const timer = setInterval(() => (s.destroyed ? clearInterval(timer) : s.write(`X-More-${n++}: still coming\r\n`)), 20);
    s.on('close', () => clearInterval(timer));
  },
  http_slowloris: (s) => drip(s, 'HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: 100\r\n', 1000),
  http_never_ending_body: (s, _r, _p, pics) => {
    s.write(httpHead('200 OK', { 'Content-Type': 'image/jpeg', 'Content-Length': pics.jpeg.length + 1_000_000 }));
    s.write(pics.jpeg.subarray(0, 200));
    drip(s, 'x', 1000);
  },
  http_zero_byte: (s) => httpReply(s, '200 OK', { 'Content-Type': 'image/jpeg' }),
  http_chunked_absurd: (s) => {
    s.write(httpHead('200 OK', { 'Content-Type': 'image/jpeg', 'Transfer-Encoding': 'chunked' }));
    s.write('fffffffffffffffffff\r\n');
    void pump(s, () => randomBytes(16_384));
  },
  http_redirect_loop: (s, r) => httpReply(s, '302 Found', { Location: r.url }),
  http_redirect_other_host: (s, _r, p) => httpReply(s, '302 Found', { Location: `http://127.0.0.2:${p.other}/http_redirect_other_host.jpg` }),
  jpeg_pixel_bomb: (s, _r, _p, pics) => httpReply(s, '200 OK', { 'Content-Type': 'image/jpeg' }, pics.jpegBomb),
  png_decompression_bomb: (s, _r, _p, pics) => httpReply(s, '200 OK', { 'Content-Type': 'image/png' }, pics.pngBomb),
  jpeg_truncated: (s, _r, _p, pics) => httpReply(s, '200 OK', { 'Content-Type': 'image/jpeg' }, pics.jpeg.subarray(0, Math.floor(pics.jpeg.length / 2))),
  mjpeg_no_boundary: (s) => {
    s.write(httpHead('200 OK', { 'Content-Type': 'multipart/x-mixed-replace', Connection: 'close' }));
    void pump(s, () => `Content-Type: text/plain\r\n\r\n${'no picture here '.repeat(256)}\r\n`);
  },
  mjpeg_huge_part: (s, _r, _p, pics) => {
    s.write(httpHead('200 OK', MJPEG));
    s.write(`--frame\r\nContent-Type: image/jpeg\r\nContent-Length: 99999999999\r\n\r\n`);
    s.write(pics.jpeg.subarray(0, 200)); // a picture that starts and never ends
    void pump(s, () => Buffer.alloc(65_536, 0x11));
  },
  mjpeg_endless_multipart: (s) => {
    s.write(httpHead('200 OK', MJPEG));
    void pump(s, () => '--frame\r\nContent-Type: image/jpeg\r\nContent-Length: 0\r\n\r\n\r\n');
  },
  hls_endless_playlist: (s) => {
    s.write(httpHead('200 OK', { 'Content-Type': 'application/vnd.apple.mpegurl', Connection: 'close' }));
    s.write('#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:0\n');
    let n = 0;
    // In 64 kB writes: the reader's cap, not this server's pace, decides when it ends.
    void pump(s, () => Array.from({ length: 2048 }, () => `#EXTINF:1.0,\nsegment-${n++}.ts\n`).join(''));
  },
  hls_huge_playlist: (s, _r, _p, pics) => httpReply(s, '200 OK', { 'Content-Type': 'application/vnd.apple.mpegurl' }, pics.hugePlaylist),
  hls_variant_elsewhere: (s, _r, p) =>
    httpReply(s, '200 OK', { 'Content-Type': 'application/vnd.apple.mpegurl' }, ['#EXTM3U', '#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360', `http://127.0.0.2:${p.other}/hls_variant_elsewhere/media.m3u8`, ''].join('\n')),
  hls_playlist_redirect_loop: (s, r) => httpReply(s, '302 Found', { Location: r.url }),
  hls_huge_segment: (s, r) => {
    if (r.url.endsWith('.m3u8')) return httpReply(s, '200 OK', { 'Content-Type': 'application/vnd.apple.mpegurl' }, livePlaylist('hls_huge_segment'));
    s.write(httpHead('200 OK', { 'Content-Type': 'video/mp2t', 'Content-Length': 99_999_999_999 }));
    const nulls = Buffer.alloc(188 * 64, 0xff);
    for (let i = 0; i < nulls.length; i += 188) nulls.set([0x47, 0x1f, 0xff, 0x10], i);
    void pump(s, () => nulls);
  },
  hls_segment_not_ts: (s, r, _p, pics) => {
    if (r.url.endsWith('.m3u8')) return httpReply(s, '200 OK', { 'Content-Type': 'application/vnd.apple.mpegurl' }, livePlaylist('hls_segment_not_ts'));
    httpReply(s, '200 OK', { 'Content-Type': 'video/mp2t' }, Buffer.concat([pics.jpeg, randomBytes(65_536)]));
  },
  hls_playlist_elsewhere: (s, _r, p) =>
    httpReply(s, '200 OK', { 'Content-Type': 'application/vnd.apple.mpegurl' }, ['#EXTM3U', '#EXT-X-TARGETDURATION:1', '#EXT-X-MEDIA-SEQUENCE:0', ...[0, 1, 2].flatMap((n) => ['#EXTINF:1.0,', `http://127.0.0.2:${p.other}/hls_playlist_elsewhere/${n}.ts`]), ''].join('\n')),
};

/** A live media playlist of three segments under /<name>/. */
function livePlaylist(name: string): string {
  return ['#EXTM3U', '#EXT-X-TARGETDURATION:1', '#EXT-X-MEDIA-SEQUENCE:0', ...[0, 1, 2].flatMap((n) => ['#EXTINF:1.0,', `/${name}/${n}.ts`]), ''].join('\n');
}

interface Ports {
  rtsp: number;
  http: number;
  other: number;
}

/** The behaviour a request names: the first path segment without its extension. */
function behaviourOf(url: string): HostileName | undefined {
  const name = /^(?:[a-z]+:\/\/[^/]+)?\/([a-z0-9_]+)/.exec(url)?.[1];
  return name && name in HOSTILE ? (name as HostileName) : undefined;
}

function listen(server: Server, host: string): Promise<number> {
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as { port: number }).port)));
}

async function main(): Promise<void> {
  const pics = await makePictures();
  const ports: Ports = { rtsp: 0, http: 0, other: 0 };
  const track = (s: Socket) => {
    s.on('error', () => undefined);
    s.setNoDelay(true);
  };
  const rtsp = createServer((s) => {
    track(s);
    let first = true;
    onRequests(s, (r) => {
      const name = behaviourOf(r.url);
      if (first) report({ event: 'connect', listener: 'rtsp', behaviour: name ?? r.url });
      first = false;
      const handler = name && RTSP[name];
      if (handler) handler(s, r, ports);
      else rtspReply(s, r.cseq, '404 Not Found');
    });
  });
  const http = createServer((s) => {
    track(s);
    onRequests(s, (r) => {
      const name = behaviourOf(r.url);
      report({ event: 'connect', listener: 'http', behaviour: name ?? r.url });
      const handler = name && HTTP[name];
      if (handler) handler(s, r, ports, pics);
      else httpReply(s, '404 Not Found', {});
    });
  });
  // "Another host": whoever reaches it was sent there by a redirect or a playlist.
  const other = createServer((s) => {
    track(s);
    report({ event: 'connect', listener: 'other' });
    s.destroy();
  });
  ports.rtsp = await listen(rtsp, '127.0.0.1');
  ports.http = await listen(http, '127.0.0.1');
  ports.other = await listen(other, '127.0.0.2');
  report(ports);
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

void main();
