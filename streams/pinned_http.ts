import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { StreamError } from './errors.js';
import { parseCameraUrl, sameEndpoint, type NetworkCameraUrl } from './camera_url.js';
import { pinTarget, type PinnedAddress, type UrlPolicy } from './policy.js';

/**
 * weisu's own HTTP GET for cameras: it connects to the address the policy pinned (the name stays in
 * the Host header and TLS server name, so virtual hosts and certificates work) and follows redirects by
 * hand, each hop parsed by the one URL parser and checked by the same policy before it is contacted.
 * Node's HTTP parser caps headers at 16 KiB.
 */
export const MAX_REDIRECTS = 3;

/** A lookup that answers the pinned address whatever it is asked: no second DNS query after the check. */
export function pinnedLookup(pinned: PinnedAddress): LookupFunction {
  return ((_host: string, opts: { all?: boolean }, cb: (...a: unknown[]) => void) => {
    if (opts?.all) cb(null, [{ address: pinned.address, family: pinned.family }]);
    else cb(null, pinned.address, pinned.family);
  }) as unknown as LookupFunction;
}

/** One GET to a pinned address. Rejects with Node's network errors (classified by the caller). */
export function getPinned(u: NetworkCameraUrl, pinned: PinnedAddress, headers: Record<string, string>, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const send = u.scheme === 'https' ? httpsRequest : httpRequest;
    let res: IncomingMessage | undefined;
    const req = send(u.href, { method: 'GET', headers, signal, lookup: pinnedLookup(pinned), agent: false }, (r) => resolve((res = r)));
    // A parse error in the body (an absurd chunk size) is reported on the request; the body's reader must
    // see that error, not the bare "aborted" that follows it.
    req.on('error', (e) => (res ? res.destroy(e) : reject(e)));
    req.end();
  });
}

export interface HopOptions {
  policy: UrlPolicy;
  signal: AbortSignal;
  what: string;
  /** Headers for a hop (auth depends on the path); credentials are offered only to the first endpoint. */
  headers(u: NetworkCameraUrl, sameAsFirst: boolean): Record<string, string>;
  /** Called on a 401 of the first endpoint: true to send the same hop again (a challenge was learnt). */
  retryAfter401?(res: IncomingMessage): boolean;
}

/** GET with redirects followed by hand: every hop parsed, checked and pinned like the first URL. */
export async function getFollowing(first: NetworkCameraUrl, o: HopOptions): Promise<{ res: IncomingMessage; url: NetworkCameraUrl }> {
  let url = first;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const pinned = await pinTarget(url, o.policy);
    const same = sameEndpoint(url, first);
    let res = await getPinned(url, pinned, o.headers(url, same), o.signal);
    if (res.statusCode === 401 && same && o.retryAfter401?.(res)) {
      res.resume();
      res = await getPinned(url, pinned, o.headers(url, same), o.signal);
    }
    const location = res.headers.location;
    if (res.statusCode! >= 300 && res.statusCode! < 400 && location) {
      res.resume();
      url = redirectTarget(location, url, o.what);
      continue;
    }
    return { res, url };
  }
  throw new StreamError('failed', `${o.what}: more than ${MAX_REDIRECTS} redirects`);
}

/**
 * A Location header, or a URI a playlist lists, as a camera URL of its own: strictly parsed, http(s) only.
 * `how` says what named it, for the message ("redirected to", "lists").
 */
export function redirectTarget(location: string, base: NetworkCameraUrl, what: string, how = 'the camera redirected to'): NetworkCameraUrl {
  let next;
  try {
    // An absolute URL is parsed as written (a backslash in it is refused, not normalised away).
    next = parseCameraUrl(/^[a-z][a-z0-9+.-]*:/i.test(location) ? location : new URL(location, base.href).href);
  } catch {
    throw new StreamError('bad_data', `${what}: ${how} something that is not a valid URL`);
  }
  if (next.kind !== 'network' || (next.scheme !== 'http' && next.scheme !== 'https')) {
    throw new StreamError('blocked', `${what}: ${how} a URL that is not http or https`);
  }
  return next;
}
