import { describe, expect, it } from 'vitest';
import { HttpAuth, parseChallenges } from '../../streams/http_auth.js';

// RFC 7616 section 3.9.1: the worked example, for MD5 and SHA-256.
const CHALLENGE = (alg: string) =>
  `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${alg}, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`;
const CNONCE = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';

function field(header: string, name: string): string | undefined {
  return new RegExp(`${name}="?([^",]*)"?`).exec(header)?.[1];
}

describe('HttpAuth', () => {
  it('answers the RFC 7616 example challenge exactly (MD5 and SHA-256)', () => {
    for (const [alg, expected] of [
      ['MD5', '8ca523f5e9506fed4657c9700eebdbec'],
      ['SHA-256', '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1'],
    ] as const) {
      const auth = new HttpAuth({ username: 'Mufasa', password: 'Circle of Life' }, () => CNONCE);
      expect(auth.learn(CHALLENGE(alg))).toBe(true);
      const h = auth.header('GET', '/dir/index.html')!;
      expect(field(h, 'response')).toBe(expected);
      expect(field(h, 'nc')).toBe('00000001');
      expect(field(h, 'qop')).toBe('auth');
      expect(field(h, 'opaque')).toBe('FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS');
      // The next request reuses the challenge with the next nonce count.
      expect(field(auth.header('GET', '/dir/index.html')!, 'nc')).toBe('00000002');
    }
  });

  it('prefers Digest over Basic when a camera offers both, and does Basic alone', () => {
    expect(parseChallenges('Basic realm="cam", Digest realm="cam", nonce="n1", qop="auth"').map((c) => c.scheme)).toEqual(['basic', 'digest']);
    const both = new HttpAuth({ username: 'u', password: 'p' });
    both.learn('Basic realm="cam", Digest realm="cam", nonce="n1", qop="auth"');
    expect(both.header('GET', '/snap')).toMatch(/^Digest /);
    const basic = new HttpAuth({ username: 'admin', password: 'pa:ss' });
    basic.learn('Basic realm="IP Camera"');
    expect(basic.header('GET', '/snap')).toBe(`Basic ${Buffer.from('admin:pa:ss').toString('base64')}`);
  });

  it('sends nothing before a challenge, and cannot retry without credentials or a known scheme', () => {
    const auth = new HttpAuth({ username: 'u', password: 'p' });
    expect(auth.header('GET', '/')).toBeUndefined();
    expect(new HttpAuth(undefined).learn('Basic realm="x"')).toBe(false);
    expect(auth.learn('Bearer realm="x"')).toBe(false);
    expect(auth.learn(null)).toBe(false);
  });
});
