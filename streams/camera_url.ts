import { fileURLToPath } from 'node:url';
import { StreamError } from './errors.js';

/**
 * The one parser of camera URLs. Everything that checks a camera URL and everything that connects to
 * one uses what this returns, so the host the policy judged is the host that is contacted: a URL two
 * parsers could read two ways (`http://127.0.0.1\@127.0.0.2/`, `rtsp://a:b@c@d/`) is refused here rather
 * than guessed at. The result is re-serialised (canonical host, the port as given, no credentials, no
 * fragment); credentials come apart, percent-decoded.
 *
 * Error messages never repeat the URL: a URL that cannot be read cannot be redacted reliably either.
 */
export type NetworkScheme = 'rtsp' | 'rtsps' | 'http' | 'https';

export interface NetworkCameraUrl {
  kind: 'network';
  scheme: NetworkScheme;
  /** Canonical host: lower case, IPv4 in dotted decimal, IPv6 without brackets, IDN as punycode. */
  host: string;
  /** The port to connect to (the scheme's default when the URL gives none). */
  port: number;
  /** `scheme://host[:port]/path?query`: no credentials, no fragment. What fetchers open. */
  href: string;
  username?: string;
  password?: string;
}

export interface FileCameraUrl {
  kind: 'file';
  /** The path to open (from a `file://` URL or as written). */
  path: string;
  href: string;
}

export type CameraUrl = NetworkCameraUrl | FileCameraUrl;

export const DEFAULT_PORTS: Record<NetworkScheme, number> = { rtsp: 554, rtsps: 322, http: 80, https: 443 };

const FIX = 'write it like rtsp://host:554/path or http://host/snapshot.jpg (put the password in the password field, or percent-encode @ / : % in it), or give an absolute file path';

function refuse(why: string): never {
  throw new StreamError('bad_url', `url is not a camera URL: ${why}`, { field: 'url', fix: FIX });
}

function decode(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return refuse(`its ${what} has a % that is not followed by two hex digits (write % itself as %25)`);
  }
}

/** `host[:port]` → canonical host and port, or a refusal naming what is wrong. */
function hostPort(raw: string, scheme: NetworkScheme): { host: string; hostInUrl: string; port: number; explicitPort: boolean } {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(raw);
  if (!m || !m[1]) return refuse('it names no host');
  const portText = m[2];
  let port = DEFAULT_PORTS[scheme];
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) return refuse('its port is not a number from 1 to 65535');
    port = Number(portText);
  }
  let host: string;
  try {
    // The WHATWG host parser of a special scheme: lower case, IDNA, IPv4 forms like 0x7f.1 made dotted.
    host = new URL(`http://${m[1]}/`).hostname;
  } catch {
    return refuse('its host is not a valid host name or address');
  }
  if (!host) return refuse('it names no host');
  const bare = host.replace(/^\[|\]$/g, '');
  return { host: bare, hostInUrl: host, port, explicitPort: portText !== undefined };
}

