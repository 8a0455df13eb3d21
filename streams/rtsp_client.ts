import { connect, type Socket } from 'node:net';
import { StreamError } from './errors.js';
import { HttpAuth } from './http_auth.js';
import { PhaseTimer } from './phase_timer.js';
import { KeyframeAssembler, type VideoCodec } from './rtp_keyframe.js';
import { RTSP_MAX_BODY_BYTES, RTSP_MAX_HEADER_BYTES, RTSP_MAX_REPLIES } from '../core/caps.js';
import { parseSdp, SdpError, type SdpVideo } from './sdp.js';

/**
 * A minimal RTSP/1.0 client (RFC 2326) for one job: connect over TCP, DESCRIBE (Basic/Digest), SETUP one
 * video stream interleaved on the same connection, PLAY, collect RTP until the first whole keyframe,
 * TEARDOWN. It decodes nothing and spawns nothing, so the per-sample cost is parsing packet headers plus
 * one keyframe decode in a long-lived decoder (keyframe_decoder.ts) instead of starting ffmpeg.
 * Anything it does not speak (RTSPS, UDP-only cameras, codecs other than H.264/H.265) is reported as
 * NeedsFfmpeg and the caller uses the ffmpeg path instead; a redirect is reported as RtspRedirect.
 */
export class NeedsFfmpeg extends Error {}

/** The camera answered DESCRIBE with a redirect: the caller checks the new URL with the policy before following it. */
export class RtspRedirect extends Error {
  constructor(readonly location: string) {
    super('RTSP redirect');
  }
}

export interface KeyframeRequest {
  /** rtsp:// URL without credentials (re-serialised by camera_url.ts): the Request-URI. */
  url: string;
  /** The address the policy checked: the socket connects here, the name in `url` is not looked up again. */
  address: string;
  username?: string;
  password?: string;
  /** Redacted URL for messages. */
  what: string;
  connectTimeoutMs: number;
  frameTimeoutMs: number;
  signal?: AbortSignal;
}

export interface FetchedKeyframe {
  codec: VideoCodec;
  /** Annex-B access unit: parameter sets, keyframe slices, access unit delimiter. */
  au: Buffer;
  /** Wall-clock ms when PLAY was answered. */
  connectedAt: number;
  /** Wall-clock ms when the keyframe was complete. */
  pictureAt: number;
}

interface Response {
  status: number;
  statusText: string;
  headers: Map<string, string>;
  body: Buffer;
}

const CODECS: Record<string, VideoCodec> = { H264: 'h264', H265: 'hevc' };

function networkError(e: NodeJS.ErrnoException, what: string): StreamError {
  const code = e.code ?? '';
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL/.test(code)) return new StreamError('unreachable', `${what}: ${e.message}`);
  if (code === 'ETIMEDOUT') return new StreamError('connect_timeout', `${what}: ${e.message}`);
  return new StreamError('disconnected', `${what}: ${e.message}`);
}

/**
 * The body length an RTSP reply announces. Anything but plain digits (NaN, negative, 1e9, hex) is refused:
 * a length that does not move the read position would make the parser loop on the same bytes forever.
 */
function bodyLength(value: string | undefined, what: string): number {
  if (value === undefined) return 0;
  if (!/^\d{1,9}$/.test(value)) throw new StreamError('bad_data', `${what}: RTSP Content-Length ${JSON.stringify(value.slice(0, 40))} is not a byte count`);
  const n = Number(value);
  if (n > RTSP_MAX_BODY_BYTES) throw new StreamError('bad_data', `${what}: RTSP Content-Length ${n} is over the ${RTSP_MAX_BODY_BYTES}-byte limit for a reply body`);
  return n;
}

function readSdp(body: Buffer, base: string, what: string): SdpVideo | undefined {
  try {
    return parseSdp(body.toString('utf8'), base);
  } catch (e) {
    if (e instanceof SdpError) throw new StreamError('bad_data', `${what}: the stream description is not usable: ${e.message}`);
    throw e;
  }
}

export function fetchKeyframe(req: KeyframeRequest): Promise<FetchedKeyframe> {
  return new Session(req).run();
}

class Session {
  private sock!: Socket;
  private buf: Buffer = Buffer.alloc(0);
  private cseq = 0;
  private pending?: { cseq: number; resolve: (r: Response) => void };
  private sessionId?: string;
  private rtpChannel = 0;
  private assembler?: KeyframeAssembler;
  private readonly auth: HttpAuth;
  private readonly deadline = new PhaseTimer(() => this.fail(this.deadline.expired!));
  private settle!: { resolve: (k: FetchedKeyframe) => void; reject: (e: Error) => void };
  private connectedAt?: number;
  private setUp = false;
  private controlUrl: string;
  private finished = false;
  /** RTSP messages read (replies and the server's own requests): a handshake needs a few. */
  private replies = 0;

