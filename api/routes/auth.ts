import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { audit } from '../../store/audit.js';
import { authenticate, issueToken, pruneExpiredTokens, revokeToken, ROLES, type User } from '../../store/users.js';
import { ANYONE } from '../auth.js';
import { addressKey } from '../callers.js';
import { LoginThrottle } from '../login_throttle.js';
import { apiError } from '../problem.js';
import type { ApiDeps } from '../server.js';

const loginBody = z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) });

export const meSchema = z.strictObject({ username: z.string(), role: z.enum(ROLES), token_id: z.string(), token_kind: z.enum(['session', 'api']) }).meta({ id: 'Me' });
const sessionSchema = z.strictObject({ token: z.string(), role: z.enum(ROLES), username: z.string(), expires_at: z.iso.datetime() }).meta({ id: 'Session' });

export async function authRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;
  const tags = ['auth'];
  const { login_rate_limit: limit, login_backoff: backoff } = deps.config.server.auth;
  const throttle = new LoginThrottle(backoff);
  const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

  r.post('/auth/login', {
    // Per client address only: a token sent along (valid or not) neither names nor refreshes the budget.
    config: { public: true, rateLimit: { max: limit.max, timeWindow: limit.window, keyGenerator: (req) => `login:${addressKey(req.ip)}` } },
    schema: {
      tags,
      operationId: 'login', summary: 'Log in: a session token for the console',
      description:
        `Rate-limited to ${limit.max} attempts per client address per window. After ${backoff.free_failures} failed logins in a row for one username, ` +
        'each further failure doubles the wait before that username may be tried again (429 with Retry-After); a failure answers 401 with ' +
        'Retry-After when a wait now applies. Send the token as "Authorization: Bearer <token>".',
      security: [],
      body: loginBody,
      response: { 200: sessionSchema },
    },
    handler: async (req, reply) => {
      const { username, password } = req.body;
      // Before any hashing: a refused guess costs the guesser its wait and the server nothing.
      const waitMs = throttle.begin(username);
      if (waitMs > 0) {
        reply.header('retry-after', seconds(waitMs));
        await audit(db, { actor: 'anonymous', entity: 'user', entityId: username, action: 'login_delayed', data: { address: req.ip, wait_ms: waitMs } });
        throw apiError('login_delayed', `too many failed logins for this username: wait ${seconds(waitMs)} s before trying it again`, { field: 'username' });
      }
      let user: User | undefined;
      try {
        user = await authenticate(db, username, password);
      } catch (e) {
        throttle.finish(username, 'undecided');
        throw e;
      }
      if (!user) {
        const delayMs = throttle.finish(username, 'failed');
        await audit(db, { actor: 'anonymous', entity: 'user', entityId: username, action: 'login_failed', data: { address: req.ip, retry_after_ms: delayMs } });
        if (delayMs > 0) reply.header('retry-after', seconds(delayMs));
        throw apiError('login_failed', 'wrong username or password, or the account is disabled', { field: 'password' });
      }
      throttle.finish(username, 'ok');
      await pruneExpiredTokens(db);
      const { token, info } = await issueToken(db, { username: user.username, kind: 'session', name: 'console login', ttlMs: deps.config.server.auth.session_ttl }, `user:${user.username}`);
      return { token, role: user.role, username: user.username, expires_at: new Date(info.expiresAt!).toISOString() };
    },
  });

  r.post('/auth/logout', {
    config: { roles: ANYONE },
    schema: { tags, operationId: 'logout', summary: 'End this session (revokes the token used)', response: { 204: z.null() } },
    handler: async (req, reply) => {
      await revokeToken(db, req.principal!.tokenId, `user:${req.principal!.username}`);
      return reply.code(204).send(null);
    },
  });

  r.get('/auth/me', {
    config: { roles: ANYONE },
    schema: { tags, operationId: 'getMe', summary: 'Who this token belongs to', response: { 200: meSchema } },
    handler: async (req) => {
      const p = req.principal!;
      return { username: p.username, role: p.role, token_id: p.tokenId, token_kind: p.tokenKind };
    },
  });
}