function parseNetwork(scheme: NetworkScheme, rest: string): NetworkCameraUrl {
  const end = rest.search(/[/?#]/);
  const authority = end === -1 ? rest : rest.slice(0, end);
  const tail = end === -1 ? '' : rest.slice(end);
  const ats = authority.split('@').length - 1;
  if (ats > 1) refuse('it has more than one @ before the host (write @ inside a password as %40)');
  // An @ after the authority means a password with / ? or # in it ended the authority early.
  if (tail.includes('@')) refuse('it has an @ after the host (a password containing / ? or # must be percent-encoded: %2F %3F %23)');
  const at = authority.lastIndexOf('@');
  const userinfo = at === -1 ? undefined : authority.slice(0, at);
  const { host, hostInUrl, port, explicitPort } = hostPort(authority.slice(at + 1), scheme);
  let path: URL;
  try {
    path = new URL(`http://h${tail.replace(/#.*$/s, '')}`);
  } catch {
    return refuse('its path is not valid');
  }
  const href = `${scheme}://${hostInUrl}${explicitPort ? `:${port}` : ''}${path.pathname}${path.search}`;
  const out: NetworkCameraUrl = { kind: 'network', scheme, host, port, href };
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    out.username = decode(colon === -1 ? userinfo : userinfo.slice(0, colon), 'username');
    if (colon !== -1) out.password = decode(userinfo.slice(colon + 1), 'password');
  }
  return out;
}

function parseFile(raw: string): FileCameraUrl {
  let path: string;
  try {
    const u = new URL(raw);
    if (u.hostname && u.hostname !== 'localhost') refuse('a file:// URL must name a local file (file:///path)');
    path = fileURLToPath(u);
  } catch (e) {
    if (e instanceof StreamError) throw e;
    return refuse('it is not a valid file:// URL (write file:///absolute/path)');
  }
  return { kind: 'file', path, href: raw };
}

/**
 * Parses a camera URL strictly. Accepted: rtsp, rtsps, http, https (`scheme://[user[:password]@]host[:port]/...`),
 * file:///path and plain paths (absolute, `./` or `../` relative, or one word without spaces).
 * Throws StreamError `bad_url` (field `url`) naming what is wrong, never echoing the URL.
 */
export function parseCameraUrl(raw: string): CameraUrl {
  if (typeof raw !== 'string' || raw.length === 0) refuse('it is empty');
  if (raw.length > 4096) refuse('it is longer than 4096 characters');
  if (raw.includes('\\')) refuse('it contains a backslash (parsers disagree on what it means; write / or %5C)');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(raw)) refuse('it contains a control character');
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(raw);
  if (scheme && scheme[1]!.length > 1) {
    const name = scheme[1]!.toLowerCase();
    if (/\s/.test(raw)) refuse('it contains a space (write it as %20)');
    if (name === 'file') return parseFile(raw);
    if (name !== 'rtsp' && name !== 'rtsps' && name !== 'http' && name !== 'https') refuse(`its scheme ${name.slice(0, 20)} is not one of rtsp, rtsps, http, https, file`);
    const rest = raw.slice(scheme[0].length);
    if (!rest.startsWith('//')) refuse(`${name}: must be followed by // and a host`);
    return parseNetwork(name as NetworkScheme, rest.slice(2));
  }
  // A path. A relative one with spaces is far more likely a mistake ("not a url") than a file name.
  if (!/^(\/|\.\.?\/|[a-zA-Z]:\/)/.test(raw) && /\s/.test(raw)) refuse('it is neither a URL (rtsp://, http://, ...) nor a file path');
  return { kind: 'file', path: raw, href: raw };
}

/** Like parseCameraUrl, with separate credentials folded in (they win over the URL's own). */
export function cameraTarget(raw: string, username?: string, password?: string): CameraUrl {
  const u = parseCameraUrl(raw);
  if (u.kind === 'network') {
    if (username !== undefined) u.username = username;
    if (password !== undefined) u.password = password;
  }
  return u;
}

/** The URL for people and logs: `scheme://user:***@host...`, query secrets hidden by the caller's redaction. */
export function displayUrl(u: CameraUrl): string {
  if (u.kind === 'file' || (u.username === undefined && u.password === undefined)) return u.href;
  const user = encodeURIComponent(u.username ?? '');
  const cut = u.scheme.length + 3;
  return `${u.href.slice(0, cut)}${user}${u.password !== undefined ? ':***' : ''}@${u.href.slice(cut)}`;
}

/** The URL with its credentials in the userinfo, percent-encoded: only for tools that take them no other way. */
export function hrefWithCredentials(u: NetworkCameraUrl, href = u.href): string {
  if (u.username === undefined && u.password === undefined) return href;
  const cut = href.indexOf('://') + 3;
  const pass = u.password === undefined ? '' : `:${encodeURIComponent(u.password)}`;
  return `${href.slice(0, cut)}${encodeURIComponent(u.username ?? '')}${pass}@${href.slice(cut)}`;
}

/** Whether two URLs reach the same endpoint (scheme, host and port): credentials are for one endpoint only. */
export function sameEndpoint(a: CameraUrl, b: CameraUrl): boolean {
  if (a.kind === 'file' || b.kind === 'file') return a.kind === b.kind && a.href === b.href;
  return a.scheme === b.scheme && a.host === b.host && a.port === b.port;
}