  constructor(private readonly req: KeyframeRequest) {
    this.controlUrl = req.url;
    this.auth = new HttpAuth(req.username !== undefined || req.password !== undefined ? { username: req.username ?? '', password: req.password ?? '' } : undefined);
  }

  run(): Promise<FetchedKeyframe> {
    return new Promise<FetchedKeyframe>((resolve, reject) => {
      this.settle = { resolve, reject };
      const { signal } = this.req;
      if (signal?.aborted) return this.fail(new StreamError('aborted', `${this.req.what}: read cancelled`));
      signal?.addEventListener('abort', this.onAbort, { once: true });
      this.deadline.arm(this.req.connectTimeoutMs, () => new StreamError('connect_timeout', `${this.req.what}: no RTSP answer within ${this.req.connectTimeoutMs} ms`));
      const u = new URL(this.req.url);
      this.sock = connect({ host: this.req.address, port: Number(u.port || 554), noDelay: true });
      this.sock.on('data', (d: Buffer) => this.onData(d));
      this.sock.on('error', (e: NodeJS.ErrnoException) => this.fail(networkError(e, this.req.what)));
      this.sock.on('close', () => this.fail(new StreamError('disconnected', `${this.req.what}: the camera closed the connection${this.connectedAt ? ' before a keyframe arrived' : ''}`)));
      this.sock.once('connect', () => void this.handshake().catch((e: Error) => this.fail(e)));
    });
  }

  private readonly onAbort = () => this.fail(new StreamError('aborted', `${this.req.what}: read cancelled`));

  private async handshake(): Promise<void> {
    const url = this.req.url;
    const described = await this.request('DESCRIBE', url, { Accept: 'application/sdp' });
    const base = described.headers.get('content-base') ?? described.headers.get('content-location') ?? url;
    const video = readSdp(described.body, base, this.req.what);
    if (!video) throw new StreamError('unsupported', `${this.req.what}: the stream has no video`);
    const codec = CODECS[video.encoding];
    if (!codec) throw new NeedsFfmpeg(`codec ${video.encoding || `payload ${video.payloadType}`}`);
    this.assembler = new KeyframeAssembler(codec, video.parameterSets);
    const setup = await this.request('SETUP', video.control, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
    this.sessionId = setup.headers.get('session')?.split(';')[0]?.trim();
    this.setUp = true;
    const interleaved = /interleaved=(\d+)/.exec(setup.headers.get('transport') ?? '');
    this.rtpChannel = interleaved ? Number(interleaved[1]) : 0;
    // The aggregate control URL, as ffmpeg and VLC use: what cameras expect PLAY and TEARDOWN on.
    this.controlUrl = base;
    await this.request('PLAY', base, { Range: 'npt=0.000-' });
    this.connectedAt = Date.now();
    this.deadline.arm(this.req.frameTimeoutMs, () => new StreamError('no_frame', `${this.req.what}: connected but no keyframe within ${this.req.frameTimeoutMs} ms (${this.assembler?.packets ?? 0} RTP packets, ${this.assembler?.heldBytes ?? 0} bytes held)`));
  }

  /** Sends a request and waits for its answer, answering one auth challenge on the way. */
  private async request(method: string, url: string, headers: Record<string, string>, retried = false): Promise<Response> {
    const cseq = ++this.cseq;
    const lines = [`${method} ${url} RTSP/1.0`, `CSeq: ${cseq}`, 'User-Agent: weisu'];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    if (this.sessionId) lines.push(`Session: ${this.sessionId}`);
    const authorization = this.auth.header(method, url);
    if (authorization) lines.push(`Authorization: ${authorization}`);
    const answer = new Promise<Response>((resolve) => (this.pending = { cseq, resolve }));
    this.sock.write(`${lines.join('\r\n')}\r\n\r\n`);
    const res = await answer;
    if (res.status === 401 && !retried && this.auth.learn(res.headers.get('www-authenticate') ?? null)) return this.request(method, url, headers, true);
    if (res.status >= 200 && res.status < 300) return res;
    const line = `${method} answered ${res.status} ${res.statusText}`;
    if (res.status === 401 || res.status === 403) throw new StreamError('auth_failed', `${this.req.what}: ${line}${this.auth.hasCredentials ? '' : ' (no credentials given)'}`);
    if (res.status === 404) throw new StreamError('not_found', `${this.req.what}: ${line}`);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) throw new RtspRedirect(location);
    if (res.status === 461 || (res.status >= 300 && res.status < 400) || res.status === 501 || res.status === 405) throw new NeedsFfmpeg(line);
    if (res.status === 453 || res.status === 503) throw new StreamError('disconnected', `${this.req.what}: ${line} (the camera may be at its client limit)`);
    throw new StreamError('failed', `${this.req.what}: ${line}`);
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    try {
      this.drain();
    } catch (e) {
      this.fail(e as Error);
    }
  }

