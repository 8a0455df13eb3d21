import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressKey } from '../../api/callers.js';
import { auth, startApi, type Harness } from './harness.js';

/** Abusive callers: budgets keyed by address until a token is verified, per-username login delays, capped hashing. */

const opened: Harness[] = [];
afterAll(async () => {
  while (opened.length) await opened.pop()!.close();
});

async function api(server: string): Promise<Harness> {
  const h = await startApi('pglite', { configYaml: `public_url: http://127.0.0.1:8080\nserver: ${server}\n` });
  opened.push(h);
  return h;
}

/** A well-formed token that belongs to no one. */
const madeUpToken = () => `wsu_${randomBytes(8).toString('hex')}_${randomBytes(32).toString('base64url')}`;

const login = (h: Harness, username: string, password: string, headers: Record<string, string> = {}, remoteAddress = '127.0.0.1') =>
  h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, headers, remoteAddress });

/** No proxy trusted (the default); each test calls from addresses of its own. */
describe('budgets per client address, and per token once verified', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await api('{ rate_limit: { max: 8, window: 1m }, auth: { login_rate_limit: { max: 3, window: 1m } } }');
  });

  it('login: cannot be escaped by sending another Bearer token, or another X-Forwarded-For, with each guess', async () => {
    const statuses: number[] = [];
    // Another username each time, so only the address budget can stop the guesses.
    for (let i = 0; i < 6; i++) {
      const res = await login(h, `guess-${i}`, 'wrong-password', { authorization: `Bearer ${madeUpToken()}`, 'x-forwarded-for': `198.51.100.${i}` }, '192.0.2.1');
      statuses.push(res.statusCode);
      if (res.statusCode === 429) expect(res.json()).toMatchObject({ type: 'urn:weisu:problem:rate_limited' });
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
    // Not even a valid token buys login attempts.
    expect((await login(h, 'admin', h.passwords.admin, auth(h.tokens.admin), '192.0.2.1')).statusCode).toBe(429);
    // Another client address has its own budget.
    expect((await login(h, 'admin', h.passwords.admin, {}, '192.0.2.2')).statusCode).toBe(200);
  });

  it("counts IPv6 callers by their /64, so stepping through one's own addresses does not help", async () => {
    expect(addressKey('2001:db8:0:1::1')).toBe(addressKey('2001:0db8:0000:0001:ffff:eeee:dddd:cccc'));
    expect(addressKey('2001:db8:0:1::1')).not.toBe(addressKey('2001:db8:0:2::1'));
    expect(addressKey('::ffff:192.0.2.1')).toBe(addressKey('192.0.2.1'));
    const statuses: number[] = [];
    for (let i = 1; i <= 4; i++) statuses.push((await login(h, `v6-${i}`, 'wrong-password', {}, `2001:db8:7:7::${i}`)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it("API: a verified token has its own budget; anonymous callers and bad tokens share their address's", async () => {
    const get = (headers: Record<string, string> = {}) => h.app.inject({ method: 'GET', url: '/api/v1/cameras', headers, remoteAddress: '192.0.2.3' });
    // Made-up tokens, each new: all count against this address, answered 401 until it is spent.
    const bad: number[] = [];
    for (let i = 0; i < 9; i++) bad.push((await get(auth(madeUpToken()))).statusCode);
    expect(bad).toEqual([...Array<number>(8).fill(401), 429]);
    const anonymous = await get();
    expect(anonymous.statusCode).toBe(429);
    expect(anonymous.headers['retry-after']).toBeDefined();
    expect(anonymous.json()).toMatchObject({ type: 'urn:weisu:problem:rate_limited' });
    // A real token's id with a wrong secret is not that token: the address's budget, spent.
    const forged = `${h.tokens.viewer.slice(0, 21)}${randomBytes(32).toString('base64url')}`;
    expect((await get(auth(forged))).statusCode).toBe(429);
    // The same address with a valid token: the token's own budget, whole ...
    const viewer: number[] = [];
    for (let i = 0; i < 9; i++) viewer.push((await get(auth(h.tokens.viewer))).statusCode);
    expect(viewer).toEqual([...Array<number>(8).fill(200), 429]);
    // ... which is not another token's.
    expect((await get(auth(h.tokens.admin))).statusCode).toBe(200);
  });
});

describe('behind a reverse proxy', () => {
  it('takes the client address from X-Forwarded-For only when it comes from a listed proxy', async () => {
    const h = await api('{ trust_proxy: ["127.0.0.1"], auth: { login_rate_limit: { max: 2, window: 1m } } }');
    const from = (client: string, peer = '127.0.0.1') => login(h, `u-${client}`, 'wrong-password', { 'x-forwarded-for': client }, peer);
    expect([(await from('203.0.113.1')).statusCode, (await from('203.0.113.1')).statusCode, (await from('203.0.113.1')).statusCode]).toEqual([401, 401, 429]);
    expect((await from('203.0.113.2')).statusCode).toBe(401);
    // A peer that is not a listed proxy is counted as itself, whatever it claims.
    expect([(await from('203.0.113.3', '192.0.2.9')).statusCode, (await from('203.0.113.4', '192.0.2.9')).statusCode, (await from('203.0.113.5', '192.0.2.9')).statusCode]).toEqual([401, 401, 429]);
    const failed = await h.db.query<{ data: { address: string } }>("SELECT data FROM audit WHERE action = 'login_failed' ORDER BY id");
    expect(failed.map((r) => r.data.address)).toEqual(['203.0.113.1', '203.0.113.1', '203.0.113.2', '192.0.2.9', '192.0.2.9']);
  });
});

describe('logins under attack', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await api('{ auth: { login_rate_limit: { max: 1000, window: 1m }, login_backoff: { free_failures: 2, base_delay: 1s, max_delay: 4s } } }');
  });

  it('per username: the delay grows after each failure up to the cap, alike for unknown usernames; even the right password is refused within it, before hashing; failures audited with the address', async () => {
    const names = ['operator', 'no-such-user'];
    const seen: number[][][] = [];
    let wait = 0;
    for (let i = 0; i < 6; i++) {
      // The wait the server asked for, then one wrong guess for each name; its Retry-After is the next wait.
      await new Promise((r) => setTimeout(r, wait * 1000 + 100));
      const answers = await Promise.all(names.map((n) => login(h, n, 'wrong-password-123')));
      const r = answers.map((a) => [a.statusCode, a.headers['retry-after'] === undefined ? 0 : Number(a.headers['retry-after'])]);
      seen.push(r);
      wait = Math.max(...r.map(([, s]) => s!));
    }
    // Two free failures, then 1, 2, 4 s and the 4 s cap; a known and an unknown username alike.
    const expected = [[401, 0], [401, 0], [401, 1], [401, 2], [401, 4], [401, 4]];
    expect(seen.map((r) => r[0])).toEqual(expected);
    expect(seen.map((r) => r[1])).toEqual(expected);
    const early = await login(h, 'operator', h.passwords.operator);
    expect(early.statusCode).toBe(429);
    expect(early.json()).toMatchObject({ type: 'urn:weisu:problem:login_delayed', field: 'username' });
    expect(Number(early.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(early.headers['retry-after'])).toBeLessThanOrEqual(4);
    // Another username is not held up.
    expect((await login(h, 'viewer', h.passwords.viewer)).statusCode).toBe(200);

    const trail = await h.db.query<{ actor: string; entity_id: string; action: string; data: Record<string, unknown> }>(
      "SELECT actor, entity_id, action, data FROM audit WHERE action IN ('login_failed', 'login_delayed') ORDER BY id",
    );
    const failedFor = (u: string) => trail.filter((e) => e.action === 'login_failed' && e.entity_id === u);
    expect(failedFor('operator')).toHaveLength(6);
    expect(failedFor('no-such-user')).toHaveLength(6);
    expect(failedFor('operator')[5]).toMatchObject({ actor: 'anonymous', data: { address: '127.0.0.1', retry_after_ms: 4000 } });
    expect(trail.some((e) => e.action === 'login_delayed' && e.entity_id === 'operator')).toBe(true);
    const text = JSON.stringify(trail);
    expect(text).not.toContain('wrong-password-123');
    expect(text).not.toContain(h.passwords.operator);
  }, 60_000);

  it('checks one guess per username at a time: parallel guesses do not slip in before the first failure counts', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => login(h, 'admin', 'wrong-password-123')));
    const statuses = answers.map((a) => a.statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(1);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
  });

  it('runs a bounded number of password hashes: the rest are refused at once as busy, and logins work again after', async () => {
    const answers = await Promise.all(Array.from({ length: 80 }, (_, i) => login(h, `flood-${i}`, 'wrong-password-123')));
    const statuses = answers.map((a) => a.statusCode);
    expect(statuses.every((s) => s === 401 || s === 503), statuses.join(',')).toBe(true);
    // Two running and 32 waiting at the most: of 80 at once, dozens are turned away without a hash.
    const busy = answers.filter((a) => a.statusCode === 503);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy[0]!.json()).toMatchObject({ type: 'urn:weisu:problem:busy', status: 503 });
    // A turned-away attempt is no failure of its username.
    expect(await h.db.query("SELECT 1 FROM audit WHERE action = 'login_failed' AND entity_id LIKE 'flood-%'")).toHaveLength(80 - busy.length);
    expect((await login(h, 'integrator', h.passwords.integrator)).statusCode).toBe(200);
  });
});
