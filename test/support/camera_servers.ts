import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';

/**
 * Stand-ins for the HTTP cameras a city has, all real servers on loopback:
 *  - GET /snapshot.jpg  JPEG snapshot (ONVIF GetSnapshotUri style)
 *  - GET /mjpeg         multipart/x-mixed-replace MJPEG at `mjpegFps`
 *  - GET /hls/index.m3u8 + segments: live HLS written by ffmpeg from `hlsClip` (copied, looped in real time)
 *  - GET /page.html     a web page (a URL that is not a camera)
 * with optional Basic or Digest auth (RFC 7617 / RFC 7616 MD5, qop=auth, checked independently of
 * weisu's client) and switchable faults. Plus `startTcpFaultServer` for non-HTTP faults on any scheme.
 */
export type HttpFault =
  | 'none'
  | 'silent' // accept the request, never answer
  | 'garbage' // answer with random bytes instead of HTTP
  | 'bad_body' // 200 image/jpeg whose body is random bytes
  | 'error500'
  | 'stall'; // headers, then nothing (MJPEG: no parts)

export interface CameraServerOptions {
  /** JPEG files or bytes served in rotation (snapshot and MJPEG parts). */
  pictures: (string | Buffer)[];
  auth?: { user: string; password: string; method: 'basic' | 'digest' };
  mjpegFps?: number;
  /** An H.264 MP4 (see makeClip: GOP ≤ 1 s) to serve as live HLS. */
  hlsClip?: string;
  port?: number;
}

export interface CameraServer {
  port: number;
  url(path: string, creds?: { user: string; password: string }): string;
  fault: HttpFault;
  /** Requests seen per path (including refused ones). */
  hits: Map<string, number>;
  /** Authorization headers seen that were rejected. */
  rejectedAuth: number;
  stop(): Promise<void>;
}

const REALM = 'weisu-test-camera';