  private drain(): void {
    while (this.buf.length && !this.finished) {
      if (this.buf[0] === 0x24) {
        if (this.buf.length < 4) return;
        const len = this.buf.readUInt16BE(2);
        if (this.buf.length < 4 + len) return;
        const channel = this.buf[1]!;
        const packet = this.buf.subarray(4, 4 + len);
        this.buf = this.buf.subarray(4 + len);
        // Some cameras start sending before their PLAY answer: keep those packets (the keyframe may be among them).
        if (channel === this.rtpChannel && this.assembler && this.setUp) this.onRtp(packet);
        continue;
      }
      const head = this.buf.indexOf('\r\n\r\n');
      const first = this.buf.subarray(0, Math.min(this.buf.length, 16)).toString('latin1');
      if (!/^(RTSP\/1\.\d|[A-Z_]+ )/.test(first) && this.buf.length >= 5) {
        const kind = first.startsWith('HTTP/') ? 'an HTTP server' : 'something that is not an RTSP server';
        throw new StreamError('bad_data', `${this.req.what}: answered like ${kind} (${JSON.stringify(first.replace(/[^\x20-\x7e]/g, '.'))})`);
      }
      if (head < 0) {
        if (this.buf.length > RTSP_MAX_HEADER_BYTES) throw new StreamError('bad_data', `${this.req.what}: RTSP header larger than ${RTSP_MAX_HEADER_BYTES} bytes`);
        return;
      }
      if (head > RTSP_MAX_HEADER_BYTES) throw new StreamError('bad_data', `${this.req.what}: RTSP header larger than ${RTSP_MAX_HEADER_BYTES} bytes`);
      if (++this.replies > RTSP_MAX_REPLIES) throw new StreamError('bad_data', `${this.req.what}: more than ${RTSP_MAX_REPLIES} RTSP messages without a keyframe (a reply loop)`);
      const [statusLine = '', ...headerLines] = this.buf.subarray(0, head).toString('latin1').split('\r\n');
      const headers = new Map<string, string>();
      for (const l of headerLines) {
        const i = l.indexOf(':');
        if (i <= 0) continue;
        const k = l.slice(0, i).trim().toLowerCase();
        const v = l.slice(i + 1).trim();
        headers.set(k, headers.has(k) ? `${headers.get(k)}, ${v}` : v);
      }
      const length = bodyLength(headers.get('content-length'), this.req.what);
      if (this.buf.length < head + 4 + length) return;
      const body = Buffer.from(this.buf.subarray(head + 4, head + 4 + length));
      this.buf = this.buf.subarray(head + 4 + length);
      const m = /^RTSP\/1\.\d (\d{3}) ?(.*)$/.exec(statusLine);
      if (!m) continue; // a request from the server (keep-alive, ANNOUNCE): nothing we need to answer
      if (this.pending && Number(headers.get('cseq')) === this.pending.cseq) {
        const p = this.pending;
        this.pending = undefined;
        p.resolve({ status: Number(m[1]), statusText: m[2] ?? '', headers, body });
      }
    }
  }

  private onRtp(packet: Buffer): void {
    const au = this.assembler!.push(packet);
    if (!au) return;
    const k: FetchedKeyframe = { codec: this.assembler!.codec, au, connectedAt: this.connectedAt ?? Date.now(), pictureAt: Date.now() };
    // Polite goodbye so the camera frees the session at once (many allow only a few clients).
    const cseq = ++this.cseq;
    this.sock.write(`TEARDOWN ${this.controlUrl} RTSP/1.0\r\nCSeq: ${cseq}\r\nUser-Agent: weisu\r\nSession: ${this.sessionId ?? ''}\r\n\r\n`);
    this.end();
    this.settle.resolve(k);
  }

  private fail(e: Error): void {
    if (this.finished) return;
    this.end();
    this.settle.reject(e);
  }

  private end(): void {
    this.finished = true;
    this.deadline.clear();
    this.req.signal?.removeEventListener('abort', this.onAbort);
    this.sock?.end();
    // Give TEARDOWN a moment to leave, but never keep the socket.
    setTimeout(() => this.sock?.destroy(), 200).unref();
  }
}
