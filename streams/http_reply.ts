import type { IncomingMessage } from 'node:http';
import { StreamError } from './errors.js';
import { sameEndpoint, type NetworkCameraUrl } from './camera_url.js';
import type { HttpAuth } from './http_auth.js';
import { getFollowing } from './pinned_http.js';
import { PhaseTimer } from './phase_timer.js';
import type { UrlPolicy } from './policy.js';
import { redactUrl } from './redact.js';

/**
 * What weisu's HTTP reads of a camera share (snapshots, MJPEG, HLS playlists and segments, the live
 * relay's feeds): one authenticated GET under the policy, statuses and network errors as stream errors,
 * and bodies read under a byte cap.
 */
export interface CameraGet {
  /** The camera's own URL: credentials go to its endpoint only, never to a redirect or another host. */
  camera: NetworkCameraUrl;
  /** What to fetch (the camera's URL, a playlist or a segment it names). */
  url: NetworkCameraUrl;
  auth: HttpAuth;
  policy: UrlPolicy;
  signal: AbortSignal;
  what: string;
  accept: string;
}

/** GET with auth (one retry after a challenge) and redirects, every hop parsed, checked and pinned; a 2xx answer or a StreamError. */
export async function cameraGet(o: CameraGet): Promise<{ res: IncomingMessage; url: NetworkCameraUrl }> {
  const got = await getFollowing(o.url, {
    policy: o.policy,
    signal: o.signal,
    what: o.what,
    headers: (url) => {
      const headers: Record<string, string> = { accept: o.accept, 'user-agent': 'weisu' };
      const path = new URL(url.href);
      // Credentials go to the camera's own endpoint only, never to where it redirects or links.
      const authorization = sameEndpoint(url, o.camera) ? o.auth.header('GET', path.pathname + path.search) : undefined;
      if (authorization) headers.authorization = authorization;
      return headers;
    },
    retryAfter401: (r) => o.auth.learn(r.headers['www-authenticate'] ?? null),
  });
  const status = got.res.statusCode ?? 0;
  if (status >= 200 && status < 300) return got;
  got.res.destroy();
  throw statusError(status, o.what, o.auth.hasCredentials);
}

export function statusError(status: number, what: string, hadCredentials: boolean): StreamError {
  if (status === 401 || status === 403) {
    return new StreamError('auth_failed', `${what}: HTTP ${status} ${hadCredentials ? 'credentials refused' : 'the camera needs a username and password'}`);
  }
  if (status === 404 || status === 410) return new StreamError('not_found', `${what}: HTTP ${status} (no snapshot or stream at this path)`);
  if (status >= 500) return new StreamError('disconnected', `${what}: HTTP ${status} (the camera or its server failed)`);
  return new StreamError('failed', `${what}: HTTP ${status}`);
}

/** A declared length over the cap, or an answer body longer than `cap` bytes. */
function overCap(what: string, cap: number, noun: string, declared?: number): StreamError {
  return declared === undefined
    ? new StreamError('bad_data', `${what}: the answer is larger than ${cap} bytes, not ${noun}`)
    : new StreamError('bad_data', `${what}: the answer declares ${declared} bytes, over the ${cap}-byte limit for ${noun}`);
}

/** Refuses, before a byte of the body is read, an answer whose declared length is over the cap. */
export function checkDeclaredLength(res: IncomingMessage, what: string, cap: number, noun: string): void {
  const declared = Number(res.headers['content-length'] ?? 0);
  if (declared > cap) {
    res.destroy();
    throw overCap(what, cap, noun, declared);
  }
}

/** The whole body, at most `cap` bytes (`noun` names what was expected, for the message). */
export async function readCapped(res: IncomingMessage, what: string, cap: number, noun: string): Promise<Buffer> {
  checkDeclaredLength(res, what, cap, noun);
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    n += chunk.length;
    if (n > cap) {
      res.destroy();
      throw overCap(what, cap, noun);
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

/** Byte counting for a body that is streamed on (to ffmpeg): the error to raise once `n` bytes went past `cap`. */
export function streamedOverCap(n: number, what: string, cap: number, noun: string): StreamError | undefined {
  return n > cap ? overCap(what, cap, noun) : undefined;
}

export function asStreamError(e: unknown, what: string): StreamError | Error {
  if (e instanceof StreamError) return e;
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? (e as NodeJS.ErrnoException).code ?? '';
  const detail = redactUrl(cause?.message ?? (e instanceof Error ? e.message : String(e)));
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL/.test(code)) return new StreamError('unreachable', `${what}: ${detail}`);
  if (code === 'ETIMEDOUT') return new StreamError('connect_timeout', `${what}: ${detail}`);
  if (code === 'HPE_HEADER_OVERFLOW') return new StreamError('bad_data', `${what}: the answer's headers are over the 16 kB limit of Node's HTTP client (not a camera)`);
  if (/^HPE_/.test(code)) return new StreamError('bad_data', `${what}: the server does not speak HTTP (${detail})`);
  if (/ECONNRESET|EPIPE|ERR_STREAM_PREMATURE_CLOSE/.test(code)) return new StreamError('disconnected', `${what}: ${detail}`);
  if (/ERR_TLS|CERT|SSL/i.test(code + detail)) return new StreamError('unreachable', `${what}: TLS failed (${detail})`);
  return new StreamError('failed', `${what}: ${detail}`);
}

/**
 * One grab of an HTTP camera: its requests share an AbortController that the caller's signal, a passed
 * deadline (armed by `work`) or the grab's end aborts; the error says which (`aborted`, the deadline's own,
 * or what went wrong as a stream error).
 */
export async function httpGrab<T>(what: string, signal: AbortSignal | undefined, work: (requests: AbortSignal, deadline: PhaseTimer) => Promise<T>): Promise<T> {
  const ctrl = new AbortController();
  const deadline = new PhaseTimer(() => ctrl.abort());
  const onAbort = () => ctrl.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) ctrl.abort();
  try {
    return await work(ctrl.signal, deadline);
  } catch (e) {
    if (signal?.aborted) throw new StreamError('aborted', `${what}: read cancelled`);
    if (deadline.expired) throw deadline.expired;
    throw asStreamError(e, what);
  } finally {
    deadline.clear();
    signal?.removeEventListener('abort', onAbort);
    ctrl.abort();
  }
}
