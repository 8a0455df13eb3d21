import { createHash, randomBytes } from 'node:crypto';

/**
 * HTTP Basic and Digest (RFC 7617, RFC 7616: MD5, SHA-256, their -sess forms, qop=auth) for snapshot and
 * MJPEG cameras. Remembers the last challenge so later requests authenticate up front instead of paying
 * a 401 round trip every sample; a stale nonce simply earns a fresh challenge and one retry.
 */
export interface Credentials {
  username: string;
  password: string;
}

interface Challenge {
  scheme: 'basic' | 'digest';
  params: Record<string, string>;
}

/** Splits a WWW-Authenticate value (several challenges may be comma-joined) into schemes and parameters. */
export function parseChallenges(header: string): Challenge[] {
  const out: Challenge[] = [];
  const re = /(?:^|,)\s*(Basic|Digest|Bearer|Negotiate|NTLM)\b((?:\s*,?\s*[\w-]+\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^\s,]*))*)/gi;
  for (const m of header.matchAll(re)) {
    const params: Record<string, string> = {};
    for (const p of m[2]!.matchAll(/([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g)) {
      params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
    }
    const scheme = m[1]!.toLowerCase();
    if (scheme === 'basic' || scheme === 'digest') out.push({ scheme, params });
  }
  return out;
}

function hasher(algorithm: string): (s: string) => string {
  const alg = algorithm.toUpperCase().replace(/-SESS$/, '') === 'SHA-256' ? 'sha256' : 'md5';
  return (s) => createHash(alg).update(s).digest('hex');
}

export class HttpAuth {
  private challenge?: Challenge;
  private nc = 0;

  constructor(
    private readonly cred: Credentials | undefined,
    private readonly makeCnonce: () => string = () => randomBytes(8).toString('hex'),
  ) {}

  /** Auth for a camera, with the credentials its URL carries (if any). */
  static forCamera(u: { username?: string; password?: string }): HttpAuth {
    return new HttpAuth(u.username === undefined && u.password === undefined ? undefined : { username: u.username ?? '', password: u.password ?? '' });
  }

  get hasCredentials(): boolean {
    return this.cred !== undefined;
  }

  /**
   * Takes a 401's WWW-Authenticate. Returns true when a retry with credentials can succeed (we have
   * credentials and a scheme we speak; for Digest also when only the nonce went stale).
   */
  learn(header: string | null): boolean {
    if (!this.cred || !header) return false;
    const all = parseChallenges(header);
    const next = all.find((c) => c.scheme === 'digest' && /^(MD5|SHA-256)(-sess)?$/i.test(c.params.algorithm ?? 'MD5')) ?? all.find((c) => c.scheme === 'basic');
    if (!next) return false;
    this.challenge = next;
    this.nc = 0;
    return true;
  }

  forget(): void {
    this.challenge = undefined;
  }

  /** Authorization header for a request, or undefined before any challenge was seen. */
  header(method: string, uri: string): string | undefined {
    const c = this.challenge;
    if (!c || !this.cred) return undefined;
    const { username, password } = this.cred;
    if (c.scheme === 'basic') return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
    const p = c.params;
    const algorithm = p.algorithm ?? 'MD5';
    const H = hasher(algorithm);
    const realm = p.realm ?? '';
    const nonce = p.nonce ?? '';
    const qop = p.qop?.split(',').map((q) => q.trim()).includes('auth') ? 'auth' : undefined;
    const cnonce = this.makeCnonce();
    const nc = (++this.nc).toString(16).padStart(8, '0');
    let ha1 = H(`${username}:${realm}:${password}`);
    if (/-sess$/i.test(algorithm)) ha1 = H(`${ha1}:${nonce}:${cnonce}`);
    const ha2 = H(`${method}:${uri}`);
    const response = qop ? H(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : H(`${ha1}:${nonce}:${ha2}`);
    const q = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;
    const parts = [`username=${q(username)}`, `realm=${q(realm)}`, `nonce=${q(nonce)}`, `uri=${q(uri)}`, `algorithm=${algorithm}`, `response=${q(response)}`];
    if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce=${q(cnonce)}`);
    if (p.opaque !== undefined) parts.push(`opaque=${q(p.opaque)}`);
    return `Digest ${parts.join(', ')}`;
  }
}
