import { connect, isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { StreamError } from './errors.js';
import type { NetworkCameraUrl } from './camera_url.js';

/**
 * Run only after ffmpeg timed out connecting: ffmpeg cannot tell "silent" from "talks nonsense", an
 * operator needs to. One OPTIONS request on a fresh connection: an `RTSP/1.0` answer means the camera is
 * just slow; other bytes mean it is not an RTSP server; nothing keeps the original timeout.
 */
export async function diagnoseRtspTimeout(u: NetworkCameraUrl, address: string, what: string, timeoutMs: number, original: StreamError): Promise<StreamError> {
  const reply = await new Promise<Buffer | undefined>((resolve) => {
    // The address the policy pinned for this grab; the name only as the TLS server name.
    const sock = u.scheme === 'rtsps' ? tlsConnect({ host: address, servername: isIP(u.host) ? undefined : u.host, port: u.port, rejectUnauthorized: false }) : connect({ host: address, port: u.port });
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      sock.destroy();
      resolve(chunks.length ? Buffer.concat(chunks) : undefined);
    };
    const timer = setTimeout(done, timeoutMs);
    sock.once('connect', () => sock.write(`OPTIONS ${u.href} RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: weisu\r\n\r\n`));
    sock.on('data', (d: Buffer) => {
      chunks.push(d);
      if (Buffer.concat(chunks).length >= 8) done();
    });
    sock.once('error', done);
    sock.once('close', done);
  });
  if (!reply) return original;
  if (reply.subarray(0, 5).toString('latin1') === 'RTSP/') return original;
  const head = reply.subarray(0, 24).toString('latin1');
  const kind = head.startsWith('HTTP/') ? 'an HTTP server' : 'something that is not an RTSP server';
  return new StreamError('bad_data', `${what}: answered like ${kind} (${JSON.stringify(head.replace(/[^\x20-\x7e]/g, '.'))})`, { cause: original });
}