export async function startCameraServer(opts: CameraServerOptions): Promise<CameraServer> {
  const pictures = opts.pictures.map((p) => (typeof p === 'string' ? readFileSync(p) : p));
  let next = 0;
  const picture = () => pictures[next++ % pictures.length]!;
  const sockets = new Set<Socket>();
  const nonces = new Set<string>();
  let hlsDir: string | undefined;
  let hls: ChildProcess | undefined;
  const state: { fault: HttpFault; hits: Map<string, number>; rejectedAuth: number } = { fault: 'none', hits: new Map(), rejectedAuth: 0 };

  if (opts.hlsClip) {
    hlsDir = mkdtempSync(join(tmpdir(), 'weisu-hls-'));
    hls = spawn('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', opts.hlsClip, '-an', '-c:v', 'copy',
      '-f', 'hls', '-hls_time', '1', '-hls_list_size', '4', '-hls_flags', 'delete_segments+omit_endlist', join(hlsDir, 'index.m3u8'),
    ], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !existsSync(join(hlsDir, 'index.m3u8')); i++) await new Promise((r) => setTimeout(r, 100));
  }

  const authorized = (req: IncomingMessage, res: ServerResponse): boolean => {
    const a = opts.auth;
    if (!a) return true;
    const header = req.headers.authorization;
    if (header && checkAuthorization(header, req.method ?? 'GET', a, nonces)) return true;
    if (header) state.rejectedAuth++;
    const nonce = randomBytes(12).toString('hex');
    nonces.add(nonce);
    res.statusCode = 401;
    res.setHeader('www-authenticate', a.method === 'digest' ? `Digest realm="${REALM}", qop="auth", nonce="${nonce}", opaque="op4que", algorithm=MD5` : `Basic realm="${REALM}"`);
    res.end('unauthorized');
    return false;
  };

  const server: Server = createHttpServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    state.hits.set(path, (state.hits.get(path) ?? 0) + 1);
    switch (state.fault) {
      case 'silent':
        return;
      case 'garbage':
        req.socket.end(randomBytes(2048));
        return;
      case 'error500':
        res.statusCode = 500;
        res.end('internal error');
        return;
      default:
    }
    if (!authorized(req, res)) return;
    if (path === '/page.html') {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end('<!doctype html><html><body><h1>Camera web interface</h1></body></html>');
      return;
    }
    if (path === '/snapshot.jpg') {
      res.setHeader('content-type', 'image/jpeg');
      if (state.fault === 'stall') return void res.flushHeaders();
      res.end(state.fault === 'bad_body' ? randomBytes(4096) : picture());
      return;
    }
    if (path === '/mjpeg') {
      const boundary = 'weisuframe';
      res.setHeader('content-type', `multipart/x-mixed-replace; boundary=${boundary}`);
      res.flushHeaders();
      if (state.fault === 'stall') return;
      const send = () => {
        const body = state.fault === 'bad_body' ? randomBytes(4096) : picture();
        res.write(`--${boundary}\r\nContent-Type: image/jpeg\r\nContent-Length: ${body.length}\r\n\r\n`);
        res.write(body);
        res.write('\r\n');
      };
      send();
      const timer = setInterval(send, 1000 / (opts.mjpegFps ?? 5));
      res.on('close', () => clearInterval(timer));
      return;
    }
    if (path.startsWith('/hls/') && hlsDir) {
      const file = normalize(join(hlsDir, path.slice(5)));
      if (!file.startsWith(hlsDir) || !existsSync(file)) return void ((res.statusCode = 404), res.end());
      res.setHeader('content-type', file.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp2t');
      res.end(readFileSync(file));
      return;
    }
    res.statusCode = 404;
    res.end('not found');
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;

  return {
    port,
    url: (path, creds) => `http://${creds ? `${encodeURIComponent(creds.user)}:${encodeURIComponent(creds.password)}@` : ''}127.0.0.1:${port}${path}`,
    get fault() {
      return state.fault;
    },
    set fault(f: HttpFault) {
      state.fault = f;
    },
    hits: state.hits,
    get rejectedAuth() {
      return state.rejectedAuth;
    },
    stop: async () => {
      hls?.kill('SIGKILL');
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      if (hlsDir) rmSync(hlsDir, { recursive: true, force: true });
    },
  };
}

/** Verifies Basic or Digest (MD5, qop=auth) credentials as a camera would. */
function checkAuthorization(header: string, method: string, a: { user: string; password: string; method: 'basic' | 'digest' }, nonces: Set<string>): boolean {
  if (a.method === 'basic') {
    const m = /^Basic\s+(.+)$/i.exec(header);
    return !!m && Buffer.from(m[1]!, 'base64').toString('utf8') === `${a.user}:${a.password}`;
  }
  if (!/^Digest\s/i.test(header)) return false;
  const p: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) p[m[1]!] = m[2] ?? m[3]!;
  if (p.username !== a.user || p.realm !== REALM || !p.nonce || !nonces.has(p.nonce) || p.opaque !== 'op4que') return false;
  const md5 = (s: string) => createHash('md5').update(s).digest('hex');
  const ha1 = md5(`${a.user}:${REALM}:${a.password}`);
  const ha2 = md5(`${method}:${p.uri}`);
  const expected = p.qop === 'auth' ? md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`) : md5(`${ha1}:${p.nonce}:${ha2}`);
  return p.response === expected;
}

export type TcpFault = 'silent' | 'garbage' | 'close';

/** A TCP server that accepts and then stays silent, sends random bytes, or hangs up at once: use with any scheme. */
export async function startTcpFaultServer(mode: TcpFault): Promise<{ port: number; connections: () => number; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createTcpServer((s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    if (mode === 'garbage') {
      s.on('data', () => s.write(randomBytes(1024)));
      s.write(randomBytes(1024));
    } else if (mode === 'close') s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    connections: () => connections,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
