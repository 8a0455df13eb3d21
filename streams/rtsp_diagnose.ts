import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { StreamError } from './errors.js';

/**
 * Run only after ffmpeg timed out connecting: ffmpeg cannot tell "silent" from "talks nonsense", an
 * operator needs to. One OPTIONS request on a fresh connection: an `RTSP/1.0` answer means the camera is
 * just slow; other bytes mean it is not an RTSP server; nothing keeps the original timeout.
 */
export async function diagnoseRtspTimeout(url: string, what: string, timeoutMs: number, original: StreamError): Promise<StreamError> {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol === 'rtsps:' ? 322 : 554));
  const reply = await new Promise<Buffer | undefined>((resolve) => {
    const sock = u.protocol === 'rtsps:' ? tlsConnect({ host: u.hostname, port, rejectUnauthorized: false }) : connect({ host: u.hostname, port });
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      sock.destroy();
      resolve(chunks.length ? Buffer.concat(chunks) : undefined);
    };
    const timer = setTimeout(done, timeoutMs);
    sock.once('connect', () => sock.write(`OPTIONS ${u.protocol}//${u.host}${u.pathname} RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: weisu\r\n\r\n`));
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
