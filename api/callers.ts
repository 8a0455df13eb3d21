import { isIPv6 } from 'node:net';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerConfig } from './schema.js';
import { apiError } from './problem.js';

/**
 * Request budgets per caller. A caller is its verified token — so integrators behind one NAT do not
 * share a budget — and otherwise its client address: anonymous requests, and requests whose token is
 * wrong, expired or revoked, all count against the address they come from. A token only names a budget
 * after api/auth.ts verified it, so sending made-up tokens cannot buy fresh budgets.
 *
 * The address is the TCP peer's unless `server.trust_proxy` names the proxies whose X-Forwarded-For to
 * believe. IPv6 addresses count by their /64, the block one subscriber gets, so a caller cannot step
 * through its own addresses to escape the limit.
 */

/** The budget key of a client address. */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return `ip:${mapped[1]}`;
  if (!isIPv6(ip)) return `ip:${ip}`;
  return `ip:${ipv6Groups(ip).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, `::` expanded (a zone id or dotted tail only ever follows the /64). */
function ipv6Groups(ip: string): string[] {
  const [head = '', tail] = ip.split('%')[0]!.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0');
  return [...left, ...fill, ...right].map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? g.replace(/^0+(?=.)/, '') : g));
}

/** Whom a request is counted against: its verified token, else its client address. */
export function callerKey(req: FastifyRequest): string {
  return req.principal ? `token:${req.principal.tokenId}` : addressKey(req.ip);
}

/**
 * The whole-API budget, checked on every request (console, docs and evidence included) right after the
 * caller was identified and before anything else is done for it; and the plugin behind the per-route
 * budgets (`config.rateLimit` on a route: login, probe), keyed the same way unless the route says
 * otherwise. Call on the root instance, after api/auth.ts `identifyCallers`, before any route.
 */
export async function limitCallers(app: FastifyInstance, server: ServerConfig): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    keyGenerator: callerKey,
    errorResponseBuilder: (_req, ctx) => ({ statusCode: 429, code: 'rate_limited', message: `too many requests: retry in ${ctx.after}` }),
  });
  const check = app.createRateLimit({ max: server.rate_limit.max, timeWindow: server.rate_limit.window });
  app.addHook('onRequest', async (req, reply) => {
    const r = await check(req);
    if (r.isAllowed) return;
    reply.header('x-ratelimit-limit', r.max).header('x-ratelimit-remaining', r.remaining).header('x-ratelimit-reset', r.ttlInSeconds);
    if (!r.isExceeded) return;
    reply.header('retry-after', r.ttlInSeconds);
    const who = req.principal ? 'this token' : 'this client address';
    throw apiError('rate_limited', `too many requests from ${who}: retry in ${r.ttlInSeconds} s`, {
      fix: req.principal ? `stay under ${r.max} requests per ${r.timeWindow / 1000} s` : 'authenticate with a valid token (each token has its own budget), or send fewer requests',
    });
  });
}
